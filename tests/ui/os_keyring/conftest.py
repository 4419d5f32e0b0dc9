"""The window with the real KeyringSecretStore on a scripted OS keyring backend, which a test
can lock, slow down or hold until the GUI's event loop has run (tests/helpers/os_keyring.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QTimer

from app.core.storage.secrets import KeyringSecretStore
from tests.helpers.os_keyring import ScriptedKeyring, installed_keyring


@pytest.fixture
def os_keyring(qapp) -> Iterator[ScriptedKeyring]:
    with installed_keyring() as backend:
        # Runs only when the GUI thread's event loop does: each tick lets the held keyring
        # calls then in flight answer (a blocked GUI thread never releases them).
        turns = QTimer()
        turns.setInterval(10)
        turns.timeout.connect(backend.loop_turned)
        turns.start()
        try:
            yield backend
        finally:
            turns.stop()


@pytest.fixture
def secrets(os_keyring: ScriptedKeyring) -> KeyringSecretStore:  # the window's secret store
    return KeyringSecretStore()
