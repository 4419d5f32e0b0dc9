"""Team mode: an operator's process dies with kill -9 mid-deletion; another operator on
another machine sees the operation, may reconcile it once the dead session is gone, and the
claims it held are released (real PostgreSQL, real SendGrid imitation, real SIGKILL)."""

from __future__ import annotations

import signal
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest

from app.core.dates import today_jst, unix_bounds
from app.core.deletion.reconcile import reconcile_unfinished
from app.core.providers.sendgrid import SendGridProvider
from app.core.storage.journal_records import ClaimState, NewEntry, OperationMeta
from app.core.storage.team.connection import parse_database_url
from app.core.storage.team.journal_pg import PostgresJournal
from app.core.types import DateRange, ListKind
from app.sandbox.postgres_server import PostgresServer
from app.sandbox.sendgrid_server import SandboxRecord
from tests.helpers.killed_child import kill_when

CHILD = Path(__file__).with_name("crash_delete_child.py")
REPO = Path(__file__).resolve().parents[3]
KEY = "SG.team-crash-key"
COUNT = 250  # three delete requests of 100, 100 and 50; each answered after 300 ms

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX SIGKILL"),
]


def _deleted_so_far(url: str) -> int:
    with psycopg.connect(url) as raw:
        return int(
            raw.execute(
                "SELECT count(*) FROM todoku.entry_current WHERE result = 'deleted'"
            ).fetchone()[0]
        )


def test_crashed_operation_is_reconciled_from_another_machine(
    postgres_server: PostgresServer,
    team_database: Callable[..., str],
    make_sandbox,
) -> None:
    name = team_database({"tanaka": ("田中", "delete"), "suzuki": ("鈴木", "delete")})
    start, _ = unix_bounds(DateRange(today_jst() - timedelta(days=3), today_jst()))
    sandbox = make_sandbox(
        [
            SandboxRecord("bounces", f"c{i:04d}@example.jp", start + i, "550 x")
            for i in range(COUNT)
        ],
        api_keys={KEY: None},
        latency_ms=300,
    )
    admin_url = postgres_server.url(database=name)
    returncode = kill_when(
        [sys.executable, str(CHILD), postgres_server.url("tanaka", name), sandbox.base_url, KEY],
        lambda: _deleted_so_far(admin_url) > 0,  # the first batch is journaled
        never="the child never recorded a result",
        timeout_s=60,
        poll_s=0.05,
        cwd=REPO,
        text=True,
    )
    assert returncode == -signal.SIGKILL

    # Machine B: another operator sees the operation, with who started it.
    other = PostgresJournal(parse_database_url(postgres_server.url("suzuki", name)))
    try:
        (unfinished,) = other.unfinished_operations()
        assert unfinished.display_name == "田中" and unfinished.pending > 0
        # The claims still hold: B cannot start deleting those addresses meanwhile.
        pending_entry = next(e for e in other.entries(unfinished.id) if e.result.value == "pending")
        meta = OperationMeta("kill-test", "", "global", unfinished.base_host, False)
        blocked = other.claim_operation(
            meta, [NewEntry(ListKind.BOUNCES, pending_entry.email, pending_entry.created)]
        )
        assert blocked.operation_id is None
        assert blocked.conflicts[0].state is ClaimState.IN_PROGRESS
        # The server ends the dead session on its own; then B may take the operation over.
        deadline = time.monotonic() + 30
        while not other.take_over(unfinished.id):
            assert time.monotonic() < deadline, "the dead session's lock was never released"
            time.sleep(0.1)
        other.release(unfinished.id)
        time.sleep(1.0)  # the request in flight at the kill still lands at the imitation
        with SendGridProvider(KEY, base_url=sandbox.base_url) as provider:
            summary = reconcile_unfinished(provider, other)
        (done,) = summary.operations
        listed = {r.email for r in sandbox.records("bounces")}
        assert done.recorded_ok + done.gone == COUNT - len(listed)
        assert done.still_listed == len(listed)
        assert other.unfinished_operations() == ()
        # Claims are released: what is still listed can be deleted by B now; what was deleted
        # is reported with who deleted it.
        entries = other.entries(unfinished.id)
        still = next(e for e in entries if e.email in listed) if listed else None
        gone = next(e for e in entries if e.email not in listed)
        again = other.claim_operation(
            meta,
            [NewEntry(ListKind.BOUNCES, e.email, e.created) for e in (gone, still) if e],
        )
        assert [c.email for c in again.conflicts] == [gone.email]
        assert again.conflicts[0].state is ClaimState.DELETED
        assert [e.email for e in again.claimed] == ([still.email] if still else [])
    finally:
        other.close()


def test_server_going_away_mid_deletion_loses_no_journal_row(
    postgres_server: PostgresServer,
    team_database: Callable[..., str],
    make_sandbox,
    tmp_path: Path,
) -> None:
    from app.core.deletion.plan import DeletionContext, plan_deletion
    from app.core.deletion.run import delete_with_record
    from app.core.storage.journal_records import OperationState, SharedStoreUnavailableError

    name = team_database({"tanaka": ("田中", "delete")})
    today = today_jst()
    start, _ = unix_bounds(DateRange(today - timedelta(days=3), today))
    sandbox = make_sandbox(
        [
            SandboxRecord("bounces", f"g{i:04d}@example.jp", start + i, "550 x")
            for i in range(COUNT)
        ],
        api_keys={KEY: None},
        latency_ms=400,
    )
    admin_url = postgres_server.url(database=name)
    store = PostgresJournal(
        parse_database_url(postgres_server.url("tanaka", name)),
        outbox_path=tmp_path / "outbox.sqlite3",
    )
    with SendGridProvider(KEY, base_url=sandbox.base_url) as provider:
        fetched = provider.fetch(DateRange(today - timedelta(days=3), today), [ListKind.BOUNCES])
        plan = plan_deletion((entry, None) for entry in fetched.entries)

        def kill_after_first_batch() -> None:
            deadline = time.monotonic() + 30
            while _deleted_so_far(admin_url) == 0 and time.monotonic() < deadline:
                time.sleep(0.02)
            postgres_server.kill()

        import threading

        killer = threading.Thread(target=kill_after_first_batch)
        killer.start()
        try:
            with pytest.raises(SharedStoreUnavailableError) as raised:
                delete_with_record(provider, store, plan, context=DeletionContext("本番"))
        finally:
            killer.join()
            postgres_server.restart()
    assert raised.value.message_ja == "共有データベースに接続できません。"
    kept = store.outbox_count()
    assert kept >= 2  # the results learnt while the server was away, and the state
    assert store.flush_outbox() == kept
    (operation,) = store.list_operations()
    entries = store.entries(operation.id)
    deleted_at_imitation = COUNT - len(sandbox.records("bounces"))
    assert sum(e.result.value == "deleted" for e in entries) == deleted_at_imitation
    assert deleted_at_imitation >= 200  # the batch in flight at the kill is journaled too
    assert operation.state is OperationState.INTERRUPTED  # reconcile finishes it
    store.close()
