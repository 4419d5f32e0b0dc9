"""Hostile bounce reasons in the real window (practice sandbox over loopback)."""

from __future__ import annotations

import time

import pytest
from PySide6.QtWidgets import QApplication

from app.core.types import ListKind
from app.sandbox.scenarios import SandboxRecord
from app.ui.models.entry_columns import Column
from tests.helpers.ui import SandboxFactory, fetch

# One unbroken 1 MB line, as a broken or hostile server may send.
HUGE_REASON = "550 " + "x" * 1_000_000
LONG_REASON = (
    "550 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using Spamhaus. To request "
    "removal from this list see https://www.spamhaus.org/query/ip/192.0.2.1 AS(1450) "
    "[TYCPR01MB1234.jpnprd01.prod.outlook.com 2026-12-07T05:00:00.000Z 08DC1234567890AB] "
    "Additional diagnostic text\r\nfrom the remote MTA\tfollows here so that the whole reply is "
    "longer than three hundred characters END-OF-REASON"
)


@pytest.fixture
def sandbox_factory() -> SandboxFactory:
    now = int(time.time()) - 3600
    return SandboxFactory(
        [
            SandboxRecord("bounces", "huge@example.com", now, HUGE_REASON, "5.0.0", ""),
            SandboxRecord("bounces", "long@example.com", now - 60, LONG_REASON, "5.7.1", ""),
        ]
    )


def _row_of(window, email: str) -> int:
    model = window.model
    return next(r for r in range(model.rowCount()) if model.entry_at(r).email == email)


def test_selecting_a_row_with_a_1mb_reason_shows_only_a_bounded_head(qtbot, make_window) -> None:
    window = make_window()
    qtbot.waitUntil(lambda: window.list_page.has_grid)
    fetch(qtbot, window, lists=(ListKind.BOUNCES,))
    row = _row_of(window, "huge@example.com")
    window.table.setCurrentIndex(window.model.index(row, 1))  # what a click or arrow key does
    QApplication.processEvents()
    # Judged by what the pane hands Qt, not by seconds: before the fix the whole line went in,
    # and QPlainTextEdit wrapped one unbroken 1 MB line glyph by glyph on the GUI thread (~18 s
    # at the default 1280 px window, minutes in a narrower pane).
    details = window.list_page.details
    shown = details.toPlainText()
    assert "550 xxxx" in shown and len(shown) < 20_000
    assert details.document().characterCount() < 20_000
    assert max(len(line) for line in shown.splitlines()) <= 5_100  # the head and an ellipsis
    # A bounded head, in plain text, and a note that says how much was cut and where it is.
    assert "全 1,000,004 文字のうち先頭 5,000 文字" in shown and "コピー" in shown


def test_copying_a_row_keeps_the_whole_bounce_reason(qtbot, make_window) -> None:
    window = make_window()
    qtbot.waitUntil(lambda: window.list_page.has_grid)
    fetch(qtbot, window, lists=(ListKind.BOUNCES,))
    row = _row_of(window, "long@example.com")
    window.table.selectRow(row)
    window.list_page.copy_selection()
    copied = QApplication.clipboard().text()
    # The 理由 cell is cut at 300 characters with "…"; the copy used to be cut the same way, so
    # the tail never reached the ticket or spreadsheet the operator pastes it into.
    assert "END-OF-REASON" in copied, copied[-200:]
    # Its line break and tab are flattened: still one TSV row with one cell per column.
    lines = copied.split("\r\n")
    assert len(lines) == 3 and lines[2] == "", lines  # header, the row, the final line end
    cells = lines[1].split("\t")
    assert len(cells) == len(Column) - 1
    assert LONG_REASON.replace("\r\n", "  ").replace("\t", " ") in cells
