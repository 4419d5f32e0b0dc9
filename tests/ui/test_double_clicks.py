"""A double click where a single one was meant: 全件再取得, 取得, 削除 and 書き出し each act once.

Found: キャンセル takes 全件再取得's place while the fetch runs, and the double click's second
half (a lone double-click event, Qt's rule for a widget that appears under the mouse) pressed
it: the full re-fetch was cancelled the moment it started."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication

from app.ui.export.options_dialog import ExportChoice
from tests.helpers.ui import (
    FETCH_TIMEOUT_MS,
    SandboxFactory,
    check_rows,
    fetch,
    recent_records,
)


def double_click_in_place(qtbot, button, meanwhile=None) -> None:
    """Click ``button``, let the window lay itself out (and ``meanwhile`` happen), then deliver
    the rest of a double click to whatever widget is now at the same spot, as Qt does: the
    double-click event, then the release."""
    parent = button.parentWidget()
    spot = button.geometry().center()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.wait(30)  # the layout swaps the buttons
    if meanwhile is not None:
        meanwhile()
    target = parent.childAt(spot) or parent
    local = QPointF(target.mapFrom(parent, spot))
    global_pos = QPointF(target.mapToGlobal(QPoint(int(local.x()), int(local.y()))))
    left, none = Qt.MouseButton.LeftButton, Qt.MouseButton.NoButton
    no_mods = Qt.KeyboardModifier.NoModifier
    for kind, buttons in (
        (QEvent.Type.MouseButtonDblClick, left),
        (QEvent.Type.MouseButtonRelease, none),
    ):
        event = QMouseEvent(kind, local, global_pos, left, buttons, no_mods)
        QApplication.sendEvent(target, event)


def test_a_double_click_on_full_fetch_does_not_cancel_it(qtbot, make_window) -> None:
    # Every answer takes 200 ms: the fetch is surely still running when the second half of the
    # double click comes (a warmed-up practice server could answer within the 30 ms between).
    window = make_window(sandbox_factory=SandboxFactory(recent_records(300), latency_ms=200))
    cancelled: list[str] = []
    window.controller.fetch.done.connect(cancelled.append)
    double_click_in_place(qtbot, window.range_bar.full_fetch_button)
    assert window.controller.fetch.is_running()
    assert not window.controller.fetch.job.cancel.cancelled
    qtbot.waitUntil(lambda: not window.controller.fetch.is_running(), timeout=FETCH_TIMEOUT_MS)
    assert window.controller.fetch.incomplete is None  # the whole range came in
    assert window.model.total > 0


def test_a_double_click_on_fetch_starts_one_fetch(qtbot, make_window) -> None:
    window = make_window()
    runs: list[bool] = []
    window.controller.fetch.running.connect(runs.append)
    fetching = window.controller.fetch

    def fetched() -> None:  # a small practice fetch ends before the second click
        qtbot.waitUntil(lambda: not fetching.is_running(), timeout=FETCH_TIMEOUT_MS)

    double_click_in_place(qtbot, window.range_bar.fetch_button, meanwhile=fetched)
    qtbot.wait(50)
    assert runs == [True, False]
    assert window.controller.fetch.incomplete is None


def test_a_double_click_on_delete_deletes_once(qtbot, make_window, journal) -> None:
    from tests.ui.test_window_delete import Confirmer, ResultRunner

    confirm = Confirmer()
    window = make_window(journal=journal, confirm=confirm, show_delete_result=ResultRunner(qtbot))
    fetch(qtbot, window)
    qtbot.waitUntil(lambda: window.controller.deletion.journal is not None, timeout=5000)
    check_rows(window, [0, 1])
    for _ in range(2):  # two presses in a row, as fast as the operator can
        qtbot.mouseClick(window.list_page.delete_bar.delete_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.controller.is_busy(), timeout=FETCH_TIMEOUT_MS)
    assert len(confirm.calls) == 1
    assert len(journal.list_operations()) == 1


def test_a_double_click_on_export_writes_once(qtbot, make_window, tmp_path) -> None:
    asked: list[object] = []

    def run_dialog(dialog):
        asked.append(dialog)
        return ExportChoice(path=tmp_path / f"out{len(asked)}.csv", scope="all", fmt="csv")

    window = make_window(run_export_dialog=run_dialog)
    fetch(qtbot, window)
    for _ in range(2):
        qtbot.mouseClick(window.list_page.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.controller.is_busy(), timeout=FETCH_TIMEOUT_MS)
    assert len(asked) == 1
    assert sorted(p.name for p in tmp_path.glob("out*.csv")) == ["out1.csv"]
