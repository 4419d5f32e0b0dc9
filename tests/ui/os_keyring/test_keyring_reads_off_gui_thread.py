"""Every keyring read an operator's click causes runs in a job, not on the GUI thread: going live
(練習モード → 本番), 接続テスト, switching to another provider's account, アカウントの管理, 削除
and 推移. A slow keyring (the Secret Service waiting for its unlock prompt, D-Bus giving up after
25 s) held the event loop for as long as it took; a locked one is named in Japanese.

Each test holds the keyring's reads until the GUI thread's event loop has run while they were in
flight (tests/helpers/os_keyring.py): a read made on the GUI thread, or one the GUI thread waits
for, fails the test however fast or busy the machine is."""

from __future__ import annotations

from datetime import timedelta

from app.core.accounts import Account, ProviderName
from app.core.storage.secrets import SENDGRID_KEY
from app.ui import texts as shell_texts
from app.ui.accounts import account_texts
from tests.helpers.ui import FETCH_TIMEOUT_MS, TEST_KEY, check_rows, fetch

CMC_SECRETS = {"api_user": "cmc-user-secret-0002", "api_key": "cmc-key-secret-0003"}


def add_cmc_account(window) -> Account:
    account = Account(name="CMC本番", provider=ProviderName.CMC, server_composition="sv-practice")
    window.controller.accounts.save_account(account, CMC_SECRETS)
    return account


def test_going_live_reads_the_keyring_in_a_job(
    qtbot, make_window, secrets, os_keyring, live_sandbox
) -> None:
    secrets.set(SENDGRID_KEY, TEST_KEY)
    window = make_window(live_base_url=live_sandbox.base_url)
    connection = window.controller.connection
    assert connection.practice
    os_keyring.hold_reads = True

    window.banner.switch_button.click()
    qtbot.waitUntil(lambda: not connection.practice, timeout=5000)
    # Found: ~1.5 s: set_practice → live_problem → missing_fields → keyring, on the GUI thread.
    os_keyring.assert_gui_ran_during_held_calls()
    qtbot.waitUntil(lambda: not window.controller.runner.active_jobs, timeout=5000)


def test_going_live_with_a_locked_keyring_says_so_in_the_window(
    qtbot, make_window, secrets, os_keyring
) -> None:
    secrets.set(SENDGRID_KEY, TEST_KEY)
    window = make_window()
    os_keyring.locked = True
    window.banner.switch_button.click()
    qtbot.waitUntil(lambda: window.status_panel.isVisible(), timeout=5000)
    assert "ロック" in window.status_panel.message_label.text()
    assert window.controller.connection.practice
    qtbot.waitUntil(lambda: not window.controller.is_busy(), timeout=5000)
    assert window.banner.switch_button.isEnabled()  # and the switch can be tried again
    # Found once the read moved to a job: 「保存済みの API キーを読み込んでいます…」 stayed.
    assert window.range_bar.progress_label.text() != shell_texts.READING_KEY


def test_the_connection_test_reads_the_saved_key_in_its_job(
    qtbot, make_window, secrets, os_keyring, live_sandbox
) -> None:
    secrets.set(SENDGRID_KEY, TEST_KEY)
    window = make_window(live_base_url=live_sandbox.base_url)
    connection = window.controller.connection
    results: list = []
    connection.connection_tested.connect(results.append)
    os_keyring.hold_reads = True

    connection.test("", "global", "")
    qtbot.waitUntil(lambda: bool(results), timeout=5000)
    os_keyring.assert_gui_ran_during_held_calls()
    assert isinstance(results[0], tuple) and results[0]  # the lists it may read and delete

    os_keyring.hold_reads, os_keyring.locked = False, True
    connection.test("", "global", "")
    qtbot.waitUntil(lambda: len(results) == 2, timeout=5000)
    assert "ロック" in results[1].message_ja


def test_switching_to_another_account_while_live_reads_its_credentials_in_a_job(
    qtbot, make_window, secrets, os_keyring, live_sandbox
) -> None:
    secrets.set(SENDGRID_KEY, TEST_KEY)
    window = make_window(live_base_url=live_sandbox.base_url)
    accounts = window.controller.accounts
    account = add_cmc_account(window)
    assert window.controller.connection.set_practice(False)
    os_keyring.hold_reads = True

    window.account_bar.switch_requested.emit(account.name)
    qtbot.waitUntil(lambda: accounts.current.name == account.name, timeout=5000)
    # Found: ~3 s: AccountsController.switch → live_problem → two keyring reads.
    os_keyring.assert_gui_ran_during_held_calls(at_least=2)
    assert not window.controller.connection.practice  # its credentials are saved: still live
    assert window.account_bar.current_name() == account.name


