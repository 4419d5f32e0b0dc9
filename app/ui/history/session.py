"""HistorySession: the window's history store, opened on first use off the GUI thread.

Opening imports sqlite3 and checks the file (``PRAGMA quick_check``), so it never happens
before the first paint: the first fetch's job (or a 推移/レポート job) opens it on its worker
thread. A file that cannot be opened leaves the window working without history; the reason is
kept as a notice for the status panel, shown once.

Team mode: ``open_store`` opens what the settings name — the shared PostgreSQL history
(``team/history_pg.py``) when they name a server, so 新着 / 他所で削除 / 再発 are the team's —
else the SQLite file. A server that cannot be reached is tried again ``RETRY_S`` later (not at
every job: each attempt may wait for the connect timeout); ``reset`` follows new settings.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
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
RETRY_S = 60.0  # a store that would not open (the shared server away) is tried again after this


def account_for(config: ConnectionConfig, name: str = "") -> AccountKey:
    """The history account of a connection: the practice sandbox never shares rows with a real
    account; the journal matches deletions on (subuser, region, practice)."""
    from app.core.history.account_region import history_region
    from app.core.storage.history import AccountKey

    account = config.account
    if account is not None and not account.is_default:
        # Any account but the default SendGrid one (another provider's, or a second SendGrid
        # key): its own rows, never the default's, as `todoku-cli --account` keeps them, under
        # the region todoku-cli spells too.
        return AccountKey(
            provider=account.provider.value,
            account=name or account.name,
            subuser=account.subuser,
            region=history_region(account, config.region),
            practice=config.practice,
        )
    label = name or (PRACTICE_ACCOUNT if config.practice else DEFAULT_ACCOUNT)
    return AccountKey(
        account=label, subuser=config.subuser, region=config.region, practice=config.practice
    )


class HistorySession:
    """One store per window, shared by its jobs (the SQLite store is safe across threads)."""

    def __init__(
        self,
        path: Path | None = None,
        *,
        store: HistoryStorage | None = None,
        open_store: Callable[[], HistoryStorage] | None = None,
    ) -> None:
        """``open_store`` (with ``path``): opens what the settings name; default the SQLite
        file at ``path``."""
        self.path = path
        self._store = store
        self._open_store = open_store
        self._retry_at: float | None = None  # monotonic time of the next try after a failure
        self._tried = store is not None
        self._lock = threading.Lock()
        self._notices: list[TodokuError] = []
        self._settled: set[AccountKey] = set()  # older spellings folded in (``open_for``)

    @property
    def enabled(self) -> bool:
        """A store is open, or a file is known to open on first use."""
        if self._store is not None:
            return True
        return self.path is not None and (not self._tried or self._retry_at is not None)

    def open(self) -> HistoryStorage | None:
        """The store, opened now if needed (call from a worker thread); None without history."""
        with self._lock:
            retry = self._retry_at is not None and time.monotonic() >= self._retry_at
            if self._tried and not retry:
                return self._store
            self._tried, self._retry_at = True, None
            if self.path is None:
                return None
            from app.core.storage.history.interface import HistoryError
            from app.core.storage.history.sqlite_store import SqliteHistoryStore

            try:
                if self._open_store is not None:
                    store = self._open_store()
                else:
                    store = SqliteHistoryStore(self.path)
            except TodokuError as error:  # too new a schema, unwritable folder, server away
                log.warning("history unavailable: %s", type(error).__name__)
                self._notices.append(error)
                self._retry_later()
                return None
            except OSError as error:
                log.warning("history unavailable: %s", error)
                self._notices.append(HistoryError(detail=f"{type(error).__name__}: {error}"))
                self._retry_later()
                return None
            if store.recovery_notice is not None:
                self._notices.append(store.recovery_notice)
            self._store = store
            return store

    def open_for(self, account: AccountKey) -> HistoryStorage | None:
        """``open`` for a job on ``account``: the first time in this session, its rows an older
        version filed under another spelling are folded in (``settle_account``), so the window
        reads what todoku-cli wrote. A failure is a notice; the fold is tried at the next job."""
        store = self.open()
        with self._lock:
            if store is None or account in self._settled:
                return store
        from app.core.history.account_region import settle_account
        from app.core.storage.history.interface import HistoryError

        try:
            settle_account(store, account)
        except HistoryError as error:
            with self._lock:
                self._notices.append(error)
            return store
        with self._lock:
            self._settled.add(account)
        return store

    def _retry_later(self) -> None:
        if self._open_store is not None:  # a shared server may come back; a file stays broken
            self._retry_at = time.monotonic() + RETRY_S

    def reset(self) -> None:
        """The settings changed: close the store; the next job opens what they name now."""
        with self._lock:
            store, self._store = self._store, None
            self._tried, self._retry_at = False, None
            self._settled.clear()  # another store: its rows are folded when first used
        if store is not None:
            store.close()

    @property
    def shared(self) -> bool:
        """The open store is the team's (on the server)."""
        return bool(getattr(self._store, "database", None))

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
