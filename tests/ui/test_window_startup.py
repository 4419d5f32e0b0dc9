"""What the window leaves until just after its first paint: opening the deletion journal (and
reconciling), building the 配信状況 charts — and what the operator sees if the journal cannot
be opened then."""

from __future__ import annotations

from pathlib import Path

from app.core.storage.journal import JournalError
from app.core.types import ListKind
from app.ui import texts
from tests.ui.test_main_window import fetch
from tests.ui.test_window_delete import check_rows


def test_journal_and_delivery_charts_wait_for_the_first_paint(
    qtbot, make_window, tmp_path: Path
) -> None:
    path = tmp_path / "data" / "journal.sqlite3"
    window = make_window(journal_path=path)
    deletion = window.controller.deletion
    # Built and shown, not yet painted: nothing opened, but deleting already looks available.
    assert deletion.journal is None and not path.exists()
    assert not window.delivery_tab.has_view
    assert deletion.available and window.delete_bar.history_button.isEnabled()
    qtbot.waitUntil(lambda: deletion.journal is not None and window.delivery_tab.has_view)
    assert path.is_file()
    assert window.delivery_view.threshold == window.controller.settings.delivery_threshold
    assert not window.status_panel.isVisible()
    fetch(qtbot, window, lists=(ListKind.BOUNCES,))
    check_rows(window, [0])
    assert window.delete_bar.delete_button.isEnabled()


def test_a_journal_that_cannot_be_opened_is_shown_and_disables_deleting(
    qtbot, make_window, tmp_path: Path
) -> None:
    blocked = tmp_path / "data" / "journal.sqlite3"
    blocked.mkdir(parents=True)  # a folder where the file should be: SQLite cannot open it
    window = make_window(journal_path=blocked)
    qtbot.waitUntil(window.status_panel.isVisible)
    assert isinstance(window.status_panel.error, JournalError)
    assert not window.controller.deletion.available
    assert not window.history_action.isEnabled()
    assert not window.delete_bar.history_button.isEnabled()
    fetch(qtbot, window, lists=(ListKind.BOUNCES,))
    check_rows(window, [0])
    assert not window.delete_bar.delete_button.isEnabled()
    assert window.delete_bar.delete_button.toolTip() == texts.DELETE_NO_JOURNAL


def test_delivery_tab_opened_before_the_post_paint_build_shows_its_charts(
    qtbot, make_window
) -> None:
    window = make_window()
    window.tabs.setCurrentWidget(window.delivery_tab)  # may come before the post-paint build
    assert window.delivery_tab.has_view
    qtbot.waitUntil(lambda: window.delivery_view.isVisible())
