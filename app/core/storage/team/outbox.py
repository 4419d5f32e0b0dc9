"""The local outbox: journal writes the shared server did not take, kept on this PC and resent.

A result learnt after the requests went out must never be lost because the server went away:
it is appended here (SQLite, ``synchronous=FULL``) before the error reaches the operator, and
sent again in order on the next write or ``PostgresJournal.flush_outbox``. Each write carries a
``client_key`` (a UUID, unique on the server), so a write that reached the server before the
connection broke is not stored twice when it is resent.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from app.core.storage.journal_records import JournalError


class OutboxBusyError(JournalError):
    """The outbox file could not be read or written just now (held by another process)."""


class LocalOutbox:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS outbox (id INTEGER PRIMARY KEY AUTOINCREMENT,"
                " database TEXT NOT NULL, kind TEXT NOT NULL, payload TEXT NOT NULL)"
            )
        except (sqlite3.Error, OSError) as error:
            raise JournalError(
                "このPCの未送信の記録（送信待ち）を開けません。",
                detail=f"{type(error).__name__}: {error} ({self.path})",
            ) from error

    def add(self, database: str, kind: str, payload: dict[str, Any]) -> None:
        with self._lock:
            try:
                self._db.execute(
                    "INSERT INTO outbox (database, kind, payload) VALUES (?, ?, ?)",
                    (database, kind, json.dumps(payload, ensure_ascii=False)),
                )
            except sqlite3.Error as error:
                raise JournalError(
                    "共有データベースにもこのPCにも削除の結果を記録できませんでした。",
                    detail=f"{type(error).__name__}: {error} ({self.path})",
                ) from error

    def pending(self, database: str) -> list[tuple[int, str, dict[str, Any]]]:
        with self._lock, self._in_use():
            rows = self._db.execute(
                "SELECT id, kind, payload FROM outbox WHERE database = ? ORDER BY id", (database,)
            ).fetchall()
        return [(int(row[0]), str(row[1]), json.loads(row[2])) for row in rows]

    def remove(self, item_id: int) -> None:
        with self._lock, self._in_use():
            self._db.execute("DELETE FROM outbox WHERE id = ?", (item_id,))

    def count(self, database: str) -> int:
        with self._lock, self._in_use():
            row = self._db.execute(
                "SELECT COUNT(*) FROM outbox WHERE database = ?", (database,)
            ).fetchone()
        return int(row[0])

    @contextlib.contextmanager
    def _in_use(self) -> Iterator[None]:
        """The window and todoku-cli share this file: one may hold it longer than SQLite waits.
        Said in Japanese; a write already sent stays here and is sent again (stored once)."""
        try:
            yield
        except sqlite3.Error as error:
            raise OutboxBusyError(
                "このPCの未送信の記録（送信待ち）を読み書きできません。",
                next_step_ja=(
                    "ほかの Todoku（アプリや todoku-cli）が使用中の可能性があります。"
                    "しばらくしてからもう一度お試しください。"
                ),
                detail=f"{type(error).__name__}: {error} ({self.path})",
            ) from error

    def close(self) -> None:
        with self._lock:
            self._db.close()
