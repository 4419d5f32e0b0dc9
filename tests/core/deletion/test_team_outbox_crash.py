"""Team mode's local outbox under kill -9: a result or state the shared server did not take is
kept on this PC; a process killed after keeping it, or between resending it and crossing it off,
loses nothing and stores nothing twice; and a kept write sent late never reopens an operation
another operator has since finished (real PostgreSQL, real processes, real SIGKILL)."""

from __future__ import annotations

import contextlib
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import NamedTuple

import psycopg
import pytest

from app.core.deletion.reconcile import reconcile_unfinished
from app.core.providers.sendgrid import SendGridProvider
from app.core.storage.journal_records import EntryResult, OperationState
from app.core.storage.team.connection import parse_database_url
from app.core.storage.team.journal_pg import PostgresJournal
from app.sandbox.postgres_server import PostgresServer
from app.sandbox.sendgrid_server import SandboxRecord
from tests.helpers.core_sandbox import API_KEY, RANGE_START
from tests.helpers.killed_child import kill_when

CHILD = Path(__file__).with_name("outbox_child.py")
REPO = Path(__file__).resolve().parents[3]
KEPT, OTHER = "kept@example.jp", "other@example.jp"  # as outbox_child.py names them

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX SIGKILL"),
]


def _outbox_rows(path: Path) -> int:
    if not path.exists():
        return 0
    with contextlib.closing(sqlite3.connect(path, timeout=5)) as db:
        try:
            return int(db.execute("SELECT count(*) FROM outbox").fetchone()[0])
        except sqlite3.OperationalError:  # the table is not there yet
            return 0


@contextlib.contextmanager
def _held(outbox: Path) -> Iterator[None]:
    """The outbox file held for writing by this process, as another Todoku process may."""
    holder = sqlite3.connect(outbox, isolation_level=None, timeout=0)
    holder.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def _count(url: str, query: str, operation_id: int) -> int:
    with psycopg.connect(url) as raw:
        return int(raw.execute(query, (operation_id,)).fetchone()[0])


RESULT_ROWS = (
    "SELECT count(*) FROM todoku.entry_results r JOIN todoku.operation_entries e"
    " ON e.id = r.entry_id WHERE e.operation_id = %s"
)
INTERRUPTED_ROWS = (
    "SELECT count(*) FROM todoku.operation_states WHERE operation_id = %s AND state = 'interrupted'"
)


def _kept_by_a_killed_process(server: PostgresServer, url: str, tmp_path: Path) -> tuple[int, Path]:
    """A process starts an operation, the server goes away, the process keeps a result and
    the state in its outbox and is killed -9. The server comes back. (operation id, outbox)"""
    outbox, opened, go = tmp_path / "outbox.sqlite3", tmp_path / "opened", tmp_path / "go"

    def kept() -> bool:
        if not go.exists():
            if opened.exists():
                server.kill()
                go.touch()
            return False
        return _outbox_rows(outbox) >= 2

    try:
        returncode = kill_when(
            [sys.executable, str(CHILD), "keep", url, str(outbox), str(opened), str(go)],
            kept,
            never="the child never kept its writes",
            timeout_s=120,
            cwd=REPO,
        )
    finally:
        if go.exists():
            server.restart()
    assert returncode == -signal.SIGKILL
    return int(opened.read_text(encoding="utf-8")), outbox


class Kept(NamedTuple):
    name: str  # the team database
    url: str  # tanaka's, whose process was killed
    admin: str
    operation_id: int
    outbox: Path


@pytest.fixture
def kept(
    postgres_server: PostgresServer, team_database: Callable[..., str], tmp_path: Path
) -> Kept:
    """Writes kept in the outbox by a process killed -9 while the server was away."""
    name = team_database({"tanaka": ("田中", "delete"), "suzuki": ("鈴木", "delete")})
    url = postgres_server.url("tanaka", name)
    operation_id, outbox = _kept_by_a_killed_process(postgres_server, url, tmp_path)
    return Kept(name, url, postgres_server.url(database=name), operation_id, outbox)


def _flush(url: str, outbox: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(CHILD), "flush", url, str(outbox)],
        cwd=REPO, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0 and "flushed" in done.stdout, done.stderr[-2000:]


