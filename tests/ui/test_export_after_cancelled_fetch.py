"""書き出し after a fetch that was cancelled half-way: the grid holds only the first pages, yet
the workbook's 条件 sheet names the whole range and 「取得したすべての行」, with nothing saying
the list is incomplete. Sent on or filed, it reads as the full suppression list of the range."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook
from PySide6.QtCore import Qt

from app.ui import texts
from tests.helpers.ui import FETCH_TIMEOUT_MS, SandboxFactory, recent_records
from tests.ui.test_window_export import DialogRunner, run_export


def conditions(path: Path) -> list[tuple]:
    workbook = load_workbook(path, read_only=True)
    try:
        return list(workbook["条件"].iter_rows(values_only=True))
    finally:
        workbook.close()


def test_an_export_of_a_cancelled_fetch_says_the_rows_are_incomplete(
    qtbot, make_window, tmp_path: Path
) -> None:
    factory = SandboxFactory(recent_records(20_000), latency_ms=100)
    target = tmp_path / "list.xlsx"
    window = make_window(
        sandbox_factory=factory, run_export_dialog=DialogRunner(qtbot, path=target)
    )
    qtbot.mouseClick(window.range_bar.fetch_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.model.total > 0, timeout=FETCH_TIMEOUT_MS)
    qtbot.mouseClick(window.range_bar.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.controller.fetch.is_running(), timeout=FETCH_TIMEOUT_MS)
    shown = window.model.total  # the first pages only: the job was really cancelled
    assert window.range_bar.progress_label.text() == texts.FETCH_CANCELLED.format(entries=shown)

    run_export(qtbot, window)

    sheet = conditions(target)
    cells = [str(cell) for row in sheet for cell in row if cell is not None]
    # Found: 期間 (the whole range), 出力範囲 「取得したすべての行」 and 行数, and not a word
    # about the fetch having been cancelled after the first pages.
    assert any(word in cell for cell in cells for word in ("キャンセル", "途中", "一部")), sheet
