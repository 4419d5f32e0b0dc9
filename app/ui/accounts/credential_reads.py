"""The accounts' saved credentials, read by a job before the GUI-thread code that needs them
(which account is complete, the live config, the edit dialog's masked placeholders)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from typing import Any

from app.core.accounts import Account
from app.core.storage.secrets import SecretStore
from app.ui.secret_reads import ReadValues, SecretsRead, read_secrets
from app.ui.workers import ReadAhead


class CredentialReads:
    """``store`` is the keyring itself, or, inside ``using``, a view answering from what a job
    read. A secret saved or removed meanwhile makes the read stale: it is then read again."""

    def __init__(self, secrets: SecretStore) -> None:
        self.secrets = secrets
        self._values: ReadValues | None = None
        self._writes = 0

    @property
    def store(self) -> SecretStore:
        return self.secrets if self._values is None else SecretsRead(self._values, self.secrets)

    def written(self) -> None:
        """A secret was saved or removed: reads made before are stale."""
        self._writes += 1

    def read_ahead(self, accounts: Iterable[Account]) -> ReadAhead | None:
        """The keyring reads for ``accounts``, as a job's work; None when they keep nothing
        there (SES on the AWS chain)."""
        names = tuple(key for account in accounts for key in account.secret_names().values())
        if not names:
            return None
        secrets, writes = self.secrets, self._writes
        return ReadAhead(lambda **_: (writes, read_secrets(secrets, names)), self.using)

    @contextlib.contextmanager
    def using(self, read: tuple[int, Any]) -> Iterator[None]:
        writes, values = read
        previous = self._values
        if writes == self._writes:
            self._values = {**(previous or {}), **values}
        try:
            yield
        finally:
            self._values = previous
