"""Rows copied from the grid paste into a spreadsheet as text, never as formulas."""

from __future__ import annotations

import time

import pytest
from PySide6.QtWidgets import QApplication

from app.core.types import ListKind
from app.sandbox.scenarios import SandboxRecord
from tests.helpers.ui import SandboxFactory, fetch

FORMULA_REASON = '=HYPERLINK("http://evil.example/","詳しくはこちら")'


@pytest.fixture
def sandbox_factory() -> SandboxFactory:
    now = int(time.time()) - 3600
    return SandboxFactory(
        [
            SandboxRecord("bounces", "-2+3@example.com", now, FORMULA_REASON, "5.0.0", ""),
            SandboxRecord("bounces", "b@example.com", now - 60, " ＝1+1", "@SUM(1)", ""),
        ]
    )


def test_copied_rows_paste_into_a_spreadsheet_as_text(qtbot, make_window) -> None:
    """The copy is tab-separated for pasting into Excel, which reads each pasted cell as if it
    were typed: a reason, status or address starting with = + - @ (or a full-width ＝, or after
    blanks) became a live formula (a link, a DDE call) in the operator's sheet. Cells are
    guarded as the CSV export guards them, with a leading apostrophe."""
    window = make_window()
    qtbot.waitUntil(lambda: window.list_page.has_grid)
    fetch(qtbot, window, lists=(ListKind.BOUNCES,))
    window.table.selectAll()
    window.list_page.copy_selection()
    rows = [line.split("\t") for line in QApplication.clipboard().text().split("\r\n")[1:-1]]
    assert len(rows) == 2
    cells = [cell for row in rows for cell in row]
    assert "'" + FORMULA_REASON in cells
    assert "'-2+3@example.com" in cells
    assert "' ＝1+1" in cells and "'@SUM(1)" in cells
    triggers = ("=", "+", "-", "@", "＝")
    risky = [c for c in cells if c[:1] in triggers or c.lstrip()[:1] in triggers]
    assert not risky, risky
