"""While a fetch, a deletion, an export or 「このアドレスの記録を消す」 holds the runner's lane,
nothing that changes the connection (account, provider, practice/live, settings) or starts
another such job can be used; everything comes back when the job ends, is cancelled or fails.

Found: アカウント › アカウントの管理… and 履歴 › 全件再取得 stayed enabled during a fetch, and
during 「このアドレスの記録を消す」 the whole window stayed enabled (that job was not wired to the
window's busy state)."""

from __future__ import annotations

from PySide6.QtCore import Qt

from app.ui.export.options_dialog import ExportChoice
from tests.helpers.ui import FETCH_TIMEOUT_MS, check_rows, fetch


def connection_controls(window) -> dict[str, bool]:
    """Each control that changes where jobs connect, or starts a lane job: enabled?"""
    return {
        "account chooser": window.account_bar.combo.isEnabled(),
        "管理…": window.account_bar.manage_button.isEnabled(),
        "アカウントの管理…": window.manage_accounts_action.isEnabled(),
        "練習/本番 (menu)": window.window_actions.mode_action.isEnabled(),
        "練習/本番 (banner)": window.banner.switch_button.isEnabled(),
        "設定": window.window_actions.settings_action.isEnabled(),
        "共有データベース": window.team_action.isEnabled(),
        "全件再取得": window.history_part.full_fetch_action.isEnabled(),
        "書き出し": window.window_actions.export_action.isEnabled(),
        "削除": window.list_page.delete_bar.delete_button.isEnabled(),
    }


def assert_all(window, enabled: bool, skip: tuple[str, ...] = ()) -> None:
    states = {k: v for k, v in connection_controls(window).items() if k not in skip}
    wrong = [name for name, state in states.items() if state is not enabled]
    assert not wrong, f"{'disabled' if enabled else 'enabled'}: {wrong}"


def test_a_fetch_locks_the_account_menu_until_it_ends(qtbot, make_window, journal) -> None:
    window = make_window(journal=journal)
    fetch(qtbot, window)
    check_rows(window, [0])
    assert_all(window, True)

    qtbot.mouseClick(window.range_bar.fetch_button, Qt.MouseButton.LeftButton)
    assert window.controller.fetch.is_running()
    assert_all(window, False)
    qtbot.waitUntil(lambda: not window.controller.fetch.is_running(), timeout=FETCH_TIMEOUT_MS)
    check_rows(window, [0])
    assert_all(window, True)


def test_the_account_menu_comes_back_after_cancel_and_after_an_error(
    qtbot, make_window, sandbox_factory
) -> None:
    window = make_window()
    qtbot.mouseClick(window.range_bar.fetch_button, Qt.MouseButton.LeftButton)
    assert_all(window, False)
    qtbot.mouseClick(window.range_bar.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.controller.fetch.is_running(), timeout=FETCH_TIMEOUT_MS)
    assert_all(window, True, skip=("書き出し", "削除"))  # maybe no rows came in

    sandbox_factory.sandbox.stop()  # the next fetch fails
    with qtbot.waitSignal(window.controller.fetch.failed, timeout=FETCH_TIMEOUT_MS):
        qtbot.mouseClick(window.range_bar.fetch_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.controller.fetch.is_running(), timeout=FETCH_TIMEOUT_MS)
    assert_all(window, True, skip=("書き出し", "削除"))


def test_a_deletion_and_an_export_lock_the_account_menu(qtbot, make_window, journal, tmp_path):
    from tests.ui.test_window_delete import Confirmer, ResultRunner

    window = make_window(
        journal=journal, confirm=Confirmer(), show_delete_result=ResultRunner(qtbot)
    )
    fetch(qtbot, window)
    qtbot.waitUntil(lambda: window.controller.deletion.journal is not None, timeout=5000)
    check_rows(window, [0, 1])
    window.list_page.delete_bar.delete_button.click()
    assert window.controller.deletion.is_running()
    assert_all(window, False)
    qtbot.waitUntil(lambda: not window.controller.is_busy(), timeout=FETCH_TIMEOUT_MS)
    assert_all(window, True, skip=("削除",))  # nothing is checked any more

    choice = ExportChoice(path=tmp_path / "out.csv", scope="all", fmt="csv")
    bar = window.range_bar
    assert window.controller.export.start(
        choice, date_range=bar.date_range(), lists=bar.chosen_lists(), filter_description=""
    )
    assert_all(window, False, skip=("削除",))
    qtbot.waitUntil(lambda: not window.controller.is_busy(), timeout=FETCH_TIMEOUT_MS)
    assert_all(window, True, skip=("削除",))


def test_erasing_an_address_from_history_locks_the_window_too(qtbot, make_window, tmp_path) -> None:
    window = make_window(history_path=tmp_path / "data" / "history.sqlite3")
    fetch(qtbot, window)
    email = window.model.entry_at(0).email
    history = window.controller.history
    assert history.erase(email)
    assert window.controller.is_busy()
    assert_all(window, False, skip=("削除",))
    assert not window.range_bar.fetch_button.isVisible()  # キャンセル instead
    qtbot.waitUntil(lambda: not window.controller.is_busy(), timeout=FETCH_TIMEOUT_MS)
    assert_all(window, True, skip=("削除",))
