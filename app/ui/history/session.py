"""HistorySession: the window's history store, opened on first use off the GUI thread.

Opening imports sqlite3 and checks the file (``PRAGMA quick_check``), so it never happens
before the first paint: the first fetch's job (or a 推移/レポート job) opens it on its worker
thread. A file that cannot be opened leaves the window working without history; the reason is
kept as a notice for the status panel, shown once.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from app.core.errors import TodokuError

if TYPE_CHECKING:
    from app.core.services import ConnectionConfig
    from app.core.storage.history import AccountKey, HistoryStorage

log = logging.getLogger(__name__)

HISTORY_FILE = "history.sqlite3"  # the CLI's name too: both read the same history
DEFAULT_ACCOUNT = "既定"
PRACTICE_ACCOUNT = "練習"


def account_for(config: ConnectionConfig, name: str = "") -> AccountKey:
    """The history account of a connection: the practice sandbox never shares rows with a real
    account; the journal matches deletions on (subuser, region, practice)."""
    from app.core.storage.history import AccountKey

    account = config.account
    if account is not None and account.provider.value != "sendgrid":
        # Another provider's account (CMC, Infobip, SES): its own rows, never the default's.
        return AccountKey(
            provider=account.provider.value,
            account=name or account.name,
            subuser=account.subuser,
            region=account.region,
            practice=config.practice,
        )
    label = name or (PRACTICE_ACCOUNT if config.practice else DEFAULT_ACCOUNT)
    return AccountKey(
        account=label, subuser=config.subuser, region=config.region, practice=config.practice
    )


class HistorySession:
    """One store per window, shared by its jobs (the SQLite store is safe across threads)."""

    def __init__(self, path: Path | None = None, *, store: HistoryStorage | None = None) -> None:
        self.path = path
        self._store = store
        self._tried = store is not None
        self._lock = threading.Lock()
        self._notices: list[TodokuError] = []

    @property
    def enabled(self) -> bool:
        """A store is open, or a file is known to open on first use."""
        return self._store is not None or (self.path is not None and not self._tried)

    def open(self) -> HistoryStorage | None:
        """The store, opened now if needed (call from a worker thread); None without history."""
        with self._lock:
            if self._tried:
                return self._store
            self._tried = True
            if self.path is None:
                return None
            from app.core.storage.history.interface import HistoryError
            from app.core.storage.history.sqlite_store import SqliteHistoryStore

            try:
                store = SqliteHistoryStore(self.path)
            except HistoryError as error:  # too new a schema, unwritable folder: no history
                log.warning("history unavailable: %s", error)
                self._notices.append(error)
                return None
            except OSError as error:
                log.warning("history unavailable: %s", error)
                self._notices.append(HistoryError(detail=f"{type(error).__name__}: {error}"))
                return None
            if store.recovery_notice is not None:
                self._notices.append(store.recovery_notice)
            self._store = store
            return store

    def take_notices(self) -> tuple[TodokuError, ...]:
        """Notices not shown yet (a damaged file moved aside, a file that would not open)."""
        with self._lock:
            notices, self._notices = tuple(self._notices), []
        return notices

    def close(self) -> None:
        with self._lock:
            store, self._store = self._store, None
        if store is not None:
            store.close()
