"""SecretStore: the keyring store over a real keyring backend, and its in-memory fallback."""

from __future__ import annotations

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail

from app.core.storage.secrets import (
    SENDGRID_KEY,
    KeyringSecretStore,
    MemorySecretStore,
    SecretsUnreadableError,
    mask_secret,
)


class DictKeyring(KeyringBackend):
    """A working keyring backend that keeps passwords in a dict (no OS store in CI)."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        from keyring.errors import PasswordDeleteError

        if (service, username) not in self.passwords:
            raise PasswordDeleteError(username)
        del self.passwords[(service, username)]


class BrokenKeyring(DictKeyring):
    def set_password(self, service: str, username: str, password: str) -> None:
        raise RuntimeError("locked collection")


@pytest.fixture
def restore_keyring():
    previous = keyring.get_keyring()
    yield
    keyring.set_keyring(previous)


def test_keyring_store_writes_to_the_backend(restore_keyring) -> None:
    backend = DictKeyring()
    keyring.set_keyring(backend)
    store = KeyringSecretStore(service="TodokuTest")
    assert store.persistent
    store.set(SENDGRID_KEY, "SG.abcdefgh1234")
    assert backend.passwords == {("TodokuTest", SENDGRID_KEY): "SG.abcdefgh1234"}
    assert store.get(SENDGRID_KEY) == "SG.abcdefgh1234"
    store.delete(SENDGRID_KEY)
    store.delete(SENDGRID_KEY)  # deleting twice is fine
    assert store.get(SENDGRID_KEY) == ""


def test_no_backend_keeps_keys_in_memory_and_says_so(restore_keyring) -> None:
    keyring.set_keyring(fail.Keyring())
    store = KeyringSecretStore(service="TodokuTest")
    assert not store.persistent
    assert "メモリ" in store.where_ja
    store.set(SENDGRID_KEY, "SG.memory-only")
    assert store.get(SENDGRID_KEY) == "SG.memory-only"


def test_failing_backend_switches_to_memory(restore_keyring, caplog) -> None:
    keyring.set_keyring(BrokenKeyring())
    store = KeyringSecretStore(service="TodokuTest")
    store.set(SENDGRID_KEY, "SG.secret-value-9999")
    assert not store.persistent
    assert store.get(SENDGRID_KEY) == "SG.secret-value-9999"
    assert "SG.secret-value" not in caplog.text


def test_memory_store_and_mask() -> None:
    store = MemorySecretStore()
    store.set("k", "SG.value-7890")
    assert store.get("k") == "SG.value-7890"
    store.set("k", "")
    assert store.get("k") == ""
    assert mask_secret("SG.value-7890") == "••••7890"
    assert mask_secret("") == ""


class LockedKeyring(DictKeyring):
    """Reads fail as the Secret Service's do when its unlock prompt is dismissed; the message
    names the secret, as some backends' do."""

    def __init__(self) -> None:
        super().__init__()
        self.locked = False

    def get_password(self, service: str, username: str) -> str | None:
        if self.locked:
            from keyring.errors import KeyringLocked

            raise KeyringLocked(f"Failed to unlock the collection for {service}/{username}")
        return super().get_password(service, username)


def test_a_locked_keyring_is_not_reported_as_no_secret_saved(restore_keyring, caplog) -> None:
    backend = LockedKeyring()
    keyring.set_keyring(backend)
    store = KeyringSecretStore(service="TodokuTest")
    store.set(SENDGRID_KEY, "SG.saved-before-lock-4321")
    backend.locked = True

    with pytest.raises(SecretsUnreadableError) as raised:
        store.get(SENDGRID_KEY)
    error = raised.value
    assert "読み取れません" in error.message_ja and "ロック" in error.message_ja
    assert "解除" in error.next_step_ja
    assert error.__cause__ is None and error.__suppress_context__  # the backend's text stays out
    assert SENDGRID_KEY not in error.detail and "TodokuTest" not in error.detail
    assert "KeyringLocked" in error.detail
    assert store.persistent  # one failed read does not move the keys to memory

    backend.locked = False  # unlocked: the saved key is there again
    assert store.get(SENDGRID_KEY) == "SG.saved-before-lock-4321"
    assert "SG.saved-before-lock" not in caplog.text
    assert "keyring could not be read (KeyringLocked)" in caplog.text
