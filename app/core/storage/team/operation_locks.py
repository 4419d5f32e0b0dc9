"""Session advisory locks that mark which operations a process of the shared journal runs.

The process running (or reconciling) an operation holds a session advisory lock on its id on a
dedicated connection. A crash ends the session and frees the lock, so ``take_over`` from any
machine succeeds only for operations nobody is running.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from typing import Any

from app.core.storage.journal_records import OperationTakenOverError

log = logging.getLogger(__name__)

LOCK_SPACE = 0x746F  # first key of the two-key advisory locks on operation ids ("to")
_OLD_SESSION_WAIT_S = 2.0  # a terminated lock session's server process exits within this


class OperationLocks:
    """The advisory-lock session of one ``PostgresJournal``. Safe to use from several threads.

    Errors are psycopg's own: the journal maps them to Japanese around each call.
    """

    def __init__(self, psycopg: Any, conninfo: str, database_label: str) -> None:
        self._psycopg = psycopg
        self._conninfo = conninfo
        self._database_label = database_label
        self._lock = threading.Lock()
        self._lock_connection: Any = None
        self._held: set[int] = set()  # operations this process runs or reconciles (locked)
        # Held ones whose lock could not be taken again after the lock session ended: another
        # PC took them over meanwhile, so this process must do no more work on them.
        self._lost: set[int] = set()
        self._lock_pid = 0  # the server process of the lock session (to recognise its locks)

    def close(self) -> None:
        with self._lock:
            lock_connection, self._lock_connection = self._lock_connection, None
            self._held.clear()
            self._lost.clear()
        if lock_connection is not None:
            lock_connection.close()

    def take_over(self, operation_id: int) -> bool:
        with self._lock:
            if operation_id in self._held or operation_id in self._lost:
                return False  # this process runs it (e.g. a delete in a worker thread)
            row = self._on_lock_session(
                "SELECT pg_try_advisory_lock(%s, %s)", (LOCK_SPACE, operation_id)
            )
            if row[0]:
                self._held.add(operation_id)
            return bool(row[0])

    def ensure_held(self, operation_id: int) -> None:
        """See ``PostgresJournal.ensure_held``."""
        with self._lock:
            if operation_id in self._held:
                self._on_lock_session("SELECT 1", ())
            if operation_id not in self._held:
                raise OperationTakenOverError(operation_id, detail=self._database_label)

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
                "SELECT pg_try_advisory_lock(%s, %s)", (LOCK_SPACE, operation_id)
            ).fetchone()
            if row[0]:
                return True
            holder = connection.execute(
                # Two-key advisory locks: classid and objid are the keys, objsubid is 2.
                "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted"
                " AND classid::bigint = %s AND objid::bigint = %s AND objsubid = 2",
                (LOCK_SPACE, operation_id),
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
                connection.execute("SELECT pg_advisory_unlock(%s, %s)", (LOCK_SPACE, operation_id))
        except self._psycopg.Error:
            log.warning("could not release operation %d (its session ends anyway)", operation_id)
