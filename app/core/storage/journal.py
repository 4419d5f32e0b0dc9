"""Deletion journal: one SQLite file (WAL) that records every delete before and after it happens."""

from __future__ import annotations

import getpass
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from app.core.journal_region import journal_region_spellings
from app.core.storage.journal_conflicts import sqlite_conflict
from app.core.storage.journal_errors import journal_error
from app.core.storage.journal_records import (
    FAILURE_RESULTS,
    RETRY_RESULTS,
    SUCCESS_RESULTS,
    UNFINISHED_STATES,
    Claim,
    ClaimConflict,
    EntryRecord,
    EntryResult,
    JournalError,
    NewEntry,
    OperationMeta,
    OperationQuery,
    OperationRecord,
    OperationState,
    Operator,
    OperatorRole,
    ResultUpdate,
)
from app.core.storage.journal_rows import entry_from_row, operation_from_row, parse_stamp, stamp
from app.core.storage.journal_schema import migrate
from app.core.storage.operation_file_locks import OperationFileLocks
from app.core.storage.sqlite_files import NotARegularFile, regular_file_header
from app.core.storage.thread_connections import ThreadConnections
from app.core.types import ListKind

__all__ = [
    "FAILURE_RESULTS",
    "RETRY_RESULTS",
    "SUCCESS_RESULTS",
    "UNFINISHED_STATES",
    "DeletionJournal",
    "EntryRecord",
    "EntryResult",
    "JournalError",
    "NewEntry",
    "OperationMeta",
    "OperationQuery",
    "OperationRecord",
    "OperationState",
    "ResultUpdate",
]

_BUSY_TIMEOUT_S = 10.0
_Result = TypeVar("_Result")  # what a _write() transaction returns


def _now() -> datetime:
    return datetime.now(UTC)


def current_os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in the environment (services, some containers)
        return "不明"


