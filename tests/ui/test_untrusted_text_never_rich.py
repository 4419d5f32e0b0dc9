"""No label or message box shows text from outside as rich text (HTML).

A QLabel and a QMessageBox guess the format of their text (Qt.AutoText): text that looks like
markup (``<b>…</b>``, ``<img src=…>``, ``<a href=…>``) is rendered, so an address or a bounce
reason from a provider could draw images, fake links or hide itself. Every widget that shows
such text must use Qt.PlainText or escape it. This walks every label of each window and dialog
that shows provider text, after real data went through them (practice sandbox over loopback),
and fails on any label whose text holds the hostile markup without being plain.
"""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import Qt as GuiQt
from PySide6.QtWidgets import QApplication, QLabel

from app.core.deletion.plan import plan_deletion
from app.core.deletion.run import DeletionReport
from app.core.types import DeleteOutcome, DeleteStatus, Explanation, ListKind, SuppressionEntry
from app.sandbox.scenarios import SandboxRecord
from app.ui.delete.confirm_delete import ConfirmDeleteDialog
from app.ui.delete.delete_result import DeleteResultDialog
from tests.helpers.ui import SandboxFactory, fetch

MARK = "<b>太字</b><img src='x'>"
ADDRESS = f"{MARK}@example.jp"
REASON = f"550 5.1.1 {MARK} <a href='https://evil.example/'>再設定</a>"


def _rich_labels() -> list[str]:
    """Texts of labels that would render the hostile markup."""
    found = []
    for widget in QApplication.allWidgets():
        if not isinstance(widget, QLabel) or "<b>" not in widget.text():
            continue
        fmt = widget.textFormat()
        if fmt is Qt.TextFormat.PlainText:
            continue
        if fmt is Qt.TextFormat.AutoText and not GuiQt.mightBeRichText(widget.text()):
            continue
        found.append(widget.text()[:200])
    return found


@pytest.fixture
def sandbox_factory() -> SandboxFactory:
    now = int(time.time()) - 3600
    return SandboxFactory([SandboxRecord("bounces", ADDRESS, now, REASON, "5.1.1", "")])


def test_the_window_after_a_fetch_and_a_selection(qtbot, make_window) -> None:
    window = make_window()
    qtbot.waitUntil(lambda: window.list_page.has_grid)
    fetch(qtbot, window, lists=(ListKind.BOUNCES,))
    window.table.selectRow(0)
    QApplication.processEvents()
    assert ADDRESS in window.list_page.details.toPlainText()
    assert _rich_labels() == []


def test_the_deletion_dialogs(qtbot) -> None:
    entry = SuppressionEntry(ListKind.BOUNCES, ADDRESS, _created(), "5.1.1", REASON)
    explanation = Explanation("userunknown", "Invalid Address", True, MARK, MARK, MARK)
    confirm = ConfirmDeleteDialog(plan_deletion([(entry, explanation)]), practice=True)
    qtbot.addWidget(confirm)
    confirm.show()
    report = DeletionReport(
        1, (DeleteOutcome(ListKind.BOUNCES, ADDRESS, DeleteStatus.FAILED, MARK),), practice=True
    )
    result = DeleteResultDialog(report)
    qtbot.addWidget(result)
    result.show()
    QApplication.processEvents()
    assert _rich_labels() == []


def _created():
    from datetime import UTC, datetime

    return datetime(2026, 11, 3, tzinfo=UTC)


def test_the_walk_finds_a_label_that_guesses_the_format(qtbot) -> None:
    label = QLabel(ADDRESS)  # Qt.AutoText, as QLabel and QMessageBox start
    qtbot.addWidget(label)
    assert _rich_labels() == [ADDRESS]
