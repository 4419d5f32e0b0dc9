"""Ticking rows while a fetch streams in (the check boxes are live, and the delete button counts
the ticks: 「チェックした 3 件を削除…」). With the fetch history on, as in the app, the streamed
rows are replaced by the whole range when the fetch ends, and every tick is silently dropped;
without history the same ticks survive."""

from __future__ import annotations

from PySide6.QtCore import Qt

from app.ui.models.entry_table import ENTRY_ROLE, Column
from tests.helpers.ui import FETCH_TIMEOUT_MS, SandboxFactory, check_rows, recent_records


def test_ticks_made_while_a_history_fetch_streams_survive_its_end(
    qtbot, make_window, tmp_path
) -> None:
    factory = SandboxFactory(recent_records(20_000), latency_ms=40)
    window = make_window(
        sandbox_factory=factory, history_path=tmp_path / "data" / "history.sqlite3"
    )
    qtbot.mouseClick(window.range_bar.fetch_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.model.rowCount() > 50, timeout=FETCH_TIMEOUT_MS)
    assert window.controller.fetch.is_running()
    ticked = {entry.key for entry in check_rows(window, [0, 1, 2])}
    assert window.model.checked_count == 3

    qtbot.waitUntil(lambda: not window.controller.fetch.is_running(), timeout=FETCH_TIMEOUT_MS)

    model = window.model
    still = {
        model.index(row, 0).data(ENTRY_ROLE).key
        for row in range(model.rowCount())
        if model.index(row, Column.CHECK).data(Qt.ItemDataRole.CheckStateRole)
        == Qt.CheckState.Checked
    }
    # Found: checked_count 0 — FetchController.on_succeeded (history result) clears the model
    # and appends the whole range, dropping the check states.
    assert model.checked_count == 3
    assert still == ticked
