"""An OS keyring backend for tests of the real KeyringSecretStore: it can be locked (every call
raises ``KeyringLocked``, as the Secret Service does when the unlock prompt is dismissed) or
slow (each read or write waits, as a keyring waiting on D-Bus does)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

import keyring
from keyring.backend import KeyringBackend
from keyring.errors import KeyringLocked


class ScriptedKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.locked = False
        self.read_delay_s = 0.0
        self.write_delay_s = 0.0
        self.values: dict[tuple[str, str], str] = {}

    def _check(self) -> None:
        if self.locked:
            raise KeyringLocked("Failed to unlock the collection!")

    def get_password(self, service: str, username: str) -> str | None:
        time.sleep(self.read_delay_s)
        self._check()
        return self.values.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        time.sleep(self.write_delay_s)
        self._check()
        self.values[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        time.sleep(self.write_delay_s)
        self._check()
        self.values.pop((service, username), None)


@contextmanager
def installed_keyring() -> Iterator[ScriptedKeyring]:
    """Make a ScriptedKeyring the process's keyring backend; the previous one is put back."""
    previous = keyring.get_keyring()
    backend = ScriptedKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)