class DeletionJournal:
    """The journal file. Safe to use from several threads at once.

    Each thread gets its own SQLite connection (SQLite connections must not be shared across
    threads); WAL lets the GUI thread read while a worker writes. Every write commits with
    ``synchronous=FULL``, so a record survives a killed process or a power cut.
    """

    def __init__(
        self,
        path: Path,
        *,
        clock: Callable[[], datetime] = _now,
        busy_timeout_s: float | None = None,
    ) -> None:
        self.path = Path(path)
        self._clock = clock
        # How long to wait for another writer's lock (a second Todoku, todoku-cli).
        self._busy_timeout_s = _BUSY_TIMEOUT_S if busy_timeout_s is None else busy_timeout_s
        self._connections = ThreadConnections(self._open_connection)
        # Which operations a live process of this PC runs (the window and todoku-cli share it).
        self._operation_locks = OperationFileLocks(self.path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # A named pipe, a device or a folder is no journal: refused untouched, before SQLite
            # opens it (a pipe gave "disk I/O error", and a read-only open of one can block).
            regular_file_header(self.path, 0)
        except NotARegularFile as error:
            raise JournalError(
                "削除履歴の保存先が通常のファイルではない（デバイス・パイプ・フォルダなど）"
                "ため、使えません。",
                next_step_ja=(
                    "削除履歴の保存先には通常のファイル名を指定してください。"
                    "指定された場所には手を加えていません。"
                ),
                detail=str(error),
            ) from None
        except OSError as error:
            raise journal_error(error, self.path) from error
        try:
            connection = self._connection()
            connection.execute("PRAGMA journal_mode=WAL")  # persistent: stored in the file
            migrate(connection, self.path)
        except (sqlite3.Error, OSError) as error:
            self.close()
            raise journal_error(error, self.path) from error
        except BaseException:  # e.g. a schema newer than this app: nobody will close us
            self.close()
            raise

    # -- connections -------------------------------------------------------------------------

    def _connection(self) -> sqlite3.Connection:
        return self._connections.get()

    def _open_connection(self) -> sqlite3.Connection:
        # Autocommit mode; transactions are opened explicitly (BEGIN IMMEDIATE for writes).
        connection = sqlite3.connect(
            self.path, timeout=self._busy_timeout_s, isolation_level=None, check_same_thread=False
        )
        connection.row_factory = sqlite3.Row
        connection.execute("PRAGMA synchronous=FULL")
        connection.execute("PRAGMA foreign_keys=ON")
        return connection

    def close(self) -> None:
        """Close every thread's connection (call when no thread uses the journal any more)."""
        self._connections.close_all()
        self._operation_locks.close()

    def _write(self, work: Callable[[sqlite3.Connection], _Result]) -> _Result:
        connection = self._connection()
        try:
            connection.execute("BEGIN IMMEDIATE")
            try:
                result = work(connection)
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            connection.execute("COMMIT")
            return result
        except sqlite3.Error as error:
            raise journal_error(error, self.path) from error

    def _read(self, sql: str, parameters: Sequence[object] = ()) -> list[sqlite3.Row]:
        try:
            return self._connection().execute(sql, parameters).fetchall()
        except sqlite3.Error as error:
            raise journal_error(error, self.path) from error

    @property
    def schema_version(self) -> int:
        return int(self._read("SELECT version FROM schema_version")[0][0])

    @property
    def identity(self) -> str:
        """A random id made with the file: marks its rows when they move to a shared store."""
        return str(self._read("SELECT uid FROM journal_identity")[0][0])

    def integrity_check(self) -> str:
        """SQLite's own check: ``ok`` when the file is sound."""
        return str(self._read("PRAGMA integrity_check")[0][0])

    # -- writes ------------------------------------------------------------------------------

    @property
    def shared(self) -> bool:
        return False

    def current_operator(self) -> Operator:
        user = current_os_user()
        return Operator(db_user="", display_name=user, role=OperatorRole.DELETE)

    def take_over(self, operation_id: int) -> bool:
        """False while a live process of this PC (the window, todoku-cli, or this process)
        runs or reconciles ``operation_id``: a byte lock the OS drops when that process ends,
        kill -9 included (``operation_file_locks``)."""
        return self._operation_locks.take_over(operation_id)

    def release(self, operation_id: int) -> None:
        self._operation_locks.release(operation_id)

    def ensure_held(self, operation_id: int) -> None:
        del operation_id  # one PC: nobody else can take an operation over

    def claim_operation(self, meta: OperationMeta, entries: Sequence[NewEntry]) -> Claim:
        """See ``JournalStore.claim_operation``; BEGIN IMMEDIATE makes check and write one step
        against other processes of this PC (the window and todoku-cli)."""

        def work(connection: sqlite3.Connection) -> Claim:
            claimed: list[NewEntry] = []
            conflicts: list[ClaimConflict] = []
            for entry in entries:
                conflict = sqlite_conflict(connection, meta, entry)
                if conflict is None:
                    claimed.append(entry)
                else:
                    conflicts.append(conflict)
            if not claimed:
                return Claim(None, (), tuple(conflicts))
            operation_id = self._insert_operation(connection, meta, claimed)
            return Claim(operation_id, tuple(claimed), tuple(conflicts))

        return self._write(work)

    def create_operation(self, meta: OperationMeta, entries: Sequence[NewEntry]) -> int:
        """Write the operation and every entry (result ``pending``) in one committed transaction."""
        return self._write(lambda connection: self._insert_operation(connection, meta, entries))

    def _insert_operation(
        self, connection: sqlite3.Connection, meta: OperationMeta, entries: Sequence[NewEntry]
    ) -> int:
        now = stamp(self._clock())
        os_user = meta.os_user or current_os_user()
        cursor = connection.execute(
            "INSERT INTO operations (started_at, os_user, account_label, subuser, region,"
            " base_host, practice, note, state, retry_of, display_name)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (
                now,
                os_user,
                meta.account_label,
                meta.subuser,
                meta.region,
                meta.base_host,
                int(meta.practice),
                meta.note,
                OperationState.PENDING.value,
                meta.retry_of,
                meta.display_name or os_user,
            ),
        )
        operation_id = int(cursor.lastrowid or 0)
        connection.executemany(
            "INSERT INTO operation_entries (operation_id, seq, list_kind, email, created,"
            " status, reason, ip, explanation_reason, explanation_label,"
            " explanation_permanent, result, detail, updated_at)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                (
                    operation_id,
                    seq,
                    entry.list_kind.value,
                    entry.email,
                    stamp(entry.created) if entry.created is not None else None,
                    entry.status,
                    entry.reason,
                    entry.ip,
                    entry.explanation_reason,
                    entry.explanation_label,
                    int(entry.explanation_permanent),
                    EntryResult.PENDING.value,
                    "",
                    now,
                )
                for seq, entry in enumerate(entries)
            ),
        )
        return operation_id

    def set_state(self, operation_id: int, state: OperationState) -> None:
        """Change an operation's state; a final state also sets ``finished_at``."""
        finished = (
            None if state in (OperationState.PENDING, OperationState.RUNNING) else self._clock()
        )

        def work(connection: sqlite3.Connection) -> None:
            connection.execute(
                "UPDATE operations SET state = ?, finished_at = ? WHERE id = ?",
                (state.value, stamp(finished) if finished else None, operation_id),
            )

        self._write(work)

    def record_results(self, operation_id: int, updates: Iterable[ResultUpdate]) -> None:
        """Store results for addresses of an operation (one committed transaction)."""
        now = stamp(self._clock())
        rows = [
            (u.result.value, u.detail, now, operation_id, u.list_kind.value, u.email)
            for u in updates
        ]
        if not rows:
            return

        def work(connection: sqlite3.Connection) -> None:
            connection.executemany(
                "UPDATE operation_entries SET result = ?, detail = ?, updated_at = ?"
                " WHERE operation_id = ? AND list_kind = ? AND email = ?",
                rows,
            )

        self._write(work)

    def mask_address(self, email: str) -> int:
        """「このアドレスの記録を消す」: keep each audit row, replace the address and its reason.

        The row still says that an operation deleted *an* address from a list, when and with
        which result (the audit trail holds); who the recipient was is gone. Each masked row
        gets its own token because an operation's (list, address) pairs must stay unique.
        """
        address = email.strip()
        if not address:
            return 0

        def work(connection: sqlite3.Connection) -> int:
            connection.execute("PRAGMA secure_delete=ON")  # zero the freed text in the file
            rows = connection.execute(
                "SELECT id FROM operation_entries WHERE email = ? COLLATE NOCASE", (address,)
            ).fetchall()
            for (row_id,) in rows:
                connection.execute(
                    "UPDATE operation_entries SET email = ?, reason = '', ip = '', detail = ''"
                    " WHERE id = ?",
                    (f"（消去済み #{row_id}）", row_id),
                )
            return len(rows)

        try:
            return self._write(work)
        finally:
            self._connection().execute("PRAGMA secure_delete=OFF")

    # -- reads -------------------------------------------------------------------------------

    def successful_deletions(
        self, *, subuser: str, region: str, practice: bool
    ) -> tuple[tuple[ListKind, str, datetime, datetime | None, str], ...]:
        """Every address removed by Todoku for one account: (list, email, when, created, reason).

        ``when`` is the moment the result was recorded; oldest first.
        """
        marks = ",".join("?" * len(SUCCESS_RESULTS))
        regions = journal_region_spellings(region, practice)  # older CLI records too
        rows = self._read(
            "SELECT e.list_kind, e.email, e.updated_at, e.created, e.reason"
            " FROM operation_entries e JOIN operations o ON o.id = e.operation_id"
            f" WHERE o.subuser = ? AND o.region IN ({','.join('?' * len(regions))})"
            f" AND o.practice = ? AND e.result IN ({marks})"
            " ORDER BY e.updated_at",
            [subuser, *regions, int(practice), *sorted(r.value for r in SUCCESS_RESULTS)],
        )
        return tuple(
            (
                ListKind(str(row[0])),
                str(row[1]),
                parse_stamp(str(row[2])) or datetime.min.replace(tzinfo=UTC),
                parse_stamp(row[3]),
                str(row[4]),
            )
            for row in rows
        )

    _OPERATION_SELECT = (
        "SELECT o.id, o.started_at, o.finished_at, o.os_user, o.account_label, o.subuser,"
        " o.region, o.base_host, o.practice, o.note, o.state, o.retry_of, o.display_name,"
        " (SELECT COUNT(*) FROM operation_entries e WHERE e.operation_id = o.id) AS total,"
        " (SELECT COUNT(*) FROM operation_entries e WHERE e.operation_id = o.id"
        "   AND e.result IN ('deleted', 'not_found', 'gone')) AS succeeded,"
        " (SELECT COUNT(*) FROM operation_entries e WHERE e.operation_id = o.id"
        "   AND e.result IN ('failed', 'still_listed')) AS failed,"
        " (SELECT COUNT(*) FROM operation_entries e WHERE e.operation_id = o.id"
        "   AND e.result = 'pending') AS pending"
        " FROM operations o"
    )

    def list_operations(self, query: OperationQuery | None = None) -> tuple[OperationRecord, ...]:
        """Operations, newest first, filtered by ``query``."""
        query = query or OperationQuery()
        clauses: list[str] = []
        parameters: list[object] = []
        pattern = query.contains_pattern
        if pattern:
            clauses.append(
                "(o.note LIKE ? ESCAPE '\\' OR o.account_label LIKE ? ESCAPE '\\'"
                " OR o.os_user LIKE ? ESCAPE '\\' OR EXISTS (SELECT 1 FROM operation_entries e"
                " WHERE e.operation_id = o.id AND e.email LIKE ? ESCAPE '\\'))"
            )
            parameters += [pattern] * 4
        first, after = query.started_bounds()
        if first is not None:
            clauses.append("o.started_at >= ?")
            parameters.append(stamp(first))
        if after is not None:
            clauses.append("o.started_at < ?")
            parameters.append(stamp(after))
        where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
        sql = f"{self._OPERATION_SELECT}{where} ORDER BY o.started_at DESC, o.id DESC LIMIT ?"
        parameters.append(max(1, query.limit))
        return tuple(operation_from_row(row) for row in self._read(sql, parameters))

    def operation(self, operation_id: int) -> OperationRecord | None:
        rows = self._read(f"{self._OPERATION_SELECT} WHERE o.id = ?", (operation_id,))
        return operation_from_row(rows[0]) if rows else None

    def unfinished_operations(self) -> tuple[OperationRecord, ...]:
        """Operations a crash or an error left pending, running or interrupted (oldest first)."""
        marks = ",".join("?" * len(UNFINISHED_STATES))
        rows = self._read(
            f"{self._OPERATION_SELECT} WHERE o.state IN ({marks}) ORDER BY o.id",
            [state.value for state in UNFINISHED_STATES],
        )
        return tuple(operation_from_row(row) for row in rows)

    def entries(
        self, operation_id: int, results: Iterable[EntryResult] | None = None
    ) -> tuple[EntryRecord, ...]:
        """Entries of one operation in planned order, optionally only those with ``results``."""
        sql = (
            "SELECT operation_id, seq, list_kind, email, created, status, reason, ip,"
            " explanation_reason, explanation_label, explanation_permanent, result, detail,"
            " updated_at FROM operation_entries WHERE operation_id = ?"
        )
        parameters: list[object] = [operation_id]
        if results is not None:
            wanted = [result.value for result in results]
            sql += f" AND result IN ({','.join('?' * len(wanted))})"
            parameters += wanted
        return tuple(entry_from_row(row) for row in self._read(sql + " ORDER BY seq", parameters))
