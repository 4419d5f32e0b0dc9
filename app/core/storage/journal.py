"""Deletion journal: one SQLite file (WAL) that records every delete before and after it happens."""

from __future__ import annotations

import getpass
import sqlite3
import uuid
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from app.core.storage.journal_records import (
    FAILURE_RESULTS,
    SUCCESS_RESULTS,
    UNFINISHED_STATES,
    Claim,
    ClaimConflict,
    ClaimState,
    EntryRecord,
    EntryResult,
    JournalError,
    JournalSchemaTooNewError,
    NewEntry,
    OperationMeta,
    OperationQuery,
    OperationRecord,
    OperationState,
    Operator,
    OperatorRole,
    ResultUpdate,
)
from app.core.storage.thread_connections import ThreadConnections
from app.core.types import ListKind

__all__ = [
    "FAILURE_RESULTS",
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

SCHEMA_VERSION = 2
_BUSY_TIMEOUT_S = 10.0
_Result = TypeVar("_Result")  # what a _write() transaction returns


def _migrate_to_1(connection: sqlite3.Connection) -> None:
    # Statement by statement: executescript() would COMMIT the migration's transaction.
    script = """
        CREATE TABLE operations (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            started_at TEXT NOT NULL,
            finished_at TEXT,
            os_user TEXT NOT NULL,
            account_label TEXT NOT NULL,
            subuser TEXT NOT NULL,
            region TEXT NOT NULL,
            base_host TEXT NOT NULL,
            practice INTEGER NOT NULL,
            note TEXT NOT NULL,
            state TEXT NOT NULL,
            retry_of INTEGER REFERENCES operations(id)
        );
        CREATE INDEX operations_started ON operations(started_at);
        CREATE INDEX operations_state ON operations(state);
        CREATE TABLE operation_entries (
            id INTEGER PRIMARY KEY,
            operation_id INTEGER NOT NULL REFERENCES operations(id),
            seq INTEGER NOT NULL,
            list_kind TEXT NOT NULL,
            email TEXT NOT NULL,
            created TEXT,
            status TEXT NOT NULL,
            reason TEXT NOT NULL,
            ip TEXT NOT NULL,
            explanation_reason TEXT NOT NULL,
            explanation_label TEXT NOT NULL,
            explanation_permanent INTEGER NOT NULL,
            result TEXT NOT NULL,
            detail TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            UNIQUE (operation_id, list_kind, email)
        );
        CREATE INDEX operation_entries_email ON operation_entries(email COLLATE NOCASE);
        """
    for statement in script.split(";"):
        if statement.strip():
            connection.execute(statement)


def _migrate_to_2(connection: sqlite3.Connection) -> None:
    # The name the team sees (team mode); rows written before it show the OS user.
    connection.execute("ALTER TABLE operations ADD COLUMN display_name TEXT NOT NULL DEFAULT ''")
    # Which journal a row came from once it is moved to a shared store (the file may move).
    connection.execute("CREATE TABLE journal_identity (uid TEXT NOT NULL)")
    connection.execute("INSERT INTO journal_identity VALUES (?)", (str(uuid.uuid4()),))


# Migration N+1 is MIGRATIONS[N]; each runs inside the transaction that bumps the version.
MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (_migrate_to_1, _migrate_to_2)


def _now() -> datetime:
    return datetime.now(UTC)


def _stamp(moment: datetime) -> str:
    # One fixed format in UTC, so text order is time order (sorting and range search in SQL).
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _parse_stamp(text: str | None) -> datetime | None:
    if not text:
        return None
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


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

    def __init__(self, path: Path, *, clock: Callable[[], datetime] = _now) -> None:
        self.path = Path(path)
        self._clock = clock
        self._connections = ThreadConnections(self._open_connection)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            connection = self._connection()
            connection.execute("PRAGMA journal_mode=WAL")  # persistent: stored in the file
            self._migrate(connection)
        except (sqlite3.Error, OSError) as error:
            self.close()
            raise JournalError(detail=f"{type(error).__name__}: {error} ({self.path})") from error
        except BaseException:  # e.g. a schema newer than this app: nobody will close us
            self.close()
            raise

    # -- connections -------------------------------------------------------------------------

    def _connection(self) -> sqlite3.Connection:
        return self._connections.get()

    def _open_connection(self) -> sqlite3.Connection:
        # Autocommit mode; transactions are opened explicitly (BEGIN IMMEDIATE for writes).
        connection = sqlite3.connect(
            self.path, timeout=_BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
        )
        connection.row_factory = sqlite3.Row
        connection.execute("PRAGMA synchronous=FULL")
        connection.execute("PRAGMA foreign_keys=ON")
        return connection

    def close(self) -> None:
        """Close every thread's connection (call when no thread uses the journal any more)."""
        self._connections.close_all()

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
            raise JournalError(detail=f"{type(error).__name__}: {error} ({self.path})") from error

    def _read(self, sql: str, parameters: Sequence[object] = ()) -> list[sqlite3.Row]:
        try:
            return self._connection().execute(sql, parameters).fetchall()
        except sqlite3.Error as error:
            raise JournalError(detail=f"{type(error).__name__}: {error} ({self.path})") from error

    def _migrate(self, connection: sqlite3.Connection) -> None:
        connection.execute("BEGIN IMMEDIATE")
        try:
            connection.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER)")
            row = connection.execute("SELECT version FROM schema_version").fetchone()
            version = 0 if row is None else row[0]
            if not isinstance(version, int) or version < 0:
                # Another program's database with a table of that name: never migrate it.
                raise JournalError(
                    "このファイルは Todoku の削除履歴ではないため、開けません。",
                    next_step_ja="削除履歴のファイル（--journal）の場所を確認してください。",
                    detail=f"schema_version {version!r} ({self.path})",
                )
            if version > len(MIGRATIONS):
                raise JournalSchemaTooNewError(
                    "削除履歴のファイルが新しい版の Todoku で作られているため、開けません。",
                    next_step_ja="Todoku を最新版に更新してください。",
                    detail=f"schema {version} > {len(MIGRATIONS)} ({self.path})",
                )
            for migration in MIGRATIONS[version:]:
                migration(connection)
            if row is None:
                connection.execute("INSERT INTO schema_version VALUES (?)", (len(MIGRATIONS),))
            else:
                connection.execute("UPDATE schema_version SET version = ?", (len(MIGRATIONS),))
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise

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
        del operation_id  # one PC: the window runs reconcile at start, before any delete
        return True

    def release(self, operation_id: int) -> None:
        del operation_id

    def ensure_held(self, operation_id: int) -> None:
        del operation_id  # one PC: nobody else can take an operation over

    def claim_operation(self, meta: OperationMeta, entries: Sequence[NewEntry]) -> Claim:
        """See ``JournalStore.claim_operation``; BEGIN IMMEDIATE makes check and write one step
        against other processes of this PC (the window and todoku-cli)."""

        def work(connection: sqlite3.Connection) -> Claim:
            claimed: list[NewEntry] = []
            conflicts: list[ClaimConflict] = []
            for entry in entries:
                conflict = _sqlite_conflict(connection, meta, entry)
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
        now = _stamp(self._clock())
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
                    _stamp(entry.created) if entry.created is not None else None,
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
                (state.value, _stamp(finished) if finished else None, operation_id),
            )

        self._write(work)

    def record_results(self, operation_id: int, updates: Iterable[ResultUpdate]) -> None:
        """Store results for addresses of an operation (one committed transaction)."""
        now = _stamp(self._clock())
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
        rows = self._read(
            "SELECT e.list_kind, e.email, e.updated_at, e.created, e.reason"
            " FROM operation_entries e JOIN operations o ON o.id = e.operation_id"
            f" WHERE o.subuser = ? AND o.region = ? AND o.practice = ? AND e.result IN ({marks})"
            " ORDER BY e.updated_at",
            [subuser, region, int(practice), *sorted(r.value for r in SUCCESS_RESULTS)],
        )
        return tuple(
            (
                ListKind(str(row[0])),
                str(row[1]),
                _parse_stamp(str(row[2])) or datetime.min.replace(tzinfo=UTC),
                _parse_stamp(row[3]),
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
            parameters.append(_stamp(first))
        if after is not None:
            clauses.append("o.started_at < ?")
            parameters.append(_stamp(after))
        where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
        sql = f"{self._OPERATION_SELECT}{where} ORDER BY o.started_at DESC, o.id DESC LIMIT ?"
        parameters.append(max(1, query.limit))
        return tuple(_operation(row) for row in self._read(sql, parameters))

    def operation(self, operation_id: int) -> OperationRecord | None:
        rows = self._read(f"{self._OPERATION_SELECT} WHERE o.id = ?", (operation_id,))
        return _operation(rows[0]) if rows else None

    def unfinished_operations(self) -> tuple[OperationRecord, ...]:
        """Operations a crash or an error left pending, running or interrupted (oldest first)."""
        marks = ",".join("?" * len(UNFINISHED_STATES))
        rows = self._read(
            f"{self._OPERATION_SELECT} WHERE o.state IN ({marks}) ORDER BY o.id",
            [state.value for state in UNFINISHED_STATES],
        )
        return tuple(_operation(row) for row in rows)

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
        return tuple(_entry(row) for row in self._read(sql + " ORDER BY seq", parameters))


_SAME_ACCOUNT = (
    " JOIN operations o ON o.id = e.operation_id WHERE e.list_kind = ? AND e.email = ?"
    " COLLATE NOCASE AND o.base_host = ? AND o.subuser = ? AND o.region = ? AND o.practice = ?"
)


def _sqlite_conflict(
    connection: sqlite3.Connection, meta: OperationMeta, entry: NewEntry
) -> ClaimConflict | None:
    """Who already holds or deleted ``entry`` in this journal (None: free to claim)."""
    account = (
        entry.list_kind.value,
        entry.email,
        meta.base_host,
        meta.subuser,
        meta.region,
        int(meta.practice),
    )
    row = connection.execute(
        "SELECT o.id, o.started_at, o.os_user, o.display_name FROM operation_entries e"
        f"{_SAME_ACCOUNT} AND e.result = 'pending' AND o.state IN ('pending', 'running')"
        " ORDER BY o.id LIMIT 1",
        account,
    ).fetchone()
    state = ClaimState.IN_PROGRESS
    if row is None and entry.created is not None:
        # Already removed: the same listing (same ``created``: its identity, whatever the
        # clocks say), or any listing deleted after it was created. The identity test is what
        # holds when the provider's clock runs ahead of this PC's (created > deleted at).
        marks = ",".join("?" * len(SUCCESS_RESULTS))
        created = _stamp(entry.created)
        row = connection.execute(
            "SELECT o.id, e.updated_at, o.os_user, o.display_name FROM operation_entries e"
            f"{_SAME_ACCOUNT} AND e.result IN ({marks})"
            " AND (e.created = ? OR e.updated_at >= ?)"
            " ORDER BY e.updated_at DESC LIMIT 1",
            (*account, *sorted(r.value for r in SUCCESS_RESULTS), created, created),
        ).fetchone()
        state = ClaimState.DELETED
    if row is None:
        return None
    return ClaimConflict(
        entry.list_kind,
        entry.email,
        state,
        int(row[0]),
        str(row[3] or row[2]),
        str(row[2]),
        _parse_stamp(row[1]) or datetime.min.replace(tzinfo=UTC),
    )


# Columns are selected under the record's field names; only fields stored as text or integers
# of another type are converted.
def _operation(row: sqlite3.Row) -> OperationRecord:
    return OperationRecord(
        **_as_stored(row, "started_at", "finished_at", "practice", "state"),
        started_at=_parse_stamp(row["started_at"]) or datetime.min.replace(tzinfo=UTC),
        finished_at=_parse_stamp(row["finished_at"]),
        practice=bool(row["practice"]),
        state=OperationState(row["state"]),
    )


def _entry(row: sqlite3.Row) -> EntryRecord:
    return EntryRecord(
        **_as_stored(row, "list_kind", "created", "explanation_permanent", "result", "updated_at"),
        list_kind=ListKind(row["list_kind"]),
        created=_parse_stamp(row["created"]),
        explanation_permanent=bool(row["explanation_permanent"]),
        result=EntryResult(row["result"]),
        updated_at=_parse_stamp(row["updated_at"]) or datetime.min.replace(tzinfo=UTC),
    )


def _as_stored(row: sqlite3.Row, *converted: str) -> dict[str, Any]:
    return {name: value for name, value in dict(row).items() if name not in converted}
