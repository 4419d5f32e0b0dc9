"""The deletion dialogs list addresses from the provider: one address, one line, bounded.

An address is at most 254 characters, but a broken or hostile server may send anything. The
confirmation listed each address as it came: one holding a line break showed as two addresses
("victim@example.jp" and "other@example.jp") in the list of what will be deleted, and the
result's tab-separated listing carried a megabyte cell (1.3 s and 2.0 s of the GUI thread to
show the two dialogs with a one-megabyte address, growing with it). The tests bound the longest
line each dialog hands Qt, the cause of those seconds, rather than the seconds.
"""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtWidgets import QApplication, QPlainTextEdit

from app.core.deletion.plan import plan_deletion
from app.core.deletion.run import DeletionReport
from app.core.types import DeleteOutcome, DeleteStatus, Explanation, ListKind, SuppressionEntry
from app.ui.delete.confirm_delete import ConfirmDeleteDialog
from app.ui.delete.delete_result import DeleteResultDialog
from tests.helpers.ui import longest_line_handed_to_qt

CREATED = datetime(2026, 11, 3, tzinfo=UTC)
HUGE = "a" * 1_000_000 + "@example.jp"
TWO_LINES = "victim@example.jp\nother@example.jp"
EXPLANATION = Explanation("userunknown", "Invalid Address", True, "宛先不明", "", "")


def _shown(qtbot, dialog) -> None:
    """Show ``dialog`` and paint its panes, after checking what it hands Qt: painted first, a
    megabyte line takes seconds to minutes."""
    qtbot.addWidget(dialog)
    longest = longest_line_handed_to_qt(dialog)
    assert longest < 1_000, f"{type(dialog).__name__} lays out a line of {longest:,} characters"
    dialog.show()
    QApplication.processEvents()
    for pane in dialog.findChildren(QPlainTextEdit):
        pane.viewport().repaint()


def _entry(email: str) -> tuple[SuppressionEntry, Explanation]:
    return SuppressionEntry(ListKind.BOUNCES, email, CREATED, "5.1.1", "x"), EXPLANATION


def test_the_confirmation_lists_each_address_on_one_bounded_line(qtbot) -> None:
    plan = plan_deletion([_entry(HUGE), _entry(TWO_LINES)])
    dialog = ConfirmDeleteDialog(plan, practice=True)
    _shown(qtbot, dialog)
    lines = dialog.addresses.toPlainText().splitlines()
    assert "other@example.jp" not in lines  # the second half of one address is no address
    assert max(len(line) for line in lines) < 1_000


def test_the_result_lists_each_address_on_one_bounded_line(qtbot) -> None:
    failed = tuple(
        DeleteOutcome(ListKind.BOUNCES, email, DeleteStatus.FAILED, "失敗しました")
        for email in (HUGE, TWO_LINES)
    )
    dialog = DeleteResultDialog(DeletionReport(1, failed, practice=True))
    _shown(qtbot, dialog)
    assert dialog.failures is not None
    lines = dialog.failures.toPlainText().splitlines()
    assert len(lines) == 2 and max(len(line) for line in lines) < 1_000
