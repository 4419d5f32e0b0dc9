"""The saved key is read in a job after the window first paints. When the window is closed
while that read is still in the keyring, the read's answer came back to a closed window: its
slot updated the banners of a window whose widgets were already gone (found in the full suite:
「Internal C++ object (PracticeBanner) already deleted」). A cancelled read is now dropped."""

from __future__ import annotations

import threading

import pytest

from app.core.storage.secrets import SENDGRID_KEY, MemorySecretStore
from tests.helpers.ui import TEST_KEY


class GatedSecretStore(MemorySecretStore):
    """A keyring whose reads wait until the test opens the gate."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = threading.Event()
        self.reading = threading.Event()

    def get(self, name: str) -> str:
        self.reading.set()
        self.gate.wait(30)
        return super().get(name)


@pytest.fixture
def secrets() -> GatedSecretStore:
    return GatedSecretStore()


def test_a_key_read_that_ends_after_close_is_dropped(qtbot, make_window, secrets) -> None:
    secrets.set(SENDGRID_KEY, TEST_KEY)
    secrets.gate.set()  # the window's own start-up reads go through
    window = make_window(live_base_url="http://127.0.0.1:9")  # never reached
    assert window.controller.connection.set_practice(False)
    connection = window.controller.connection
    connection.masked_key = ""  # as before the read after the first paint
    secrets.gate.clear()
    secrets.reading.clear()
    connection.load_key_later()
    qtbot.waitUntil(secrets.reading.is_set, timeout=10_000)  # the job is inside the keyring
    loaded: list[bool] = []
    connection.key_loaded.connect(lambda: loaded.append(True))
    window.close()
    secrets.gate.set()
    runner = window.controller.runner
    idle = lambda: not runner.active_jobs and not runner.pool_active_threads  # noqa: E731
    qtbot.waitUntil(idle, timeout=10_000)
    qtbot.wait(50)  # the queued answer, if any, is delivered
    assert loaded == []
    assert connection.masked_key == ""
