"""A live fetch while the OS keyring is locked (the unlock prompt dismissed, the keyring
daemon restarting): the key is still saved there, so the window must not say that no key was
ever saved, nor give up live mode for good because of one failed read."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt

from app.core.storage.secrets import SENDGRID_KEY
from app.ui import texts
from tests.helpers.ui import FETCH_TIMEOUT_MS, TEST_KEY


def test_a_locked_keyring_is_not_reported_as_a_key_never_saved(
    qtbot, make_window, secrets, os_keyring, live_sandbox, tmp_path
) -> None:
    secrets.set(SENDGRID_KEY, TEST_KEY)
    assert os_keyring.values  # really in the OS keyring, not in memory
    window = make_window(live_base_url=live_sandbox.base_url)
    assert window.controller.connection.set_practice(False)  # live: the key was read

    os_keyring.locked = True  # e.g. the operator dismissed the keyring's unlock prompt
    with qtbot.waitSignal(window.controller.fetch.failed, timeout=FETCH_TIMEOUT_MS) as failed:
        qtbot.mouseClick(window.range_bar.fetch_button, Qt.MouseButton.LeftButton)

    error = failed.args[0]
    # Found: 「本番のアカウントには API キーが必要です（まだ保存されていません）。」 and the advice
    # to save the key in the settings, while the key sits in the locked keyring all along.
    assert error.message_ja != texts.LIVE_NEEDS_KEY, error.message_ja
    assert "まだ保存されていません" not in window.status_panel.message_label.text()
    # One failed read must not rewrite the operator's choice of live mode in settings.json.
    saved = json.loads((tmp_path / "data" / "settings.json").read_text(encoding="utf-8"))
    assert saved["practice_mode"] is False


def test_the_settings_dialog_does_not_call_a_key_in_a_locked_keyring_unset(
    qtbot, make_window, secrets, os_keyring, live_sandbox
) -> None:
    secrets.set(SENDGRID_KEY, TEST_KEY)
    shown: list[str] = []

    def run_dialog(dialog) -> bool:  # the real dialog; read what it says, then cancel
        qtbot.waitUntil(lambda: not dialog.keys_loading)  # the keys are read in a job
        shown.append(dialog.saved_key_label.text())
        return False

    window = make_window(live_base_url=live_sandbox.base_url, run_settings_dialog=run_dialog)
    os_keyring.locked = True
    window.window_actions.settings_action.trigger()

    # Found: 「未設定」 (its clear-key button disabled), so the operator types the key again,
    # and it is then kept in memory only for the rest of the session while the keyring still
    # holds the old one.
    assert shown and shown[0] != texts.SETTINGS_KEY_NONE, shown
