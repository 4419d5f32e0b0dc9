"""SecretStore: API keys in the OS keyring, or in memory until the app closes — never a file."""

from __future__ import annotations

import contextlib
import logging
from typing import Protocol

from app.core.errors import TodokuError

log = logging.getLogger(__name__)

SERVICE_NAME = "Todoku"
SENDGRID_KEY = "sendgrid_api_key"
LLM_KEY = "llm_api_key"
ZENDESK_TOKEN = "zendesk_api_token"


class SecretsUnreadableError(TodokuError):
    """The OS keyring did not answer a read (locked, its unlock prompt dismissed, its daemon
    gone): whether a secret is saved is unknown, which is not the same as "none saved"."""

    default_message_ja = (
        "OS の資格情報ストア（キーリング）から保存済みのキーを読み取れませんでした。"
        "ロックされているか、使えない状態です。"
    )
    default_next_step_ja = (
        "キーリングのロックを解除するか、OS のパスワード管理（Windows の資格情報マネージャー、"
        "macOS のキーチェーン、Linux のパスワードと鍵など）の状態を確認してから、"
        "もう一度お試しください。"
    )


class SecretsUnwritableError(TodokuError):
    """The OS keyring refused a write (locked, its unlock prompt dismissed, its daemon gone):
    nothing was saved, and the keyring is still the place to try again once it answers."""

    default_message_ja = (
        "OS の資格情報ストア（キーリング）にキーやパスワードを保存できませんでした。"
        "ロックされているか、応答がありません。入力した内容は画面に残っています。"
    )
    default_next_step_ja = (
        "キーリングのロックを解除するか、OS のパスワード管理（Windows の資格情報マネージャー、"
        "macOS のキーチェーン、Linux のパスワードと鍵など）の状態を確認してから、"
        "もう一度「保存」を押してください。"
    )


class SecretStore(Protocol):
    """Named secrets. ``persistent`` says whether they survive a restart; ``where_ja`` tells the
    operator where they are kept. ``get`` returns "" when nothing is saved under the name and
    raises SecretsUnreadableError when the store could not be read."""

    @property
    def persistent(self) -> bool: ...

    @property
    def where_ja(self) -> str: ...

    def get(self, name: str) -> str: ...

    def set(self, name: str, value: str) -> None: ...

    def delete(self, name: str) -> None: ...


class MemorySecretStore:
    """Keys held by this process only (tests, and the fallback when no keyring exists)."""

    def __init__(self, where_ja: str = "メモリ内（アプリを閉じると消えます）") -> None:
        self._values: dict[str, str] = {}
        self._where_ja = where_ja

    @property
    def persistent(self) -> bool:
        return False

    @property
    def where_ja(self) -> str:
        return self._where_ja

    def get(self, name: str) -> str:
        return self._values.get(name, "")

    def set(self, name: str, value: str) -> None:
        if value:
            self._values[name] = value
        else:
            self._values.pop(name, None)

    def delete(self, name: str) -> None:
        self._values.pop(name, None)


class KeyringSecretStore:
    """The OS keyring via ``keyring``. If the backend is missing or a write fails, the store
    switches to memory for the rest of the session and says so (``persistent`` becomes False).
    A failed read raises SecretsUnreadableError instead and changes nothing: a locked keyring
    usually still holds the key, and the next read may succeed once it is unlocked."""

    def __init__(self, service: str = SERVICE_NAME) -> None:
        self._service = service
        self._memory = MemorySecretStore()
        self._backend_name = ""
        self._usable = self._probe()

    def _probe(self) -> bool:
        try:
            import keyring
            from keyring.backends import fail

            backend = keyring.get_keyring()
            self._backend_name = type(backend).__name__
            if isinstance(backend, fail.Keyring):
                log.warning("secrets: no keyring backend; keys stay in memory until close")
                return False
            return True
        except Exception as error:
            log.warning("secrets: keyring unavailable (%s); keys stay in memory", type(error))
            return False

    def _fall_back(self, error: Exception) -> None:
        # The class name only: messages of some backends echo the secret's name and service.
        log.warning("secrets: keyring failed (%s); keys stay in memory", type(error).__name__)
        self._usable = False

    @property
    def persistent(self) -> bool:
        return self._usable

    @property
    def where_ja(self) -> str:
        if self._usable:
            return f"OS の資格情報ストア（{self._backend_name}）"
        return "メモリ内（OS の資格情報ストアが使えないため、アプリを閉じると消えます）"

    def get(self, name: str) -> str:
        if self._usable:
            try:
                import keyring

                return keyring.get_password(self._service, name) or ""
            except Exception as error:
                # The class name only, and no chained cause: some backends' messages echo the
                # secret's name and service.
                log.warning("secrets: keyring could not be read (%s)", type(error).__name__)
                raise SecretsUnreadableError(
                    detail=f"keyring backend {self._backend_name}: {type(error).__name__}"
                ) from None
        return self._memory.get(name)

    def set(self, name: str, value: str) -> None:
        if self._usable:
            try:
                import keyring

                if value:
                    keyring.set_password(self._service, name, value)
                else:
                    self._delete_from_keyring(name)
                return
            except Exception as error:
                self._fall_back(error)
        self._memory.set(name, value)

    def set_or_raise(self, name: str, value: str) -> None:
        """``set`` for a save the operator waits for: a keyring that refuses the write raises
        SecretsUnwritableError and changes nothing, instead of the session falling back to
        memory, so the dialog can say so and the next try (once unlocked) reaches the keyring.
        ``value`` "" removes the secret."""
        if not self._usable:
            self._memory.set(name, value)
            return
        try:
            import keyring

            if value:
                keyring.set_password(self._service, name, value)
            else:
                self._delete_from_keyring(name)
        except Exception as error:
            # The class name only: messages of some backends echo the secret's name and service.
            log.warning("secrets: keyring refused a write (%s)", type(error).__name__)
            raise SecretsUnwritableError(
                detail=f"keyring backend {self._backend_name}: {type(error).__name__}"
            ) from None

    def _delete_from_keyring(self, name: str) -> None:
        import keyring
        from keyring.errors import PasswordDeleteError

        with contextlib.suppress(PasswordDeleteError):  # nothing stored: the goal holds
            keyring.delete_password(self._service, name)

    def delete(self, name: str) -> None:
        self.set(name, "")


def write_secrets(store: SecretStore, changes: dict[str, str]) -> None:
    """Store each ``name: value`` ("" removes it), on a job's thread: a keyring write may wait
    for seconds. Raises SecretsUnwritableError at the first write the OS keyring refuses (the
    ones before it stay written; each is whole on its own)."""
    for name, value in changes.items():
        strict = getattr(store, "set_or_raise", None)
        if callable(strict):
            strict(name, value)
        else:
            store.set(name, value)


def mask_secret(value: str) -> str:
    """``••••abcd``: enough to recognise a key, not enough to use it."""
    if not value:
        return ""
    return "••••" + value[-4:] if len(value) > 4 else "••••"
