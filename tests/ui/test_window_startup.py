"""What the window leaves until just after its first paint: building the grid, opening the
deletion journal (and reconciling), building the 配信状況 charts — and what the operator sees if
the journal cannot be opened then, or uses the grid before it was built."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableView

from app.core.storage.journal import JournalError
from app.core.types import ListKind
from app.ui import texts
from app.ui.fetch.list_page import DEFAULT_WIDTHS
from app.ui.models import entry_table
from app.ui.models.entry_table import Column
from app.ui.safe_text import plain_label
from tests.helpers.ui import check_rows, fetch


def test_journal_and_delivery_charts_wait_for_the_first_paint(
    qtbot, make_window, tmp_path: Path
) -> None:
    path = tmp_path / "data" / "journal.sqlite3"
    window = make_window(journal_path=path)
    deletion = window.controller.deletion
    # Built and shown, not yet painted: nothing opened, but deleting already looks available.
    assert deletion.journal is None and not path.exists()
    assert not window.delivery_tab.has_view
    assert deletion.available and window.list_page.delete_bar.history_button.isEnabled()
    qtbot.waitUntil(lambda: deletion.journal is not None and window.delivery_tab.has_view)
    assert path.is_file()
    assert window.delivery_view.threshold == window.controller.settings.delivery_threshold
    assert not window.status_panel.isVisible()
    fetch(qtbot, window, lists=(ListKind.BOUNCES,))
    check_rows(window, [0])
    assert window.list_page.delete_bar.delete_button.isEnabled()


def test_a_journal_that_cannot_be_opened_is_shown_and_disables_deleting(
    qtbot, make_window, tmp_path: Path
) -> None:
    blocked = tmp_path / "data" / "journal.sqlite3"
    blocked.mkdir(parents=True)  # a folder where the file should be: SQLite cannot open it
    window = make_window(journal_path=blocked)
    qtbot.waitUntil(window.status_panel.isVisible)
    assert isinstance(window.status_panel.error, JournalError)
    assert not window.controller.deletion.available
    assert not window.window_actions.history_action.isEnabled()
    assert not window.list_page.delete_bar.history_button.isEnabled()
    fetch(qtbot, window, lists=(ListKind.BOUNCES,))
    check_rows(window, [0])
    assert not window.list_page.delete_bar.delete_button.isEnabled()
    assert window.list_page.delete_bar.delete_button.toolTip() == texts.DELETE_NO_JOURNAL


def test_delivery_tab_opened_before_the_post_paint_build_shows_its_charts(
    qtbot, make_window
) -> None:
    window = make_window()
    window.tabs.setCurrentWidget(window.delivery_tab)  # may come before the post-paint build
    assert window.delivery_tab.has_view
    qtbot.waitUntil(lambda: window.delivery_view.isVisible())


def test_grid_is_built_after_the_first_paint_in_its_placeholders_place(qtbot, make_window) -> None:
    window = make_window()
    page = window.list_page
    assert not page.has_grid
    assert not isinstance(window.list_page.splitter.widget(0), QTableView)
    sizes = window.list_page.splitter.sizes()  # laid out when shown
    assert sizes[0] > 0
    qtbot.waitUntil(lambda: page.has_grid)
    table = window.table
    assert window.list_page.splitter.count() == 2 and window.list_page.splitter.widget(0) is table
    qtbot.wait(20)  # a layout pass after the swap must not move the splitter
    assert window.list_page.splitter.sizes() == sizes
    header = table.horizontalHeader()
    assert header.sectionSize(Column.EMAIL) == DEFAULT_WIDTHS[Column.EMAIL]
    assert table.model() is window.model
    assert window.list_page.copy_action in table.actions()
    assert window.list_page.delete_action in table.actions()
    assert (
        window.list_page.copy_action.shortcutContext()
        == Qt.ShortcutContext.WidgetWithChildrenShortcut
    )


def test_using_the_grid_before_the_post_paint_build_builds_it_at_once(qtbot, make_window) -> None:
    window = make_window()
    assert not window.list_page.has_grid
    window.table.horizontalHeader().sortIndicatorChanged.emit(  # as a header click does
        Column.EMAIL, Qt.SortOrder.DescendingOrder
    )
    assert window.list_page.has_grid
    fetch(qtbot, window, lists=(ListKind.BOUNCES,))
    assert window.table.model().rowCount() == window.model.total > 0
    window.table.selectRow(0)
    assert window.model.entry_at(0).email in window.list_page.details.toPlainText()


def test_column_widths_are_restored_when_the_grid_is_built(qtbot, make_window) -> None:
    first = make_window()
    first.table.horizontalHeader().resizeSection(Column.EMAIL, 333)
    first.save_state()
    second = make_window()
    qtbot.waitUntil(lambda: second.list_page.has_grid)
    assert second.table.horizontalHeader().sectionSize(Column.EMAIL) == 333


def test_a_window_closed_before_its_grid_was_built_keeps_the_saved_widths(make_window) -> None:
    first = make_window()
    first.table.horizontalHeader().resizeSection(Column.EMAIL, 333)
    first.save_state()
    second = make_window()
    second.save_state()  # no grid yet: nothing to save for it
    third = make_window()
    assert third.table.horizontalHeader().sectionSize(Column.EMAIL) == 333


def test_constants_set_without_importing_qt_match_qts_own_values(qtbot) -> None:
    role = Qt.ItemDataRole
    assert role.UserRole + 1 == entry_table.ENTRY_ROLE
    assert role.UserRole + 3 == entry_table.SORT_ROLE
    for name, qt_role in (
        ("_DISPLAY", role.DisplayRole),
        ("_EDIT", role.EditRole),
        ("_TOOLTIP", role.ToolTipRole),
        ("_CHECK_STATE", role.CheckStateRole),
    ):
        assert getattr(entry_table, name) == qt_role, name
    label = plain_label("<b>bold?</b>")
    qtbot.addWidget(label)
    assert label.textFormat() == Qt.TextFormat.PlainText
