"""The window with the real KeyringSecretStore on a scripted OS keyring backend, which a test
can lock or slow down (tests/helpers/os_keyring.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.core.storage.secrets import KeyringSecretStore
from tests.helpers.os_keyring import ScriptedKeyring, installed_keyring


@pytest.fixture
def os_keyring() -> Iterator[ScriptedKeyring]:
    with installed_keyring() as backend:
        yield backend


@pytest.fixture
def secrets(os_keyring: ScriptedKeyring) -> KeyringSecretStore:  # the window's secret store
    return KeyringSecretStore()
