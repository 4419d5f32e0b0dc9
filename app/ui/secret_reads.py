"""Secrets read from the OS keyring by a job, and a store that answers from that read.

A keyring read may wait for seconds (the Secret Service asking to unlock, D-Bus giving up after
25 s), so a click never reads on the GUI thread: a job reads the names it will need
(``read_secrets``), and the GUI-thread code then runs against ``SecretsRead``, which answers
those names from the job's result, exactly as the store did: a value, "" when none is saved,
or the same ``SecretsUnreadableError`` when the keyring refused the read.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from app.core.storage.secrets import SecretStore, SecretsUnreadableError

# name -> the value, or the error the keyring gave for it
ReadValues = Mapping[str, "str | SecretsUnreadableError"]


def read_secrets(store: SecretStore, names: Iterable[str]) -> dict[str, Any]:
    """On a job's thread: each name's value, or the refusal to keep for the GUI thread."""
    values: dict[str, str | SecretsUnreadableError] = {}
    for name in dict.fromkeys(names):
        try:
            values[name] = store.get(name)
        except SecretsUnreadableError as error:
            values[name] = error
    return values


class SecretsRead:
    """A SecretStore whose reads of the names a job read come from that read; anything else
    (and every write) goes to ``store``."""

    def __init__(self, values: ReadValues, store: SecretStore) -> None:
        self._values = values
        self._store = store

    @property
    def persistent(self) -> bool:
        return self._store.persistent

    @property
    def where_ja(self) -> str:
        return self._store.where_ja

    def get(self, name: str) -> str:
        if name not in self._values:
            return self._store.get(name)
        value = self._values[name]
        if isinstance(value, SecretsUnreadableError):
            raise value
        return value

    def set(self, name: str, value: str) -> None:
        self._store.set(name, value)

    def set_or_raise(self, name: str, value: str) -> None:
        from app.core.storage.secrets import write_secrets

        write_secrets(self._store, {name: value})

    def delete(self, name: str) -> None:
        self._store.delete(name)
