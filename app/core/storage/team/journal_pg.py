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

The claims (``team/journal_pg_claims.py``), the append-only writes (``journal_pg_writes.py``),
the reads (``journal_pg_reads.py``) and the advisory locks (``operation_locks.py``) live beside
this module; ``PostgresJournal`` ties them to the connections, the outbox and the error mapping.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from app.core.storage.journal import current_os_user
from app.core.storage.journal_records import (
    Claim,
    EntryRecord,
    EntryResult,
    JournalError,
    JournalPermissionError,
    NewEntry,
    OperationMeta,
    OperationQuery,
    OperationRecord,
    OperationState,
    Operator,
    OperatorRole,
    ResultUpdate,
)
from app.core.storage.team import journal_pg_reads
from app.core.storage.team.connection import (
    SharedDatabase,
    pg_connections,
    run_reconnecting,
    unavailable,
)
from app.core.storage.team.journal_pg_claims import RETRIES, NothingClaimed, claim_entries
from app.core.storage.team.journal_pg_writes import (
    APPLY,
    apply_results,
    as_new_entry,
    insert_entries,
    insert_operation_row,
    insert_state,
)
from app.core.storage.team.migrate import check_version
from app.core.storage.team.operation_locks import LOCK_SPACE as _LOCK_SPACE  # noqa: F401 (tests import it)
from app.core.storage.team.operation_locks import OperationLocks
from app.core.storage.team.outbox import LocalOutbox, OutboxBusyError
from app.core.types import ListKind

log = logging.getLogger(__name__)

_T = TypeVar("_T")


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
        self._locks = OperationLocks(psycopg, self._conninfo, database.label)
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
        self._locks.close()
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
                attempts=RETRIES,
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

        def work(connection: Any) -> Claim:
            return claim_entries(connection, meta, entries, default_os_user=self._os_user)

        try:
            return self._run(work, write=True)
        except NothingClaimed as nothing:
            return Claim(None, (), nothing.conflicts)

    def create_operation(self, meta: OperationMeta, entries: Sequence[NewEntry]) -> int:
        def work(connection: Any) -> int:
            operation_id = insert_operation_row(
                connection, meta, origin=None, default_os_user=self._os_user
            )
            insert_entries(connection, operation_id, entries)
            insert_state(connection, operation_id, OperationState.PENDING, None, None)
            return operation_id

        return self._run(work, write=True)

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
        from app.core.storage.journal_records import KEPT_ON_THIS_PC, SharedStoreUnavailableError

        with self._outbox_lock:
            try:
                self.flush_outbox()
                self._run(_applier(kind, payload))  # one statement: atomic on its own
            except SharedStoreUnavailableError as error:
                if self._outbox is None:
                    raise
                self._outbox.add(self._outbox_key, kind, payload)
                log.warning("shared journal unreachable: %s kept in the local outbox", kind)
                raise SharedStoreUnavailableError(
                    error.message_ja,
                    next_step_ja=error.next_step_ja + KEPT_ON_THIS_PC,
                    detail=error.detail,
                ) from None

    # Tests replay a kept write through it, as ``flush_outbox`` would.
    _apply_results = staticmethod(apply_results)

    def flush_outbox(self) -> int:
        """Send what the outbox kept, oldest first; returns how many writes were sent."""
        if self._outbox is None:
            return 0
        sent = 0
        with self._outbox_lock:
            for item_id, kind, payload in self._outbox.pending(self._outbox_key):
                self._run(_applier(kind, payload))  # client_key: stored once if resent
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

        # Still away, or the outbox held by the window or another todoku-cli: the kept writes
        # wait (what was sent but not crossed off goes again, stored once by its client key);
        # the caller's own write will say so.
        try:
            self.flush_outbox()
        except SharedStoreUnavailableError:
            pass
        except OutboxBusyError as error:
            log.warning("shared journal: kept writes not sent now: %s", error.detail)

    # -- liveness ----------------------------------------------------------------------------

    def take_over(self, operation_id: int) -> bool:
        with self._errors_in_japanese():
            return self._locks.take_over(operation_id)

    def ensure_held(self, operation_id: int) -> None:
        """Before more work on an operation this process holds: make sure it still does.

        Checks the lock session is alive (a round trip); if it ended, a new one takes every held
        lock again first. Raises ``OperationTakenOverError`` when another PC took this operation
        over while the session was gone (``SharedStoreUnavailableError`` when the server cannot
        be reached: then nothing is known, and the caller stops too).
        """
        with self._errors_in_japanese():
            self._locks.ensure_held(operation_id)

    def release(self, operation_id: int) -> None:
        self._locks.release(operation_id)

    # -- reads -------------------------------------------------------------------------------

    def list_operations(self, query: OperationQuery | None = None) -> tuple[OperationRecord, ...]:
        return self._run(lambda c: journal_pg_reads.list_operations(c, query))

    def operation(self, operation_id: int) -> OperationRecord | None:
        return self._run(lambda c: journal_pg_reads.operation(c, operation_id))

    def unfinished_operations(self) -> tuple[OperationRecord, ...]:
        """Unfinished operations of every operator and machine, oldest first (a live one on
        another machine too: ``take_over`` tells them apart)."""
        return self._run(journal_pg_reads.unfinished_operations)

    def entries(
        self, operation_id: int, results: Iterable[EntryResult] | None = None
    ) -> tuple[EntryRecord, ...]:
        return self._run(lambda c: journal_pg_reads.entries(c, operation_id, results))

    # -- what the history (issue 15) asks of the journal ---------------------------------------

    def successful_deletions(
        self, *, subuser: str, region: str, practice: bool
    ) -> tuple[tuple[ListKind, str, datetime, datetime | None, str], ...]:
        """Every address removed by Todoku for one account: (list, email, when, created, reason),
        oldest first (the same answer as the SQLite journal's method of that name)."""
        return self._run(
            lambda c: journal_pg_reads.successful_deletions(
                c, subuser=subuser, region=region, practice=practice
            )
        )

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
            operation_id = insert_operation_row(
                connection,
                meta,
                origin=origin,
                started_at=record.started_at,
                default_os_user=self._os_user,
            )
            if not operation_id:
                return False
            insert_entries(connection, operation_id, [as_new_entry(e) for e in entries])
            done = [e for e in entries if e.result is not EntryResult.PENDING or e.detail]
            if done:
                apply_results(
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
            insert_state(connection, operation_id, record.state, record.finished_at, None)
            return True

        return self._run(work, write=True)


def _applier(kind: str, payload: dict[str, Any]) -> Callable[[Any], None]:
    return lambda connection: APPLY[kind](connection, payload)
