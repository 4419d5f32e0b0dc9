"""The live key is read off the GUI thread before a fetch, and a keyring that cannot be read is
named as such: キャンセル while the read waits, live mode refused with the keyring's reason, and
a practice server that stopped answering named as the practice server."""

from __future__ import annotations

from PySide6.QtCore import Qt

from app.core.storage.secrets import SENDGRID_KEY, mask_secret
from app.ui import texts
from tests.helpers.ui import FETCH_TIMEOUT_MS, TEST_KEY, fetch


def test_cancel_while_the_key_is_read_fetches_nothing(
    qtbot, make_window, secrets, os_keyring, live_sandbox
) -> None:
    secrets.set(SENDGRID_KEY, TEST_KEY)
    window = make_window(live_base_url=live_sandbox.base_url)
    assert window.controller.connection.set_practice(False)
    os_keyring.read_delay_s = 0.5

    qtbot.mouseClick(window.range_bar.fetch_button, Qt.MouseButton.LeftButton)
    assert window.controller.fetch.is_running()
    assert window.range_bar.cancel_button.isVisible()
    with qtbot.waitSignal(
        window.controller.fetch.running, timeout=FETCH_TIMEOUT_MS, check_params_cb=lambda r: not r
    ):
        qtbot.mouseClick(window.range_bar.cancel_button, Qt.MouseButton.LeftButton)

    assert not live_sandbox.request_log  # the key was read, but nothing was asked of SendGrid
    assert not window.controller.runner.exclusive_busy
    assert not window.controller.connection.practice


def test_going_live_with_a_locked_keyring_says_the_keyring_is_locked(
    qtbot, make_window, secrets, os_keyring, live_sandbox
) -> None:
    secrets.set(SENDGRID_KEY, TEST_KEY)
    window = make_window(live_base_url=live_sandbox.base_url)
    os_keyring.locked = True
    with qtbot.waitSignal(window.controller.connection.failed) as failed:
        assert not window.controller.connection.set_practice(False)
    assert failed.args[0].message_ja != texts.LIVE_NEEDS_KEY
    assert "ロック" in failed.args[0].message_ja
    assert TEST_KEY not in failed.args[0].user_text() + failed.args[0].detail
    assert window.controller.connection.practice  # refused, nothing switched

    os_keyring.locked = False  # unlocked: going live works
    assert window.controller.connection.set_practice(False)
    fetch(qtbot, window)
    assert window.model.total > 0


def test_a_practice_server_that_stopped_answering_is_not_blamed_on_the_internet(
    qtbot, make_window, sandbox_factory
) -> None:
    window = make_window()
    fetch(qtbot, window)
    assert window.model.total > 0
    sandbox_factory.sandbox.stop()  # in-process: nothing listens on its port any more

    with qtbot.waitSignal(window.controller.fetch.failed, timeout=FETCH_TIMEOUT_MS) as failed:
        qtbot.mouseClick(window.range_bar.fetch_button, Qt.MouseButton.LeftButton)
    error = failed.args[0]
    assert error.message_ja == texts.PRACTICE_SERVER_UNREACHABLE
    assert "インターネット" not in error.user_text() and "プロキシ" not in error.user_text()


def test_the_settings_dialog_opens_before_a_slow_keyring_answers(
    qtbot, make_window, secrets, os_keyring
) -> None:
    secrets.set(SENDGRID_KEY, TEST_KEY)
    seen: dict[str, object] = {}

    def run_dialog(dialog) -> bool:  # called as soon as the dialog is built
        # Held reads answer only once the event loop has run (none has since the click):
        # the keyring cannot have answered yet, whatever the machine's speed or load.
        seen["answered_at_open"] = len(os_keyring.held) - os_keyring.unanswered()
        seen["first"] = dialog.saved_key_label.text()
        qtbot.waitUntil(lambda: not dialog.keys_loading, timeout=5000)
        seen["then"] = dialog.saved_key_label.text()
        seen["clear_enabled"] = dialog.clear_key_button.isEnabled()
        return False

    window = make_window(run_settings_dialog=run_dialog)
    os_keyring.hold_reads = True
    window.window_actions.settings_action.trigger()

    os_keyring.assert_gui_ran_during_held_calls()  # off the GUI thread, the window running
    assert seen["answered_at_open"] == 0, seen  # shown before the keyring answered
    assert seen["first"] == texts.SETTINGS_KEY_LOADING
    assert seen["then"] == texts.SETTINGS_KEY_SAVED.format(masked=mask_secret(TEST_KEY))
    assert seen["clear_enabled"]


def test_the_zendesk_page_does_not_call_a_token_in_a_locked_keyring_unsaved(
    qtbot, make_window, secrets, os_keyring
) -> None:
    from app.core.storage.secrets import ZENDESK_TOKEN
    from app.ui.letters import letter_texts

    secrets.set(ZENDESK_TOKEN, "zendesk-token-saved-1234")
    os_keyring.locked = True
    seen: list[tuple[str, bool]] = []

    def run_settings(dialog) -> bool:
        page = dialog.zendesk_page
        qtbot.waitUntil(lambda: not page.token_loading, timeout=5000)
        seen.append((page.token_edit.placeholderText(), page.clear_token_button.isEnabled()))
        return False

    window = make_window(run_contact_settings=run_settings)
    window.contact_actions.settings_action.trigger()

    assert seen == [(letter_texts.ZENDESK_TOKEN_UNREADABLE, False)]
    assert "1234" not in seen[0][0]
