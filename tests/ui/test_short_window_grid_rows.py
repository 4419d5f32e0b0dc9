"""A short window (1024×600, or a 1366×768 laptop at 125 % scaling) with the delivery warning
shown: the grid keeps several rows in view, the details pane gives way first."""

from __future__ import annotations

from datetime import timedelta

from app.core.dates import today_jst
from tests.helpers.ui import fetch

SHORT = (1024, 560)  # 600 px minus a task bar


def _visible_rows(table) -> float:
    return table.viewport().height() / table.verticalHeader().defaultSectionSize()


def test_the_grid_keeps_rows_in_view_when_the_window_is_short(
    qtbot, make_window, sandbox_factory
) -> None:
    window = make_window()
    window.resize(*SHORT)
    fetch(qtbot, window, ["bounces", "blocks"])  # starts the practice server
    sandbox_factory.sandbox.set_bad_day(today_jst() - timedelta(days=3), delivered_ratio=0.5)
    fetch(qtbot, window)
    qtbot.waitUntil(window.delivery_alert.isVisible, timeout=8000)
    qtbot.wait(50)
    table = window.list_page.table
    details = window.list_page.details
    # Before the fix: the empty details pane kept 150 px and the grid showed 2½ rows.
    assert _visible_rows(table) >= 5, (table.viewport().height(), details.height())
    # The details pane still shows a few lines (scrolls for the rest).
    assert details.height() >= 3 * details.fontMetrics().lineSpacing()


def test_a_dragged_splitter_is_kept_when_the_window_is_tall(qtbot, make_window) -> None:
    window = make_window()
    window.resize(1280, 800)
    window.list_page.ensure_grid()
    qtbot.wait(20)
    splitter = window.list_page.splitter
    total = sum(splitter.sizes())
    splitter.setSizes([total - 300, 300])
    qtbot.wait(20)
    assert abs(splitter.sizes()[1] - 300) <= 2