def test_the_accounts_window_reads_which_credentials_are_saved_in_a_job(
    qtbot, make_window, secrets, os_keyring
) -> None:
    secrets.set(SENDGRID_KEY, TEST_KEY)
    window = make_window()
    add_cmc_account(window)
    shown: list = []
    window.accounts_flow.run_manage = lambda dialog: shown.append(
        [dialog.list.item(i).text() for i in range(dialog.list.count())]
    )
    os_keyring.hold_reads = True

    window.manage_accounts_action.trigger()
    qtbot.waitUntil(lambda: bool(shown), timeout=5000)
    # Three secrets: the default key and CMC's two.
    os_keyring.assert_gui_ran_during_held_calls(at_least=3)
    assert len(shown[0]) == 2
    assert all(account_texts.SAVED_MARK in text for text in shown[0]), shown


def test_deleting_on_a_live_account_reads_the_key_in_a_job(
    qtbot, make_window, secrets, os_keyring, live_sandbox, journal
) -> None:
    from tests.ui.test_window_delete import Confirmer, ResultRunner

    secrets.set(SENDGRID_KEY, TEST_KEY)
    confirm = Confirmer()
    window = make_window(
        live_base_url=live_sandbox.base_url,
        journal=journal,
        confirm=confirm,
        show_delete_result=ResultRunner(qtbot),
    )
    assert window.controller.connection.set_practice(False)
    fetch(qtbot, window)
    check_rows(window, [0, 1])
    os_keyring.hold_reads = True

    window.list_page.delete_bar.delete_button.click()
    qtbot.waitUntil(lambda: len(journal.list_operations()) == 1, timeout=FETCH_TIMEOUT_MS)
    qtbot.waitUntil(lambda: not window.controller.is_busy(), timeout=FETCH_TIMEOUT_MS)
    # Found: ~1.5 s: DeletionController.start → connect → the live key, on the GUI thread.
    os_keyring.assert_gui_ran_during_held_calls()
    assert len(confirm.calls) == 1


def test_a_locked_keyring_at_delete_is_named_and_nothing_is_sent(
    qtbot, make_window, secrets, os_keyring, live_sandbox, journal
) -> None:
    from tests.ui.test_window_delete import Confirmer

    secrets.set(SENDGRID_KEY, TEST_KEY)
    confirm = Confirmer()
    window = make_window(live_base_url=live_sandbox.base_url, journal=journal, confirm=confirm)
    assert window.controller.connection.set_practice(False)
    fetch(qtbot, window)
    check_rows(window, [0])
    os_keyring.locked = True
    window.list_page.delete_bar.delete_button.click()
    qtbot.waitUntil(lambda: window.status_panel.isVisible(), timeout=5000)
    qtbot.waitUntil(lambda: not window.controller.is_busy(), timeout=5000)
    assert "ロック" in window.status_panel.message_label.text()
    assert window.range_bar.progress_label.text() != shell_texts.READING_KEY
    assert not confirm.calls
    assert not [r for r in live_sandbox.request_log if r.method == "DELETE"]
    assert window.list_page.delete_bar.delete_button.isEnabled()  # it can be tried again


def test_trends_of_a_live_account_read_the_key_in_a_job(
    qtbot, make_window, secrets, os_keyring, live_sandbox, tmp_path
) -> None:
    secrets.set(SENDGRID_KEY, TEST_KEY)
    window = make_window(
        live_base_url=live_sandbox.base_url, history_path=tmp_path / "data" / "history.sqlite3"
    )
    assert window.controller.connection.set_practice(False)
    history = window.controller.history
    ready: list = []
    history.trends_ready.connect(ready.append)
    os_keyring.hold_reads = True
    today = window.range_bar.today
    assert today - timedelta(days=1) < today

    window.history_part.show_trends()
    qtbot.waitUntil(lambda: bool(ready), timeout=FETCH_TIMEOUT_MS)
    # Found: ~1.5 s: HistoryController.current_account → connect → the live key.
    os_keyring.assert_gui_ran_during_held_calls()


def test_an_imap_import_reads_the_stored_password_in_its_job(
    qtbot, make_window, secrets, os_keyring
) -> None:
    from app.core.dmarc.imap_source import IMAP_PASSWORD_SECRET, ImapSettings

    secrets.set(IMAP_PASSWORD_SECRET, "imap-password-0007")
    window = make_window()
    dmarc = window.controller.dmarc
    errors: list = []
    dmarc.failed.connect(errors.append)
    os_keyring.hold_reads = True
    # Nothing listens on port 9 here: the import fails after the password is read.
    settings = ImapSettings(host="127.0.0.1", username="dmarc", port=9, timeout=2.0)

    dmarc.import_mailbox(settings)
    qtbot.waitUntil(lambda: dmarc.job is None, timeout=FETCH_TIMEOUT_MS)
    # Found: ~1.5 s: DmarcController.import_mailbox read the keyring before starting its job.
    os_keyring.assert_gui_ran_during_held_calls()
    assert errors  # the connection was refused, and said so

    os_keyring.hold_reads, os_keyring.locked = False, True
    errors.clear()
    dmarc.import_mailbox(settings)
    qtbot.waitUntil(lambda: bool(errors), timeout=FETCH_TIMEOUT_MS)
    qtbot.waitUntil(lambda: dmarc.job is None, timeout=FETCH_TIMEOUT_MS)
    assert "ロック" in errors[0].message_ja
