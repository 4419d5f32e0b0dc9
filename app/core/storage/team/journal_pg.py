"""The deletion journal on the team's PostgreSQL server (``JournalStore``; docs/team-mode.md).

What differs from the SQLite file, and why:

* Audit rows are append-only. A result or a state is a new row (``entry_results``,
  ``operation_states``); records read back show the newest, so they look like SQLite's.
* Claims: ``active_claims`` holds (account, list, address) while an operation may still send a
  request for it. ``claim_operation`` inserts claims with ``ON CONFLICT DO NOTHING`` in a fixed
  order (no deadlock between two operators), *then* looks for an earlier successful deletion.
  Under READ COMMITTED that order is what closes the race: an insert that found a claim gone
  waited for the holder's commit, so the next statement sees the holder's result.
* Liveness: the process running (or reconciling) an operation holds a session advisory lock on
  its id on a dedicated connection. A crash ends the session and frees the lock, so
  ``take_over`` from any machine succeeds only for operations nobody is running.
* The server going away: a write that cannot reach the server goes to the local outbox and
  ``SharedStoreUnavailableError`` (Japanese) is raised; claims are never queued (nothing is sent
  without one).
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from app.core.storage.journal import current_os_user
from app.core.storage.journal_records import (
    SUCCESS_RESULTS,
    UNFINISHED_STATES,
    Claim,
    ClaimConflict,
    ClaimState,
    EntryRecord,
    EntryResult,
    JournalError,
    JournalPermissionError,
    NewEntry,
    OperationMeta,
    OperationQuery,
    OperationRecord,
    OperationState,
    OperationTakenOverError,
    Operator,
    OperatorRole,
    ResultUpdate,
)
from app.core.storage.team.connection import (
    SharedDatabase,
    pg_connections,
    run_reconnecting,
    unavailable,
)
from app.core.storage.team.migrate import check_version
from app.core.storage.team.outbox import LocalOutbox
from app.core.types import ListKind

log = logging.getLogger(__name__)

_T = TypeVar("_T")
_LOCK_SPACE = 0x746F  # first key of the two-key advisory locks on operation ids ("to")
_RETRIES = 3  # deadlock / serialization retries of a claim
_OLD_SESSION_WAIT_S = 2.0  # a terminated lock session's server process exits within this
_SUCCESS = sorted(result.value for result in SUCCESS_RESULTS)
_FINAL_STATES = (OperationState.DONE, OperationState.RECONCILED)


def account_scope(meta: OperationMeta | OperationRecord) -> str:
    """Claims are per account and server: the same address on two accounts is two entries."""
    return f"{meta.base_host}|{meta.subuser}|{meta.region}|{int(meta.practice)}"


class PostgresJournal:
    """``JournalStore`` on a shared PostgreSQL database. Safe to use from several threads.

    ``outbox_path``: the local SQLite outbox (None: writes that fail are not kept; tests only).
    The schema must be at this app's version (``todoku-cli db upgrade``); a newer one is refused.
    """

    def __init__(
        self,
        database: SharedDatabase,
        *,
        outbox_path: Path | None = None,
        os_user: str = "",
    ) -> None:
        import psycopg

        self._psycopg = psycopg
        self.database = database
        self._conninfo = database.conninfo()
        self._os_user = os_user or current_os_user()
        self._connections = pg_connections(self._conninfo)
        self._lock = threading.Lock()
        self._lock_connection: Any = None
        self._held: set[int] = set()  # operations this process runs or reconciles (locked)
        # Held ones whose lock could not be taken again after the lock session ended: another
        # PC took them over meanwhile, so this process must do no more work on them.
        self._lost: set[int] = set()
        self._lock_pid = 0  # the server process of the lock session (to recognise its locks)
        self._outbox = LocalOutbox(outbox_path) if outbox_path is not None else None
        # Kept writes go out oldest first and before any newer write (a result after the state
        # that released its claim would let another operator claim the entry too early), so
        # a resend (a timer's job) and a delete's own writes take turns.
        self._outbox_lock = threading.RLock()
        self._outbox_key = database.label
        try:
            self._schema_version = self._run(lambda c: check_version(c, database.label))
        except BaseException:  # e.g. a schema newer than this app: nobody will close us
            self.close()
            raise
        self._flush_quietly()

    # -- connections -------------------------------------------------------------------------

    def _connection(self) -> Any:
        return self._connections.get()

    def close(self) -> None:
        self._connections.close_all()
        with self._lock:
            lock_connection, self._lock_connection = self._lock_connection, None
            self._held.clear()
            self._lost.clear()
        if lock_connection is not None:
            lock_connection.close()
        if self._outbox is not None:
            self._outbox.close()

    def _run(self, work: Callable[[Any], _T], *, write: bool = False) -> _T:
        """Run ``work(connection)`` (in one transaction when ``write``); map errors to Japanese."""
        psycopg = self._psycopg
        with self._errors_in_japanese():
            return run_reconnecting(
                self._connections,
                work,
                write=write,
                retry_on=(psycopg.errors.DeadlockDetected, psycopg.errors.SerializationFailure),
                attempts=_RETRIES,
            )

    @contextlib.contextmanager
    def _errors_in_japanese(self) -> Iterator[None]:
        psycopg = self._psycopg
        try:
            yield
        except JournalError:
            raise
        except psycopg.errors.InsufficientPrivilege as error:
            if getattr(error.diag, "message_hint", None) == "todoku-view-only":
                raise JournalPermissionError(detail=f"{self.database.label}: {error}") from None
            raise JournalError(
                "共有データベースでこの操作をする権限がありません。",
                next_step_ja="管理者に権限の設定を確認してもらってください。",
                detail=f"{self.database.label}: {str(error).strip()}",
            ) from None
        except psycopg.OperationalError as error:
            raise unavailable(self.database.label, error) from None
        except psycopg.Error as error:
            raise JournalError(
                "共有データベースの削除履歴を読み書きできませんでした。",
                next_step_ja="詳細を管理者に伝えてください。記録できない間は削除を実行しません。",
                detail=f"{self.database.label}: {type(error).__name__}: {str(error).strip()}",
            ) from None

    @property
    def schema_version(self) -> int:
        return self._schema_version

    @property
    def shared(self) -> bool:
        return True

    # -- who ---------------------------------------------------------------------------------

    def current_operator(self) -> Operator:
        def work(connection: Any) -> Operator:
            row = connection.execute(
                "SELECT session_user, o.display_name, o.role FROM (SELECT 1) AS one"
                " LEFT JOIN todoku.operators o ON o.db_user = session_user"
            ).fetchone()
            if row[2] is None:
                return Operator(str(row[0]), str(row[0]), OperatorRole.VIEW, registered=False)
            return Operator(str(row[0]), str(row[1]), OperatorRole(row[2]))

        return self._run(work)

    # -- claims and writes -------------------------------------------------------------------

    def claim_operation(self, meta: OperationMeta, entries: Sequence[NewEntry]) -> Claim:
        self._flush_quietly()
        scope = account_scope(meta)

        def work(connection: Any) -> Claim:
            operation_id = self._insert_operation_row(connection, meta, origin=None)
            wanted = {(e.list_kind.value, e.email.lower()): e for e in entries}
            claimed: dict[tuple[str, str], NewEntry] = {}
            conflicts: list[ClaimConflict] = []
            remaining = dict(wanted)
            for _ in range(_RETRIES):
                if not remaining:
                    break
                keys = sorted(remaining)  # one order for everyone: no deadlock
                rows = connection.execute(
                    "INSERT INTO todoku.active_claims (scope, list_kind, email_norm, operation_id)"
                    " SELECT %s, k, e, %s FROM unnest(%s::text[], %s::text[]) AS v(k, e)"
                    " ORDER BY k, e ON CONFLICT DO NOTHING RETURNING list_kind, email_norm",
                    (scope, operation_id, [k for k, _ in keys], [e for _, e in keys]),
                ).fetchall()
                for row in rows:
                    key = (str(row[0]), str(row[1]))
                    claimed[key] = remaining.pop(key)
                held = self._holders(connection, scope, remaining)
                for key, conflict in held.items():
                    conflicts.append(conflict)
                    remaining.pop(key)
                # What is left was released between the two statements: claim it again.
            for entry in remaining.values():  # still contended after the retries
                conflicts.append(
                    ClaimConflict(
                        entry.list_kind,
                        entry.email,
                        ClaimState.IN_PROGRESS,
                        0,
                        "",
                        "",
                        datetime.now(UTC),
                    )
                )
            deleted = self._already_deleted(connection, meta, claimed)
            if deleted:
                connection.execute(
                    "DELETE FROM todoku.active_claims WHERE operation_id = %s"
                    " AND (list_kind, email_norm) IN"
                    " (SELECT * FROM unnest(%s::text[], %s::text[]))",
                    (operation_id, [k for k, _ in deleted], [e for _, e in deleted]),
                )
                for key, conflict in deleted.items():
                    conflicts.append(conflict)
                    claimed.pop(key)
            if not claimed:
                raise _NothingClaimed(tuple(conflicts))
            kept = [entry for key, entry in wanted.items() if key in claimed]
            self._insert_entries(connection, operation_id, kept)
            self._insert_state(connection, operation_id, OperationState.PENDING, None, None)
            return Claim(operation_id, tuple(kept), tuple(conflicts))

        try:
            return self._run(work, write=True)
        except _NothingClaimed as nothing:
            return Claim(None, (), nothing.conflicts)

    def _holders(
        self, connection: Any, scope: str, remaining: dict[tuple[str, str], NewEntry]
    ) -> dict[tuple[str, str], ClaimConflict]:
        if not remaining:
            return {}
        keys = list(remaining)
        rows = connection.execute(
            "SELECT c.list_kind, c.email_norm, o.id, o.started_at, o.os_user, o.display_name"
            " FROM todoku.active_claims c JOIN todoku.operations o ON o.id = c.operation_id"
            " WHERE c.scope = %s AND (c.list_kind, c.email_norm) IN"
            " (SELECT * FROM unnest(%s::text[], %s::text[]))",
            (scope, [k for k, _ in keys], [e for _, e in keys]),
        ).fetchall()
        return _conflicts(rows, remaining, ClaimState.IN_PROGRESS)

    def _already_deleted(
        self, connection: Any, meta: OperationMeta, claimed: dict[tuple[str, str], NewEntry]
    ) -> dict[tuple[str, str], ClaimConflict]:
        """Claimed entries whose listing an earlier operation already removed: the same listing
        (same ``created``, its identity: this holds whatever the clocks say, e.g. a provider
        stamping ``created`` ahead of the PC that recorded the deletion), or any listing
        removed after it was created."""
        dated = [(key, entry) for key, entry in claimed.items() if entry.created is not None]
        if not dated:
            return {}
        rows = connection.execute(
            "SELECT v.k, v.e, d.id, d.at, d.os_user, d.display_name"
            " FROM unnest(%s::text[], %s::text[], %s::timestamptz[]) AS v(k, e, created)"
            " JOIN LATERAL (SELECT o.id, c.updated_at AS at, o.os_user, o.display_name"
            "   FROM todoku.entry_current c JOIN todoku.operations o ON o.id = c.operation_id"
            "   WHERE lower(c.email) = v.e AND c.list_kind = v.k AND o.base_host = %s"
            "   AND o.subuser = %s AND o.region = %s AND o.practice = %s"
            "   AND c.result = ANY(%s) AND (c.created = v.created OR c.updated_at >= v.created)"
            "   ORDER BY c.updated_at DESC LIMIT 1) d ON true",
            (
                [key[0] for key, _ in dated],
                [key[1] for key, _ in dated],
                [entry.created for _, entry in dated],
                meta.base_host,
                meta.subuser,
                meta.region,
                meta.practice,
                _SUCCESS,
            ),
        ).fetchall()
        return _conflicts(rows, claimed, ClaimState.DELETED)

    def create_operation(self, meta: OperationMeta, entries: Sequence[NewEntry]) -> int:
        def work(connection: Any) -> int:
            operation_id = self._insert_operation_row(connection, meta, origin=None)
            self._insert_entries(connection, operation_id, entries)
            self._insert_state(connection, operation_id, OperationState.PENDING, None, None)
            return operation_id

        return self._run(work, write=True)

    def _insert_operation_row(
        self,
        connection: Any,
        meta: OperationMeta,
        *,
        origin: str | None,
        started_at: datetime | None = None,
    ) -> int:
        row = connection.execute(
            "INSERT INTO todoku.operations (started_at, os_user, display_name, account_label,"
            " subuser, region, base_host, practice, note, retry_of, origin)"
            " VALUES (coalesce(%s, now()), %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
            " ON CONFLICT (origin) DO NOTHING RETURNING id",
            (
                started_at,
                meta.os_user or self._os_user,
                meta.display_name,
                meta.account_label,
                meta.subuser,
                meta.region,
                meta.base_host,
                meta.practice,
                meta.note,
                meta.retry_of,
                origin,
            ),
        ).fetchone()
        return 0 if row is None else int(row[0])

    def _insert_entries(
        self, connection: Any, operation_id: int, entries: Sequence[NewEntry]
    ) -> None:
        columns = list(zip(*(_entry_values(seq, e) for seq, e in enumerate(entries)), strict=True))
        if not columns:
            return
        connection.execute(
            "INSERT INTO todoku.operation_entries (operation_id, seq, list_kind, email, created,"
            " status, reason, ip, explanation_reason, explanation_label, explanation_permanent)"
            " SELECT %s, * FROM unnest(%s::int[], %s::text[], %s::text[], %s::timestamptz[],"
            " %s::text[], %s::text[], %s::text[], %s::text[], %s::text[], %s::bool[])",
            (operation_id, *(list(column) for column in columns)),
        )

    def _insert_state(
        self,
        connection: Any,
        operation_id: int,
        state: OperationState,
        observed_at: datetime | None,
        client_key: str | None,
    ) -> None:
        # One statement (a data-modifying CTE runs to completion): atomic without BEGIN/COMMIT
        # round trips. A final state also releases what the operation still claims.
        connection.execute(
            "WITH state AS (INSERT INTO todoku.operation_states"
            " (operation_id, state, observed_at, client_key) VALUES (%s, %s, %s, %s)"
            " ON CONFLICT (client_key) DO NOTHING RETURNING 1)"
            " DELETE FROM todoku.active_claims WHERE operation_id = %s AND %s",
            (
                operation_id,
                state.value,
                observed_at,
                client_key,
                operation_id,
                state in _FINAL_STATES,
            ),
        )

    def set_state(self, operation_id: int, state: OperationState) -> None:
        payload = {
            "operation_id": operation_id,
            "state": state.value,
            "observed_at": datetime.now(UTC).isoformat(),
            "client_key": str(uuid.uuid4()),
        }
        self._write_or_keep("state", payload)

    def record_results(self, operation_id: int, updates: Iterable[ResultUpdate]) -> None:
        now = datetime.now(UTC).isoformat()
        rows = [
            [u.list_kind.value, u.email, u.result.value, u.detail, now, str(uuid.uuid4())]
            for u in updates
        ]
        if rows:
            self._write_or_keep("results", {"operation_id": operation_id, "rows": rows})

    def _write_or_keep(self, kind: str, payload: dict[str, Any]) -> None:
        """Write now; if the server cannot be reached, keep it in the outbox and say so."""
        from app.core.storage.journal_records import SharedStoreUnavailableError

        with self._outbox_lock:
            try:
                self.flush_outbox()
                self._run(_applier(self, kind, payload))  # one statement: atomic on its own
            except SharedStoreUnavailableError:
                if self._outbox is None:
                    raise
                self._outbox.add(self._outbox_key, kind, payload)
                log.warning("shared journal unreachable: %s kept in the local outbox", kind)
                raise

    def _apply_state(self, connection: Any, payload: dict[str, Any]) -> None:
        self._insert_state(
            connection,
            int(payload["operation_id"]),
            OperationState(payload["state"]),
            datetime.fromisoformat(payload["observed_at"]),
            payload["client_key"],
        )

    def _apply_results(self, connection: Any, payload: dict[str, Any]) -> None:
        operation_id = int(payload["operation_id"])
        rows: list[list[str]] = payload["rows"]
        columns = [list(column) for column in zip(*rows, strict=True)]
        final = [row[2] != EntryResult.PENDING.value for row in rows]
        norms = [row[1].lower() for row in rows]
        # One statement: the results, and the release of the claims of final ones.
        connection.execute(
            "WITH v AS (SELECT * FROM unnest(%s::text[], %s::text[], %s::text[], %s::text[],"
            " %s::timestamptz[], %s::uuid[], %s::text[], %s::bool[])"
            " AS v(kind, email, result, detail, observed_at, client_key, norm, final)),"
            " results AS (INSERT INTO todoku.entry_results"
            " (entry_id, result, detail, observed_at, client_key)"
            " SELECT e.id, v.result, v.detail, v.observed_at, v.client_key FROM v"
            " JOIN todoku.operation_entries e ON e.operation_id = %s AND e.list_kind = v.kind"
            " AND e.email = v.email ON CONFLICT (client_key) DO NOTHING RETURNING 1)"
            " DELETE FROM todoku.active_claims c USING v WHERE c.operation_id = %s"
            " AND v.final AND c.list_kind = v.kind AND c.email_norm = v.norm",
            (*columns, norms, final, operation_id, operation_id),
        )

    def flush_outbox(self) -> int:
        """Send what the outbox kept, oldest first; returns how many writes were sent."""
        if self._outbox is None:
            return 0
        sent = 0
        with self._outbox_lock:
            for item_id, kind, payload in self._outbox.pending(self._outbox_key):
                self._run(_applier(self, kind, payload))  # client_key: stored once if resent
                self._outbox.remove(item_id)
                sent += 1
        if sent:
            log.info("shared journal: %d kept writes sent", sent)
        return sent

    def outbox_count(self) -> int:
        """Writes kept on this PC, waiting for the server (the window can show it)."""
        return 0 if self._outbox is None else self._outbox.count(self._outbox_key)

    def _flush_quietly(self) -> None:
        from app.core.storage.journal_records import SharedStoreUnavailableError

        # Still away: the kept writes wait; the caller's own write will say so.
        with contextlib.suppress(SharedStoreUnavailableError):
            self.flush_outbox()

    # -- liveness ----------------------------------------------------------------------------

    def take_over(self, operation_id: int) -> bool:
        def work() -> bool:
            with self._lock:
                if operation_id in self._held or operation_id in self._lost:
                    return False  # this process runs it (e.g. a delete in a worker thread)
                row = self._on_lock_session(
                    "SELECT pg_try_advisory_lock(%s, %s)", (_LOCK_SPACE, operation_id)
                )
                if row[0]:
                    self._held.add(operation_id)
                return bool(row[0])

        with self._errors_in_japanese():
            return work()

    def ensure_held(self, operation_id: int) -> None:
        """Before more work on an operation this process holds: make sure it still does.

        Checks the lock session is alive (a round trip); if it ended, a new one takes every held
        lock again first. Raises ``OperationTakenOverError`` when another PC took this operation
        over while the session was gone (``SharedStoreUnavailableError`` when the server cannot
        be reached: then nothing is known, and the caller stops too).
        """
        with self._errors_in_japanese(), self._lock:
            if operation_id in self._held:
                self._on_lock_session("SELECT 1", ())
            if operation_id not in self._held:
                raise OperationTakenOverError(operation_id, detail=self.database.label)

    def _on_lock_session(self, sql: str, parameters: tuple[object, ...]) -> Any:
        """One statement on the advisory-lock connection (``self._lock`` held). A session that
        ended while idle (server restart, ``pg_terminate_backend``, an idle timeout) took its
        locks with it: the new session takes them again *before* the statement runs."""
        connection = self._lock_connection
        if connection is None or connection.closed or connection.broken:
            connection = self._new_lock_session()
        try:
            return connection.execute(sql, parameters).fetchone()
        except self._psycopg.OperationalError:
            if not connection.broken:
                raise
            return self._new_lock_session().execute(sql, parameters).fetchone()

    def _new_lock_session(self) -> Any:
        """Connect the lock session again and take back the lock of every held operation; one
        that another session took meanwhile moves to ``_lost`` (``self._lock`` held)."""
        old, self._lock_connection = self._lock_connection, None
        if old is not None:
            with contextlib.suppress(self._psycopg.Error):
                old.close()
        connection = self._psycopg.connect(self._conninfo, autocommit=True)
        old_pid = self._lock_pid
        try:
            for operation_id in sorted(self._held):
                if not self._lock_again(connection, operation_id, old_pid):
                    self._held.discard(operation_id)
                    self._lost.add(operation_id)
                    log.warning("operation %d was taken over by another session", operation_id)
        except BaseException:
            connection.close()  # with the locks it took: the next attempt starts afresh
            raise
        self._lock_pid = int(connection.info.backend_pid)
        if self._held:
            log.info("lock session reconnected; %d operation locks taken again", len(self._held))
        self._lock_connection = connection
        return connection

    def _lock_again(self, connection: Any, operation_id: int, old_pid: int) -> bool:
        """Take an operation's lock on a new session. The old session's server process exits
        asynchronously after it was terminated, so while *it* still holds the lock, wait for it
        (up to ``_OLD_SESSION_WAIT_S``); a lock held by any other session is lost to us."""
        deadline = time.monotonic() + _OLD_SESSION_WAIT_S
        while True:
            row = connection.execute(
                "SELECT pg_try_advisory_lock(%s, %s)", (_LOCK_SPACE, operation_id)
            ).fetchone()
            if row[0]:
                return True
            holder = connection.execute(
                # Two-key advisory locks: classid and objid are the keys, objsubid is 2.
                "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted"
                " AND classid::bigint = %s AND objid::bigint = %s AND objsubid = 2",
                (_LOCK_SPACE, operation_id),
            ).fetchone()
            gone_meanwhile = holder is None  # released between the two statements
            if time.monotonic() >= deadline or not (gone_meanwhile or int(holder[0]) == old_pid):
                return False
            time.sleep(0.05)

    def release(self, operation_id: int) -> None:
        with self._lock:
            self._lost.discard(operation_id)
            if operation_id not in self._held:
                return
            self._held.discard(operation_id)
            connection = self._lock_connection
        try:
            if connection is not None and not connection.closed:
                connection.execute("SELECT pg_advisory_unlock(%s, %s)", (_LOCK_SPACE, operation_id))
        except self._psycopg.Error:
            log.warning("could not release operation %d (its session ends anyway)", operation_id)

    # -- reads -------------------------------------------------------------------------------

    _OPERATION_SELECT = (
        "SELECT o.id, o.started_at, o.finished_at, o.os_user, o.account_label, o.subuser,"
        " o.region, o.base_host, o.practice, o.note, o.state, o.retry_of,"
        " count(e.id) AS total,"
        " count(e.id) FILTER (WHERE e.result IN ('deleted', 'not_found', 'gone')) AS succeeded,"
        " count(e.id) FILTER (WHERE e.result IN ('failed', 'still_listed')) AS failed,"
        " count(e.id) FILTER (WHERE e.result = 'pending') AS pending,"
        " o.display_name"
        " FROM todoku.operation_current o LEFT JOIN todoku.entry_current e"
        " ON e.operation_id = o.id"
    )
    _GROUP = (
        " GROUP BY o.id, o.started_at, o.finished_at, o.os_user, o.account_label, o.subuser,"
        " o.region, o.base_host, o.practice, o.note, o.state, o.retry_of, o.display_name"
    )

    def list_operations(self, query: OperationQuery | None = None) -> tuple[OperationRecord, ...]:
        query = query or OperationQuery()
        clauses: list[str] = []
        parameters: list[object] = []
        pattern = query.contains_pattern
        if pattern:
            clauses.append(
                "(o.note ILIKE %s OR o.account_label ILIKE %s OR o.os_user ILIKE %s"
                " OR o.display_name ILIKE %s OR EXISTS (SELECT 1 FROM todoku.operation_entries x"
                " WHERE x.operation_id = o.id AND x.email ILIKE %s))"
            )
            parameters += [pattern] * 5
        first, after = query.started_bounds()
        if first is not None:
            clauses.append("o.started_at >= %s")
            parameters.append(first)
        if after is not None:
            clauses.append("o.started_at < %s")
            parameters.append(after)
        where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
        sql = (
            f"{self._OPERATION_SELECT}{where}{self._GROUP}"
            " ORDER BY o.started_at DESC, o.id DESC LIMIT %s"
        )
        parameters.append(max(1, query.limit))
        return tuple(
            _operation(row) for row in self._run(lambda c: c.execute(sql, parameters).fetchall())
        )

    def operation(self, operation_id: int) -> OperationRecord | None:
        sql = f"{self._OPERATION_SELECT} WHERE o.id = %s{self._GROUP}"
        rows = self._run(lambda c: c.execute(sql, (operation_id,)).fetchall())
        return _operation(rows[0]) if rows else None

    def unfinished_operations(self) -> tuple[OperationRecord, ...]:
        """Unfinished operations of every operator and machine, oldest first (a live one on
        another machine too: ``take_over`` tells them apart)."""
        sql = f"{self._OPERATION_SELECT} WHERE o.state = ANY(%s){self._GROUP} ORDER BY o.id"
        states = [state.value for state in UNFINISHED_STATES]
        return tuple(
            _operation(row) for row in self._run(lambda c: c.execute(sql, (states,)).fetchall())
        )

    def entries(
        self, operation_id: int, results: Iterable[EntryResult] | None = None
    ) -> tuple[EntryRecord, ...]:
        sql = (
            "SELECT operation_id, seq, list_kind, email, created, status, reason, ip,"
            " explanation_reason, explanation_label, explanation_permanent, result, detail,"
            " updated_at FROM todoku.entry_current WHERE operation_id = %s"
        )
        parameters: list[object] = [operation_id]
        if results is not None:
            sql += " AND result = ANY(%s)"
            parameters.append([result.value for result in results])
        sql += " ORDER BY seq"
        return tuple(
            _entry(row) for row in self._run(lambda c: c.execute(sql, parameters).fetchall())
        )

    # -- what the history (issue 15) asks of the journal ---------------------------------------

    def successful_deletions(
        self, *, subuser: str, region: str, practice: bool
    ) -> tuple[tuple[ListKind, str, datetime, datetime | None, str], ...]:
        """Every address removed by Todoku for one account: (list, email, when, created, reason),
        oldest first (the same answer as the SQLite journal's method of that name)."""
        rows = self._run(
            lambda c: c.execute(
                "SELECT e.list_kind, e.email, e.updated_at, e.created, e.reason"
                " FROM todoku.entry_current e JOIN todoku.operations o ON o.id = e.operation_id"
                " WHERE o.subuser = %s AND o.region = %s AND o.practice = %s"
                " AND e.result = ANY(%s) ORDER BY e.updated_at",
                (subuser, region, practice, _SUCCESS),
            ).fetchall()
        )
        return tuple((ListKind(r[0]), str(r[1]), r[2], r[3], str(r[4])) for r in rows)

    def mask_address(self, email: str) -> int:
        """「このアドレスの記録を消す」: keep each audit row, replace the address, reason and IP
        (server function ``todoku.mask_address``; the erasure itself is recorded, without the
        address). Refused for 閲覧 operators."""
        address = email.strip()
        if not address:
            return 0
        row = self._run(
            lambda c: c.execute("SELECT todoku.mask_address(%s)", (address,)).fetchone()
        )
        return int(row[0])

    # -- moving a PC's journal in (team/import_local.py) -------------------------------------

    def import_operation(
        self,
        origin: str,
        record: OperationRecord,
        entries: Sequence[EntryRecord],
    ) -> bool:
        """Copy one finished or unfinished operation of a local journal; False if already there."""

        def work(connection: Any) -> bool:
            meta = OperationMeta(
                account_label=record.account_label,
                subuser=record.subuser,
                region=record.region,
                base_host=record.base_host,
                practice=record.practice,
                note=record.note,
                os_user=record.os_user,
                display_name=record.display_name or record.os_user,
            )
            operation_id = self._insert_operation_row(
                connection, meta, origin=origin, started_at=record.started_at
            )
            if not operation_id:
                return False
            self._insert_entries(connection, operation_id, [_as_new(e) for e in entries])
            done = [e for e in entries if e.result is not EntryResult.PENDING or e.detail]
            if done:
                self._apply_results(
                    connection,
                    {
                        "operation_id": operation_id,
                        "rows": [
                            [
                                e.list_kind.value,
                                e.email,
                                e.result.value,
                                e.detail,
                                e.updated_at.isoformat(),
                                str(uuid.uuid4()),
                            ]
                            for e in done
                        ],
                    },
                )
            self._insert_state(connection, operation_id, record.state, record.finished_at, None)
            return True

        return self._run(work, write=True)


class _NothingClaimed(Exception):
    """Rolls the claim transaction back when every entry conflicted (no empty operation)."""

    def __init__(self, conflicts: tuple[ClaimConflict, ...]) -> None:
        super().__init__("nothing claimed")
        self.conflicts = conflicts


_APPLY: dict[str, Callable[[PostgresJournal, Any, dict[str, Any]], None]] = {
    "state": PostgresJournal._apply_state,
    "results": PostgresJournal._apply_results,
}


def _conflicts(
    rows: Sequence[Sequence[Any]], entries: dict[tuple[str, str], NewEntry], state: ClaimState
) -> dict[tuple[str, str], ClaimConflict]:
    """Rows of (list, lower-cased address, operation, when, OS user, name) as conflicts."""
    found = {}
    for kind, email_norm, op_id, at, os_user, name in rows:
        entry = entries[(kind, email_norm)]
        found[(kind, email_norm)] = ClaimConflict(
            entry.list_kind, entry.email, state, int(op_id), str(name or os_user), str(os_user), at
        )
    return found


def _applier(store: PostgresJournal, kind: str, payload: dict[str, Any]) -> Callable[[Any], None]:
    return lambda connection: _APPLY[kind](store, connection, payload)


def _entry_values(seq: int, entry: NewEntry) -> tuple[object, ...]:
    return (
        seq,
        entry.list_kind.value,
        entry.email,
        entry.created,
        entry.status,
        entry.reason,
        entry.ip,
        entry.explanation_reason,
        entry.explanation_label,
        entry.explanation_permanent,
    )


def _as_new(entry: EntryRecord) -> NewEntry:
    return NewEntry(
        entry.list_kind,
        entry.email,
        entry.created,
        entry.status,
        entry.reason,
        entry.ip,
        entry.explanation_reason,
        entry.explanation_label,
        entry.explanation_permanent,
    )


def _operation(row: Sequence[Any]) -> OperationRecord:
    return OperationRecord(
        id=int(row[0]),
        started_at=row[1],
        finished_at=row[2],
        os_user=str(row[3]),
        account_label=str(row[4]),
        subuser=str(row[5]),
        region=str(row[6]),
        base_host=str(row[7]),
        practice=bool(row[8]),
        note=str(row[9]),
        state=OperationState(row[10]),
        retry_of=None if row[11] is None else int(row[11]),
        total=int(row[12]),
        succeeded=int(row[13]),
        failed=int(row[14]),
        pending=int(row[15]),
        display_name=str(row[16]),
    )


def _entry(row: Sequence[Any]) -> EntryRecord:
    return EntryRecord(
        operation_id=int(row[0]),
        seq=int(row[1]),
        list_kind=ListKind(row[2]),
        email=str(row[3]),
        created=row[4],
        status=str(row[5]),
        reason=str(row[6]),
        ip=str(row[7]),
        explanation_reason=str(row[8]),
        explanation_label=str(row[9]),
        explanation_permanent=bool(row[10]),
        result=EntryResult(row[11]),
        detail=str(row[12]),
        updated_at=row[13],
    )
