"""「このPCの記録を共有データベースへ移す」: copy this PC's SQLite journal into the shared store.

One-time and idempotent: each operation is stored with an ``origin`` (the local journal's random
identity and the operation's number) that is unique on the server, so running it again, or
after an interruption, copies only what is missing. The local file is left as it is (it stays
the record of what this PC did; the app simply stops writing to it in team mode). Times, the OS
user and the name of each operation are kept as recorded locally; the server adds who moved it
(``db_user``). Requires a 削除可 operator (moved rows are deletions too).

The fetch history moves with ``move_local_history`` (rows keyed by account, list and address).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.core.storage.journal import DeletionJournal
from app.core.storage.journal_records import OperationQuery
from app.core.storage.sqlite_files import NotARegularFile, read_only_uri, regular_file_header
from app.core.storage.team.history_pg import PostgresHistoryStore
from app.core.storage.team.history_pg_import import HistorySnapshot
from app.core.storage.team.journal_pg import PostgresJournal

_ALL = 1_000_000_000


@dataclass(frozen=True, slots=True)
class MoveSummary:
    moved: int  # operations copied now
    already_there: int  # copied by an earlier run


def move_local_journal(
    local: DeletionJournal,
    shared: PostgresJournal,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> MoveSummary:
    """Copy every operation of ``local`` not yet in ``shared`` (oldest first)."""
    identity = local.identity
    operations = sorted(local.list_operations(OperationQuery(limit=_ALL)), key=lambda op: op.id)
    moved = already = 0
    for done, operation in enumerate(operations, 1):
        origin = f"sqlite:{identity}:{operation.id}"
        if shared.import_operation(origin, operation, local.entries(operation.id)):
            moved += 1
        else:
            already += 1
        if progress is not None:
            progress(done, len(operations))
    return MoveSummary(moved, already)


# -- the fetch history -------------------------------------------------------------------------

HISTORY_APPLICATION_ID = 0x546F4869  # the SQLite history file's mark (history/sqlite_schema.py)
KNOWN_HISTORY_VERSION = 4


@dataclass(frozen=True, slots=True)
class HistoryMoveSummary:
    entries: int  # rows added now (an address already in the shared history is left as it is)
    returns: int


def move_local_history(path: Path, shared: PostgresHistoryStore) -> HistoryMoveSummary:
    """Copy this PC's SQLite history file into the shared history (one transaction; idempotent).

    Reads the file read-only. Rows keep their dates (created, first and last seen, 他所で削除 /
    Todoku で削除 marks); an address the shared history already holds for the same account and
    list is left as the team's copy has it. Coverage windows are added where the shared store
    has none for that list (so an incremental fetch does not trust what it never saw). Moved
    rows are not 新着.
    """
    snapshot = _read_history_file(path)
    added = shared.import_snapshot(snapshot)
    return HistoryMoveSummary(*added)


def _read_history_file(path: Path) -> HistorySnapshot:
    from app.core.storage.history.interface import HistoryError, HistoryNotAFileError

    try:
        if regular_file_header(path, 0) is None:  # a pipe would block SQLite's open for ever
            return HistorySnapshot((), {}, {}, (), (), ())
    except NotARegularFile as error:
        raise HistoryNotAFileError(detail=str(error)) from error
    except OSError as error:
        raise HistoryError(detail=f"{type(error).__name__}: {error} ({path})") from error
    try:
        connection = sqlite3.connect(read_only_uri(path), uri=True)
    except sqlite3.Error as error:
        raise HistoryError(detail=f"{type(error).__name__}: {error} ({path})") from error
    try:
        app_id = int(connection.execute("PRAGMA application_id").fetchone()[0])
        version = int(connection.execute("PRAGMA user_version").fetchone()[0])
        if app_id != HISTORY_APPLICATION_ID or not 1 <= version <= KNOWN_HISTORY_VERSION:
            raise HistoryError(
                "このPCの取得履歴のファイルを読み取れないため、共有データベースへ移せません。",
                next_step_ja="Todoku を最新版に更新してから、もう一度お試しください。",
                detail=f"application_id={app_id:#x}, user_version={version} ({path})",
            )
        # Schema 4 added the stamp of each account's connection (NULL before).
        stamp = "connection" if version >= 4 else "NULL"
        accounts = tuple(
            connection.execute(
                f"SELECT id, provider, account, subuser, region, practice, {stamp} FROM accounts"
            ).fetchall()
        )
        texts = dict(connection.execute("SELECT id, text FROM texts").fetchall())
        explanations = {
            int(row[0]): (str(row[1]), str(row[2]), str(row[3]))
            for row in connection.execute("SELECT id, category, label, body FROM explanations")
        }
        entries = tuple(
            connection.execute(
                "SELECT account_id, list, email, created, domain_id, status_id, reason_id, ip_id,"
                " explanation_id, first_seen, last_seen, gone_by, gone_at FROM entries"
            ).fetchall()
        )
        coverage = tuple(
            connection.execute(
                "SELECT account_id, list, start_time, end_time, high_water FROM coverage"
            ).fetchall()
        )
        returns: tuple[tuple[Any, ...], ...] = ()
        if version >= 2:
            returns = tuple(
                connection.execute(
                    "SELECT account_id, list, email, deleted_at, returned_at, reason_id,"
                    " noticed_at FROM returns"
                ).fetchall()
            )
        return HistorySnapshot(accounts, texts, explanations, entries, coverage, returns)
    except sqlite3.Error as error:
        raise HistoryError(detail=f"{type(error).__name__}: {error} ({path})") from error
    finally:
        connection.close()
