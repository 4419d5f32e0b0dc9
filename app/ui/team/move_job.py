"""The job behind 「このPCの記録を共有データベースへ移す」: the core's two idempotent moves
(``move_local_journal``, then ``move_local_history``) with progress and cancel between
operations. Runs on a pool thread; imports psycopg only here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.core.cancel import CancelToken
from app.core.storage.team.connection import SharedDatabase

LOCAL_HISTORY_FILE = "history.sqlite3"


@dataclass(frozen=True, slots=True)
class MoveResult:
    moved: int  # journal operations copied now
    already_there: int  # copied by an earlier run
    history_entries: int  # fetch-history rows added


def move_this_pc(
    database: SharedDatabase,
    data_dir: Path,
    journal_path: Path,
    *,
    progress: Callable[[Any], None] | None = None,
    on_page: Callable[[Any], None] | None = None,
    cancel: CancelToken | None = None,
) -> MoveResult:
    """Copy this PC's SQLite journal, then its history file, into the shared store.

    ``database`` carries the password already. Progress is ``(done, total)`` per operation;
    a cancel between operations stops cleanly (both moves skip what is already there).
    """
    from app.core.storage.journal import DeletionJournal
    from app.core.storage.team.history_pg import PostgresHistoryStore
    from app.core.storage.team.import_local import move_local_history, move_local_journal
    from app.core.storage.team.journal_pg import PostgresJournal
    from app.core.storage.team.open import OUTBOX_FILE

    def step(done: int, total: int) -> None:
        if cancel is not None:
            cancel.raise_if_cancelled()
        if progress is not None:
            progress((done, total))

    shared = PostgresJournal(database, outbox_path=data_dir / OUTBOX_FILE)
    try:
        moved = already = 0
        if journal_path.exists():  # a PC that never deleted has nothing to move
            local = DeletionJournal(journal_path)
            try:
                summary = move_local_journal(local, shared, progress=step)
            finally:
                local.close()
            moved, already = summary.moved, summary.already_there
    finally:
        shared.close()
    if cancel is not None:
        cancel.raise_if_cancelled()
    entries = 0
    history_path = data_dir / LOCAL_HISTORY_FILE
    if history_path.exists():
        if progress is not None:
            progress("history")
        history = PostgresHistoryStore(database)
        try:
            entries = move_local_history(history_path, history).entries
        finally:
            history.close()
    return MoveResult(moved, already, entries)
