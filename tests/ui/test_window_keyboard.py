"""The main window from the keyboard: where the focus starts and where Tab goes."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from tests.helpers.ui import fetch


def focus_chain(start: QWidget) -> list[QWidget]:
    chain, widget = [start], start.nextInFocusChain()
    while widget is not start and len(chain) < 2000:
        chain.append(widget)
        widget = widget.nextInFocusChain()
    return chain


def test_focus_starts_on_fetch_and_tab_reaches_the_grid_in_reading_order(
    qtbot, make_window
) -> None:
    window = make_window()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: window.list_page.has_grid and window.controller.later_built)
    # Not the banner's 本番のアカウントに切り替える (the first widget made): Enter fetches.
    assert window.focusWidget() is window.range_bar.fetch_button
    page, bar = window.list_page, window.list_page.delete_bar
    added = bar._added  # 連絡文を作成, Zendesk チケットを作成 (other features' buttons)
    assert added
    chain = focus_chain(page.filter_edit)
    order = [
        page.filter_edit,
        page.export_button,
        bar.check_shown_button,
        bar.uncheck_button,
        *added,
        bar.history_button,
        bar.delete_button,
        page.table,
        page.details,
    ]
    positions = [chain.index(widget) for widget in order]
    assert positions == sorted(positions), [type(w).__name__ for w in order]
    # Nothing that takes the focus between 削除 and the grid, or the grid and its details.
    between = chain[chain.index(bar.delete_button) + 1 : chain.index(page.details)]
    assert [w for w in between if w.focusPolicy() & Qt.FocusPolicy.TabFocus] == [page.table]
    # In the grid the arrows move between cells; Tab leaves it (no keyboard trap).
    assert not page.table.tabKeyNavigation()


def test_tab_leaves_the_grid(qtbot, make_window) -> None:
    window = make_window()
    qtbot.waitExposed(window)
    fetch(qtbot, window)
    table = window.table
    window.activateWindow()
    table.setFocus()
    table.selectRow(0)
    qtbot.keyClick(table, Qt.Key.Key_Tab)
    assert not table.hasFocus()
