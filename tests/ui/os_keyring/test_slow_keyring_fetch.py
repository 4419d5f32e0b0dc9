"""取得 on a live account while the OS keyring answers slowly (the Secret Service waiting on
D-Bus activation, a keyring daemon busy or prompting): the key is read on the GUI thread when
the button is pressed, so the window freezes for as long as the keyring takes (D-Bus gives up
after 25 s), with no progress line and no キャンセル."""

from __future__ import annotations

from PySide6.QtCore import QTimer

from app.core.storage.secrets import SENDGRID_KEY
from tests.helpers.ui import FETCH_TIMEOUT_MS, TEST_KEY, gui_pauses

KEYRING_DELAY_S = 2.0



def test_a_slow_keyring_does_not_freeze_the_window_when_fetching(
    qtbot, make_window, secrets, os_keyring, live_sandbox
) -> None:
    secrets.set(SENDGRID_KEY, TEST_KEY)
    window = make_window(live_base_url=live_sandbox.base_url)
    assert window.controller.connection.set_practice(False)

    os_keyring.read_delay_s = KEYRING_DELAY_S
    QTimer.singleShot(50, window.range_bar.fetch_button.click)  # inside the measured wait
    _ticks, longest_gap = gui_pauses(qtbot, int(KEYRING_DELAY_S * 1000) + 700)
    qtbot.waitUntil(lambda: not window.controller.fetch.is_running(), timeout=FETCH_TIMEOUT_MS)
    assert window.model.total > 0  # the fetch itself worked

    # Found: a ~2 s gap: FetchController.start → AccountsController.config →
    # ConnectionController.config → _read_live_key → keyring, on the GUI thread.
    assert longest_gap < 1.0, f"the event loop was blocked {longest_gap:.1f} s"
