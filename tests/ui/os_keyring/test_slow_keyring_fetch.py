"""取得 on a live account while the OS keyring answers slowly (the Secret Service waiting on
D-Bus activation, a keyring daemon busy or prompting): the key is read on the GUI thread when
the button is pressed, so the window freezes for as long as the keyring takes (D-Bus gives up
after 25 s), with no progress line and no キャンセル.

The keyring's reads are held until the GUI thread's event loop has run while they were in flight
(tests/helpers/os_keyring.py), so a read on the GUI thread, or one the GUI thread waits for,
fails the test whatever the machine's load."""

from __future__ import annotations

from app.core.storage.secrets import SENDGRID_KEY
from tests.helpers.ui import FETCH_TIMEOUT_MS, TEST_KEY


def test_a_slow_keyring_does_not_freeze_the_window_when_fetching(
    qtbot, make_window, secrets, os_keyring, live_sandbox
) -> None:
    secrets.set(SENDGRID_KEY, TEST_KEY)
    window = make_window(live_base_url=live_sandbox.base_url)
    assert window.controller.connection.set_practice(False)

    os_keyring.hold_reads = True
    window.range_bar.fetch_button.click()
    qtbot.waitUntil(lambda: not window.controller.fetch.is_running(), timeout=FETCH_TIMEOUT_MS)
    assert window.model.total > 0  # the fetch itself worked

    # Found: the window frozen for as long as the keyring took: FetchController.start →
    # AccountsController.config → ConnectionController.config → _read_live_key → keyring, on
    # the GUI thread.
    os_keyring.assert_gui_ran_during_held_calls()
