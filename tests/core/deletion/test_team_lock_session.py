"""Team mode: the session holding "this operation runs here" (an advisory lock) ends while a
deletion runs. The new session takes the lock back before the next request, so another
machine cannot reconcile the live operation; if another machine took it in the gap, the local
run stops with a Japanese error, sends nothing more, and keeps what it recorded (real
PostgreSQL, pg_terminate_backend on the lock session, real SendGrid imitation)."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import psycopg
import pytest

from app.core.deletion.plan import DeletionContext, plan_deletion
from app.core.deletion.run import delete_with_record
from app.core.providers.sendgrid import SendGridProvider
from app.core.storage.journal_records import (
    EntryResult,
    NewEntry,
    OperationMeta,
    OperationState,
    OperationTakenOverError,
)
from app.core.storage.team.connection import parse_database_url
from app.core.storage.team.journal_pg import _LOCK_SPACE, PostgresJournal
from app.core.types import ListKind, SuppressionEntry
from app.sandbox.postgres_server import PostgresServer
from app.sandbox.sendgrid_server import SandboxRecord, SendGridSandbox
from tests.helpers.core_sandbox import API_KEY

CREATED = datetime(2026, 11, 3, tzinfo=UTC)
_operations = itertools.count()
META = OperationMeta("本番", "", "global", "api.sendgrid.com", False, "テスト")


@pytest.fixture
def two_machines(
    postgres_server: PostgresServer, team_database: Callable[..., str]
) -> Iterator[tuple[PostgresJournal, PostgresJournal, str]]:
    name = team_database({"tanaka": ("田中", "delete"), "suzuki": ("鈴木", "delete")})
    here = PostgresJournal(parse_database_url(postgres_server.url("tanaka", name)))
    there = PostgresJournal(parse_database_url(postgres_server.url("suzuki", name)))
    yield here, there, name
    here.close()
    there.close()


def lock_holder(server: PostgresServer, database: str, operation_id: int) -> int | None:
    """The server process holding an operation's advisory lock (None: nobody)."""
    with psycopg.connect(server.url(database=database), autocommit=True) as admin:
        row = admin.execute(
            "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted"
            " AND classid::bigint = %s AND objid::bigint = %s AND objsubid = 2",
            (_LOCK_SPACE, operation_id),
        ).fetchone()
    return None if row is None else int(row[0])