def test_writes_kept_before_a_kill_are_sent_once_by_the_next_start(
    postgres_server: PostgresServer, kept: Kept
) -> None:
    name, url, admin, operation_id, outbox = kept
    assert _outbox_rows(outbox) == 2  # the result and the state survived the kill
    other = PostgresJournal(parse_database_url(postgres_server.url("suzuki", name)))
    try:
        # Meanwhile the team sees the operation unfinished, its outcome unknown: not lost.
        (unfinished,) = other.unfinished_operations()
        assert unfinished.id == operation_id and unfinished.state is OperationState.RUNNING
        _flush(url, outbox)
        assert _outbox_rows(outbox) == 0
        results = {e.email: e.result for e in other.entries(operation_id)}
        assert results == {KEPT: EntryResult.DELETED, OTHER: EntryResult.PENDING}
        operation = other.operation(operation_id)
        assert operation is not None and operation.state is OperationState.INTERRUPTED
    finally:
        other.close()
    assert _count(admin, RESULT_ROWS, operation_id) == 1
    assert _count(admin, INTERRUPTED_ROWS, operation_id) == 1


def test_a_kill_between_resending_and_crossing_off_stores_nothing_twice(kept: Kept) -> None:
    _, url, admin, operation_id, outbox = kept
    # Another writer of the outbox (the window beside the CLI) holds it: the resending process
    # gets its first write to the server, then waits to cross it off, and is killed there.
    with _held(outbox):
        returncode = kill_when(
            [sys.executable, str(CHILD), "flush", url, str(outbox)],
            lambda: _count(admin, RESULT_ROWS, operation_id) > 0,
            never="the kept result never reached the server",
            cwd=REPO,
        )
    assert returncode == -signal.SIGKILL
    assert _outbox_rows(outbox) == 2  # sent, but not crossed off: it goes again
    _flush(url, outbox)
    assert _outbox_rows(outbox) == 0
    assert _count(admin, RESULT_ROWS, operation_id) == 1  # its client key: stored once
    assert _count(admin, INTERRUPTED_ROWS, operation_id) == 1
    store = PostgresJournal(parse_database_url(url))
    try:
        operation = store.operation(operation_id)
        assert operation is not None and operation.state is OperationState.INTERRUPTED
    finally:
        store.close()


def test_a_kept_state_sent_late_does_not_reopen_an_operation_reconciled_meanwhile(
    postgres_server: PostgresServer, kept: Kept, make_sandbox
) -> None:
    name, url, _, operation_id, outbox = kept
    # The killed process's deletion of KEPT went through; OTHER is still listed.
    sandbox = make_sandbox([SandboxRecord("bounces", OTHER, RANGE_START, "550 x")])
    other = PostgresJournal(parse_database_url(postgres_server.url("suzuki", name)))
    try:
        with SendGridProvider(API_KEY, base_url=sandbox.base_url) as provider:
            (done,) = reconcile_unfinished(provider, other).operations
        assert (done.gone, done.still_listed) == (1, 1)
        # This PC starts again and sends what it kept (a result, and "interrupted").
        _flush(url, outbox)
        assert _outbox_rows(outbox) == 0
        # Before: the late "interrupted" became the operation's state again; it was shown as
        # unfinished and reconciled a second time.
        assert other.unfinished_operations() == ()
        operation = other.operation(operation_id)
        assert operation is not None and operation.state is OperationState.RECONCILED
        results = {e.email: e.result for e in other.entries(operation_id)}
        assert results == {KEPT: EntryResult.DELETED, OTHER: EntryResult.STILL_LISTED}
    finally:
        other.close()


def test_an_outbox_held_by_another_process_does_not_stop_the_journal_opening(
    kept: Kept,
) -> None:
    _, url, admin, operation_id, outbox = kept
    with _held(outbox):  # past SQLite's wait (the window, another CLI)
        # Before: the raw "database is locked" of crossing off the first sent write escaped
        # from opening the journal; the command ended with a traceback.
        _flush(url, outbox)
    assert _outbox_rows(outbox) == 2  # not crossed off: sent again next time
    _flush(url, outbox)
    assert _outbox_rows(outbox) == 0
    assert _count(admin, RESULT_ROWS, operation_id) == 1
    assert _count(admin, INTERRUPTED_ROWS, operation_id) == 1
