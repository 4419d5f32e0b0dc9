"""The window starts in 本番 (live) mode only when it can fetch live. On a PC without an OS
keyring the key lives in memory: after a restart the red 本番 banner came back over an account
whose key was gone, and only 取得 found out (newuser6 item 3). A key removed from a real keyring
between sessions is found by the key read just after the first paint."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt

from app.core.storage.secrets import SENDGRID_KEY, MemorySecretStore
from app.ui import texts
from tests.helpers.ui import TEST_KEY, fetch


class KeptSecrets(MemorySecretStore):
    """Stands in for a working OS keyring (kept across restarts)."""

    @property
    def persistent(self) -> bool:
        return True


def saved_settings(tmp_path) -> dict:
    return json.loads((tmp_path / "data" / "settings.json").read_text(encoding="utf-8"))


def go_live_and_close(qtbot, make_window, secrets, live_sandbox) -> None:
    secrets.set(SENDGRID_KEY, TEST_KEY)
    first = make_window(live_base_url=live_sandbox.base_url)
    qtbot.mouseClick(first.banner.switch_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not first.controller.connection.practice, timeout=5000)
    assert first.live_marker.isVisible()
    first.close()


def test_without_a_keyring_the_next_start_is_in_practice_mode_and_says_why(
    qtbot, make_window, secrets, live_sandbox, tmp_path
) -> None:
    assert not secrets.persistent  # the conftest's store: a PC without a keyring
    go_live_and_close(qtbot, make_window, secrets, live_sandbox)
    secrets.delete(SENDGRID_KEY)  # what the end of the process does to a key held in memory

    second = make_window(live_base_url=live_sandbox.base_url)
    connection = second.controller.connection
    # Found: practice False, the 本番 banner, and 取得 then failed with LIVE_NEEDS_KEY.
    assert connection.practice
    assert second.banner.isVisible()
    assert not second.live_marker.isVisible()
    panel = second.status_panel
    assert panel.isVisible()
    assert panel.message_label.text() == texts.KEYS_GONE_AT_START
    assert panel.next_step_label.text() == texts.KEYS_GONE_AT_START_NEXT
    assert panel.settings_button.isVisible()  # 設定を開く: where the key goes
    assert saved_settings(tmp_path)["practice_mode"] is True

    fetch(qtbot, second)  # 取得 works: practice rows, no error
    assert second.model.total > 0
    assert connection.practice

    # Typing the key again and switching goes live as before.
    connection.save_settings(second.controller.settings, TEST_KEY, None)
    qtbot.mouseClick(second.banner.switch_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not connection.practice, timeout=5000)
    assert second.live_marker.isVisible()


@pytest.mark.parametrize("secrets", [KeptSecrets()], ids=["keyring"])
def test_with_a_keyring_the_next_start_stays_live(
    qtbot, make_window, secrets, live_sandbox
) -> None:
    go_live_and_close(qtbot, make_window, secrets, live_sandbox)

    second = make_window(live_base_url=live_sandbox.base_url)
    connection = second.controller.connection
    assert not connection.practice
    qtbot.waitUntil(lambda: bool(connection.masked_key), timeout=5000)  # the key read
    assert not connection.practice
    assert not second.status_panel.isVisible()
    assert second.live_marker.isVisible()


@pytest.mark.parametrize("secrets", [KeptSecrets()], ids=["keyring"])
def test_a_key_removed_from_the_keyring_between_sessions_starts_practice_after_the_key_read(
    qtbot, make_window, secrets, live_sandbox
) -> None:
    go_live_and_close(qtbot, make_window, secrets, live_sandbox)
    secrets.delete(SENDGRID_KEY)  # removed by another tool while the app was closed

    second = make_window(live_base_url=live_sandbox.base_url)
    connection = second.controller.connection
    panel = second.status_panel
    qtbot.waitUntil(panel.isVisible, timeout=5000)  # the key read after the first paint
    assert connection.practice
    assert second.banner.isVisible()
    assert not second.live_marker.isVisible()
    assert panel.message_label.text() == texts.KEY_MISSING_AT_START
    assert panel.next_step_label.text() == texts.LIVE_NEEDS_KEY_NEXT
