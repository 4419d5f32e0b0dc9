"""Several banners at once on a 1024×600 screen (練習モード, the unfinished-deletion notice, the
delivery warning): they turn compact so the grid keeps its rows, and nothing the operator needs
is out of reach; on a 1366×768 laptop they stay as they were."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import QPoint, Qt

from app.core.deletion.reconcile import ReconciledOperation, ReconcileSummary
from app.core.errors import TodokuError
from app.core.types import ListKind
from app.ui.history.fetch_work import GoneRow

SHORT = (1024, 560)  # a 1024×600 screen minus a task bar
LAPTOP = (1366, 728)  # a 1366×768 screen minus a task bar

NOTICE = ReconcileSummary(
    operations=(
        ReconciledOperation(
            operation_id=1,
            started_at=datetime(2026, 12, 1, tzinfo=UTC),
            total=120,
            recorded_ok=50,
            recorded_failed=3,
            gone=20,
            still_listed=40,
            unchecked=7,
        ),
    )
).notice_ja


def _visible_rows(table) -> float:
    return table.viewport().height() / table.verticalHeader().defaultSectionSize()


def _open(qtbot, make_window, size: tuple[int, int]):
    window = make_window()
    window.resize(*size)
    window.list_page.ensure_grid()
    qtbot.wait(50)
    return window


def _settle(qtbot) -> None:
    qtbot.wait(150)  # the banners are fitted once the layout has settled


def _wait_for_rows(qtbot, table, rows: float) -> None:
    """Wait (a loaded machine lays out slowly) until the grid shows ``rows``; fail with the
    rows it shows."""

    def shown() -> None:
        assert _visible_rows(table) >= rows, _visible_rows(table)

    qtbot.waitUntil(shown, timeout=3000)


def _reachable(window, widget) -> bool:
    corner = widget.mapTo(window, QPoint(widget.width() - 1, widget.height() - 1))
    return widget.isVisible() and window.rect().contains(corner)


def test_practice_and_the_unfinished_deletion_notice_leave_the_grid_five_rows(
    qtbot, make_window
) -> None:
    window = _open(qtbot, make_window, SHORT)
    window.controller.deletion.notice.emit(NOTICE)
    _settle(qtbot)
    table = window.list_page.table
    # Before: the notice's four lines and next step left the grid 3½ rows.
    _wait_for_rows(qtbot, table, 5)
    assert window.banner.isVisible(), "練習モード is never hidden"
    assert _reachable(window, window.banner.switch_button)
    panel = window.status_panel
    # Compact: the notice's first line, whole; 詳細 brings back the counts and the next step.
    assert panel.message_label.text() == NOTICE.split("\n")[0]
    assert not panel.next_step_label.isVisible()
    qtbot.mouseClick(panel.details_button, Qt.MouseButton.LeftButton)
    assert panel.message_label.text() == NOTICE
    assert panel.next_step_label.isVisible()


def test_three_banners_leave_the_grid_five_rows(qtbot, make_window) -> None:
    window = _open(qtbot, make_window, SHORT)
    window.controller.deletion.notice.emit(NOTICE)
    window.delivery_alert.update_days(3, 0.9)
    _settle(qtbot)
    table = window.list_page.table
    _wait_for_rows(qtbot, table, 5)  # before: 1.6 rows
    for button in (
        window.banner.switch_button,
        window.status_panel.details_button,
        window.status_panel.close_button,
        window.delivery_alert.show_button,
        window.delivery_alert.close_button,
    ):
        assert _reachable(window, button), button.text()
    # The details pane still shows a few lines.
    details = window.list_page.details
    assert details.height() >= 3 * details.fontMetrics().lineSpacing()


def test_an_error_with_the_delivery_warning_leaves_the_grid_five_rows(qtbot, make_window) -> None:
    window = _open(qtbot, make_window, SHORT)
    window.delivery_alert.update_days(3, 0.9)
    window.controller.fetch.failed.emit(
        TodokuError(
            "SendGrid に接続できませんでした。",
            next_step_ja="インターネット接続とプロキシの設定を確認してください。",
        )
    )
    _wait_for_rows(qtbot, window.list_page.table, 5)  # before: 2.95 rows


def test_the_gone_panel_with_the_delivery_warning_leaves_the_grid_five_rows(
    qtbot, make_window
) -> None:
    window = _open(qtbot, make_window, SHORT)
    noticed = datetime(2026, 12, 2, tzinfo=UTC)
    gone = tuple(
        GoneRow(ListKind.BOUNCES, f"user{n}@example.jp", "削除済み", noticed) for n in range(4)
    )
    window.controller.history.gone_changed.emit(gone)
    window.delivery_alert.update_days(3, 0.9)
    _wait_for_rows(qtbot, window.list_page.table, 5)  # before: 2.36 rows
    panel = window.history_part.gone_panel
    # Compact: its title line; 一覧 ▸ shows the addresses.
    assert not panel.tree.isVisible()
    assert _reachable(window, panel.rows_button)
    qtbot.mouseClick(panel.rows_button, Qt.MouseButton.LeftButton)
    assert panel.tree.isVisible()


def test_the_banners_grow_back_when_the_window_does(qtbot, make_window) -> None:
    window = _open(qtbot, make_window, SHORT)
    window.controller.deletion.notice.emit(NOTICE)
    window.delivery_alert.update_days(3, 0.9)
    _settle(qtbot)
    assert window.banners.compact
    window.resize(*LAPTOP)
    _settle(qtbot)
    assert not window.banners.compact
    assert window.status_panel.message_label.text() == NOTICE
    assert window.status_panel.next_step_label.isVisible()
    assert _visible_rows(window.list_page.table) >= 5


def test_a_1366x768_laptop_shows_the_banners_in_full(qtbot, make_window) -> None:
    window = _open(qtbot, make_window, LAPTOP)
    window.controller.deletion.notice.emit(NOTICE)
    window.delivery_alert.update_days(3, 0.9)
    _settle(qtbot)
    assert not window.banners.compact
    panel = window.status_panel
    assert panel.message_label.text() == NOTICE  # every line, no 詳細 needed
    assert panel.next_step_label.isVisible()
    assert window.banner.layout().contentsMargins().top() == 6  # the padding of before
    assert _visible_rows(window.list_page.table) >= 5