def terminate_lock_session(server: PostgresServer, database: str, operation_id: int) -> int:
    """End (only) the session holding the operation's lock, and wait until its lock is gone."""
    pid = lock_holder(server, database, operation_id)
    assert pid is not None, "nobody holds the operation"
    with psycopg.connect(server.url(), autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
    deadline = time.monotonic() + 10
    while lock_holder(server, database, operation_id) == pid:
        assert time.monotonic() < deadline, "the terminated session kept its lock"
        time.sleep(0.02)
    return pid


def claim(store: PostgresJournal, count: int) -> int:
    """A new operation on addresses of its own (claims of two operations never overlap)."""
    prefix = f"op{next(_operations)}-"
    entries = [NewEntry(ListKind.BOUNCES, f"{prefix}{i}@example.jp", CREATED) for i in range(count)]
    operation_id = store.claim_operation(META, entries).operation_id
    assert operation_id is not None
    return operation_id


def test_the_lock_is_taken_back_before_more_work_and_others_stay_out(
    two_machines: tuple[PostgresJournal, PostgresJournal, str], postgres_server: PostgresServer
) -> None:
    here, there, name = two_machines
    first, second = claim(here, 2), claim(here, 1)
    assert here.take_over(first) and here.take_over(second)
    old_pid = terminate_lock_session(postgres_server, name, first)
    here.ensure_held(first)  # reconnects and takes both locks back
    new_pid = lock_holder(postgres_server, name, first)
    assert new_pid is not None and new_pid != old_pid
    assert lock_holder(postgres_server, name, second) == new_pid
    assert not there.take_over(first) and not there.take_over(second)
    assert not here.take_over(first)  # still this process's, not handed out twice
    here.release(first)
    assert there.take_over(first)  # released for real on the new session


def test_the_lock_is_also_taken_back_by_a_take_over_on_the_new_session(
    two_machines: tuple[PostgresJournal, PostgresJournal, str], postgres_server: PostgresServer
) -> None:
    """Whichever call meets the ended session first (here a reconcile's take_over of another
    operation), the held locks come back with the new session."""
    here, there, name = two_machines
    running, other = claim(here, 1), claim(there, 1)
    assert here.take_over(running)
    terminate_lock_session(postgres_server, name, running)
    assert here.take_over(other)
    assert not there.take_over(running)
    here.ensure_held(running)


def test_an_operation_taken_over_meanwhile_is_lost_and_stays_lost(
    two_machines: tuple[PostgresJournal, PostgresJournal, str], postgres_server: PostgresServer
) -> None:
    here, there, name = two_machines
    lost, kept = claim(here, 1), claim(here, 1)
    assert here.take_over(lost) and here.take_over(kept)
    terminate_lock_session(postgres_server, name, lost)
    assert there.take_over(lost)  # another PC's reconcile, in the gap
    with pytest.raises(OperationTakenOverError) as raised:
        here.ensure_held(lost)
    assert f"#{lost}" in raised.value.message_ja and "別のPC" in raised.value.message_ja
    here.ensure_held(kept)  # the other one came back
    assert not there.take_over(kept)
    there.release(lost)
    with pytest.raises(OperationTakenOverError):
        here.ensure_held(lost)  # no silent resumption once another machine had it
    assert not here.take_over(lost)
    here.release(lost)


def _sendgrid(sandbox: SendGridSandbox) -> SendGridProvider:
    return SendGridProvider(API_KEY, base_url=sandbox.base_url, max_retries=0, timeout_s=5)


def _bounce_plan(count: int) -> tuple[list[SandboxRecord], object]:
    stamp = int(CREATED.timestamp())
    records = [SandboxRecord("bounces", f"b{i:03d}@example.jp", stamp, "550") for i in range(count)]
    entries = [
        (SuppressionEntry(ListKind.BOUNCES, r.email, CREATED, "5.1.1", "550", ""), None)
        for r in records
    ]
    return records, plan_deletion(entries)


def _deletes(sandbox: SendGridSandbox) -> int:
    return sum(r.method == "DELETE" for r in sandbox.request_log)


def test_a_deletion_keeps_its_operation_across_a_lost_lock_session(
    two_machines: tuple[PostgresJournal, PostgresJournal, str],
    postgres_server: PostgresServer,
    make_sandbox: Callable[..., SendGridSandbox],
) -> None:
    here, there, name = two_machines
    records, plan = _bounce_plan(250)  # three requests: 100, 100, 50
    sandbox = make_sandbox(records)
    refused: list[bool] = []

    def after_batch(_page: object) -> None:
        (operation,) = here.unfinished_operations()
        if _deletes(sandbox) == 1:
            terminate_lock_session(postgres_server, name, operation.id)
        elif _deletes(sandbox) == 2:  # the lock was taken back before this batch was sent
            refused.append(not there.take_over(operation.id))

    with _sendgrid(sandbox) as provider:
        report = delete_with_record(
            provider, here, plan, context=DeletionContext("本番"), on_page=after_batch
        )
    assert refused == [True]
    assert len(report.succeeded) == 250 and _deletes(sandbox) == 3
    record = here.operation(report.operation_id)
    assert record is not None and record.state is OperationState.DONE
    assert there.take_over(report.operation_id)  # released when it ended


@pytest.mark.parametrize("count", [250, 60])  # more requests to come / the last one was sent
def test_a_deletion_taken_over_meanwhile_stops_and_keeps_what_it_recorded(
    two_machines: tuple[PostgresJournal, PostgresJournal, str],
    postgres_server: PostgresServer,
    make_sandbox: Callable[..., SendGridSandbox],
    count: int,
) -> None:
    """Taken over after the first request: no further request, and (also when that was the
    last one) the record is not closed here: the reconcile that took it closes it."""
    here, there, name = two_machines
    records, plan = _bounce_plan(count)
    sandbox = make_sandbox(records)
    taken: list[int] = []

    def after_first_batch(_page: object) -> None:
        if not taken:  # the session ends and another PC's reconcile takes the operation
            (operation,) = here.unfinished_operations()
            terminate_lock_session(postgres_server, name, operation.id)
            assert there.take_over(operation.id)
            taken.append(operation.id)

    with _sendgrid(sandbox) as provider, pytest.raises(OperationTakenOverError) as raised:
        delete_with_record(
            provider, here, plan, context=DeletionContext("本番"), on_page=after_first_batch
        )
    assert "このPCでの削除を止めました" in raised.value.message_ja
    assert _deletes(sandbox) == 1  # no request after the loss
    sent = min(count, 100)
    assert len(sandbox.records("bounces")) == count - sent
    (operation_id,) = taken
    results = [e.result for e in there.entries(operation_id)]
    assert results.count(EntryResult.DELETED) == sent  # the first batch's rows stay
    assert results.count(EntryResult.PENDING) == count - sent  # for the reconcile that took it
    record = there.operation(operation_id)
    assert record is not None and record.state is OperationState.RUNNING  # not reopened here
