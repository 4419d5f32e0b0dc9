"""What only the shared PostgreSQL store does: roles, append-only audit, liveness across
machines, the outbox when the server goes away, and moving a PC's journal in."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest

from app.core.storage.journal import DeletionJournal
from app.core.storage.journal_records import (
    EntryResult,
    JournalPermissionError,
    NewEntry,
    OperationMeta,
    OperationState,
    ResultUpdate,
    SharedStoreUnavailableError,
)
from app.core.storage.team.connection import parse_database_url
from app.core.storage.team.journal_pg import PostgresJournal
from app.core.storage.team.migrate import upgrade
from app.core.storage.team.schema import SCHEMA_VERSION
from app.core.types import ListKind
from app.sandbox.postgres_server import PostgresServer

CREATED = datetime(2026, 11, 3, 1, 2, 3, tzinfo=UTC)
META = OperationMeta("本番", "", "global", "api.sendgrid.com", False, "テスト")
OPERATORS = {"tanaka": ("田中", "delete"), "sato": ("佐藤", "view")}


def entries(count: int, prefix: str = "user") -> list[NewEntry]:
    return [
        NewEntry(ListKind.BOUNCES, f"{prefix}{i}@example.jp", CREATED, "5.1.1", "550 unknown")
        for i in range(count)
    ]


@pytest.fixture
def team(
    postgres_server: PostgresServer, team_database: Callable[..., str], tmp_path: Path
) -> Callable[..., PostgresJournal]:
    name = team_database(OPERATORS)
    opened: list[PostgresJournal] = []

    def open_store(user: str = "tanaka", outbox: bool = True) -> PostgresJournal:
        store = PostgresJournal(
            parse_database_url(postgres_server.url(user, name)),
            outbox_path=tmp_path / f"outbox-{user}.sqlite3" if outbox else None,
        )
        opened.append(store)
        return store

    open_store.database = name  # type: ignore[attr-defined]
    yield open_store
    for store in opened:
        store.close()


def test_view_operator_is_refused_claims_even_with_plain_sql(
    team: Callable[..., PostgresJournal], postgres_server: PostgresServer
) -> None:
    viewer = team("sato")
    operator = viewer.current_operator()
    assert (operator.display_name, operator.may_delete, operator.role.label_ja) == (
        "佐藤",
        False,
        "閲覧",
    )
    with pytest.raises(JournalPermissionError) as raised:
        viewer.claim_operation(META, entries(1))
    assert "閲覧" in raised.value.message_ja
    assert viewer.list_operations() == ()  # nothing was written
    # The rule is the database's, not the app's: a script with the same login is refused too.
    url = postgres_server.url("sato", team.database)  # type: ignore[attr-defined]
    with psycopg.connect(url) as raw, pytest.raises(psycopg.errors.InsufficientPrivilege):
        raw.execute(
            "INSERT INTO todoku.operations (os_user, account_label, subuser, region,"
            " base_host, practice, note) VALUES ('x', '', '', 'global', 'h', false, '')"
        )


def test_operator_name_comes_from_the_registration_not_the_client(
    team: Callable[..., PostgresJournal],
) -> None:
    store = team("tanaka")
    claim = store.claim_operation(
        OperationMeta("本番", "", "global", "api.sendgrid.com", display_name="偽名"), entries(1)
    )
    assert claim.operation_id is not None
    record = store.operation(claim.operation_id)
    assert record is not None and record.display_name == "田中" and record.os_user


def test_audit_rows_cannot_be_altered_or_deleted(
    team: Callable[..., PostgresJournal], postgres_server: PostgresServer
) -> None:
    store = team("tanaka")
    claim = store.claim_operation(META, entries(2))
    assert claim.operation_id is not None
    store.record_results(
        claim.operation_id,
        [ResultUpdate(ListKind.BOUNCES, "user0@example.jp", EntryResult.DELETED)],
    )
    database = team.database  # type: ignore[attr-defined]
    statements = [
        "UPDATE todoku.operations SET note = 'changed'",
        "DELETE FROM todoku.operation_entries",
        "UPDATE todoku.entry_results SET result = 'failed'",
        "DELETE FROM todoku.operation_states",
        "TRUNCATE todoku.entry_results",
        "UPDATE todoku.operators SET role = 'delete'",
    ]
    with psycopg.connect(postgres_server.url("tanaka", database), autocommit=True) as app:
        for statement in statements:
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                app.execute(statement)
    # Even the owner (a superuser here) meets the append-only trigger.
    with psycopg.connect(postgres_server.url(database=database), autocommit=True) as owner:
        for statement in statements[:5]:
            with pytest.raises(psycopg.errors.InsufficientPrivilege) as raised:
                owner.execute(statement)
            assert "append-only" in str(raised.value)
    entries_now = store.entries(claim.operation_id)
    assert [e.result for e in entries_now] == [EntryResult.DELETED, EntryResult.PENDING]


def test_upgrade_is_idempotent_and_explicit(
    team: Callable[..., PostgresJournal], postgres_server: PostgresServer
) -> None:
    url = postgres_server.url(database=team.database)  # type: ignore[attr-defined]
    assert upgrade(parse_database_url(url)) == (SCHEMA_VERSION, SCHEMA_VERSION)
    # An operator's login may not migrate.
    with pytest.raises(Exception) as raised:
        upgrade(parse_database_url(postgres_server.url("tanaka", team.database)))  # type: ignore[attr-defined]
    assert "権限" in getattr(raised.value, "message_ja", "")


def test_live_operation_is_left_alone_and_a_crashed_one_is_taken_over(
    team: Callable[..., PostgresJournal],
) -> None:
    machine_a, machine_b = team("tanaka"), team("tanaka")
    claim = machine_a.claim_operation(META, entries(2))
    assert claim.operation_id is not None
    assert machine_a.take_over(claim.operation_id)
    # Machine B sees it in progress, with who started it, but may not reconcile it.
    unfinished = machine_b.unfinished_operations()
    assert [(op.id, op.display_name) for op in unfinished] == [(claim.operation_id, "田中")]
    assert not machine_b.take_over(claim.operation_id)
    # Machine A dies (its connections close): B may now take it over.
    machine_a.close()
    deadline = time.monotonic() + 10  # the server ends the dead session asynchronously
    taken = machine_b.take_over(claim.operation_id)
    while not taken and time.monotonic() < deadline:
        time.sleep(0.05)
        taken = machine_b.take_over(claim.operation_id)
    assert taken
    assert not machine_b.take_over(claim.operation_id)  # held by this process: leave it
    machine_b.release(claim.operation_id)


def test_server_going_away_keeps_results_locally_and_sends_them_later(
    team: Callable[..., PostgresJournal], postgres_server: PostgresServer
) -> None:
    store = team("tanaka")
    claim = store.claim_operation(META, entries(3))
    assert claim.operation_id is not None
    op_id = claim.operation_id
    store.set_state(op_id, OperationState.RUNNING)
    postgres_server.kill()
    try:
        with pytest.raises(SharedStoreUnavailableError) as raised:
            store.record_results(
                op_id,
                [
                    ResultUpdate(ListKind.BOUNCES, "user0@example.jp", EntryResult.DELETED),
                    ResultUpdate(ListKind.BOUNCES, "user1@example.jp", EntryResult.NOT_FOUND),
                ],
            )
        assert "共有データベース" in raised.value.message_ja
        assert "このPCに保存してあり" in raised.value.next_step_ja  # this write was kept
        with pytest.raises(SharedStoreUnavailableError):
            store.set_state(op_id, OperationState.INTERRUPTED)
        assert store.outbox_count() == 2
        # Nothing can be claimed while the server is away (and nothing is queued for it).
        with pytest.raises(SharedStoreUnavailableError) as refused:
            store.claim_operation(META, entries(1, prefix="new"))
        assert "このPCに保存" not in refused.value.next_step_ja
    finally:
        postgres_server.restart()
    assert store.flush_outbox() == 2
    assert store.flush_outbox() == 0
    assert [e.result for e in store.entries(op_id)] == [
        EntryResult.DELETED,
        EntryResult.NOT_FOUND,
        EntryResult.PENDING,
    ]
    record = store.operation(op_id)
    assert record is not None and record.state is OperationState.INTERRUPTED


def terminate_sessions(server: PostgresServer, database: str) -> int:
    """End every session of ``database`` from the server side (as a restart or an idle-session
    timeout would): each client finds out only when it next uses its connection."""
    with psycopg.connect(server.url(), autocommit=True) as admin:
        rows = admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = %s AND pid <> pg_backend_pid()",
            (database,),
        ).fetchall()
    time.sleep(0.2)  # the backends exit asynchronously
    return len(rows)


def count_rows(server: PostgresServer, database: str, table: str) -> int:
    with psycopg.connect(server.url(database=database)) as raw:
        row = raw.execute(f"SELECT count(*) FROM todoku.{table}").fetchone()
    assert row is not None
    return int(row[0])


def test_a_terminated_session_is_reconnected_once_transparently(
    team: Callable[..., PostgresJournal], postgres_server: PostgresServer
) -> None:
    """The first write after the server ended the session neither fails nor goes to the
    outbox, and every row is stored exactly once (reads, single statements, transactions)."""
    from app.core.storage.team.history_pg import PostgresHistoryStore

    name = team.database  # type: ignore[attr-defined]
    store = team("tanaka")
    claim = store.claim_operation(META, entries(3))
    assert claim.operation_id is not None
    op_id = claim.operation_id

    assert terminate_sessions(postgres_server, name) >= 1
    store.set_state(op_id, OperationState.RUNNING)  # a single statement (autocommit)
    assert terminate_sessions(postgres_server, name) >= 1
    store.record_results(
        op_id,
        [
            ResultUpdate(ListKind.BOUNCES, "user0@example.jp", EntryResult.DELETED),
            ResultUpdate(ListKind.BOUNCES, "user1@example.jp", EntryResult.NOT_FOUND),
        ],
    )
    assert terminate_sessions(postgres_server, name) >= 1
    assert [e.result.value for e in store.entries(op_id)] == ["deleted", "not_found", "pending"]
    assert terminate_sessions(postgres_server, name) >= 1
    again = store.claim_operation(META, entries(1, prefix="next"))  # a transaction
    assert again.operation_id is not None and not again.conflicts
    assert terminate_sessions(postgres_server, name) >= 1
    assert store.take_over(again.operation_id)  # the advisory-lock connection too
    assert store.outbox_count() == 0
    assert count_rows(postgres_server, name, "entry_results") == 2
    assert count_rows(postgres_server, name, "operations") == 2
    assert count_rows(postgres_server, name, "operation_states") == 3  # pending, running, pending

    history = PostgresHistoryStore(store.database)
    try:
        assert history.accounts() == ()
        assert terminate_sessions(postgres_server, name) >= 1
        assert history.accounts() == ()
    finally:
        history.close()


def kept_while_away(server: PostgresServer, write: Callable[[], None]) -> None:
    """``write`` while the server is down: it fails in Japanese (and is kept); then restart."""
    server.kill()
    try:
        with pytest.raises(SharedStoreUnavailableError):
            write()
    finally:
        server.restart()


def test_a_restarted_server_is_reconnected_and_kept_rows_are_sent_once(
    team: Callable[..., PostgresJournal], postgres_server: PostgresServer
) -> None:
    name = team.database  # type: ignore[attr-defined]
    store = team("tanaka")
    claim = store.claim_operation(META, entries(2))
    assert claim.operation_id is not None
    op_id = claim.operation_id
    postgres_server.kill()  # restarted while this store's connection sits idle
    postgres_server.restart()
    store.set_state(op_id, OperationState.RUNNING)  # no error: connected again once
    assert store.outbox_count() == 0
    kept_while_away(postgres_server, lambda: store.set_state(op_id, OperationState.RUNNING))
    assert store.outbox_count() == 1
    # The server is back: this thread's connection died with the old one. The next write
    # reconnects by itself, sends the kept row first, then its own.
    store.record_results(
        op_id, [ResultUpdate(ListKind.BOUNCES, "user0@example.jp", EntryResult.DELETED)]
    )
    assert store.outbox_count() == 0
    assert store.flush_outbox() == 0
    record = store.operation(op_id)
    assert record is not None and record.state is OperationState.RUNNING
    assert count_rows(postgres_server, name, "entry_results") == 1
    assert count_rows(postgres_server, name, "operation_states") == 3  # pending, running ×2

    # Kept rows are also sent on their own (the window's timer calls flush_outbox).
    kept_while_away(postgres_server, lambda: store.set_state(op_id, OperationState.DONE))
    assert store.flush_outbox() == 1 and store.outbox_count() == 0
    record = store.operation(op_id)
    assert record is not None and record.state is OperationState.DONE
    assert count_rows(postgres_server, name, "operation_states") == 4


def test_resent_write_is_not_stored_twice(team: Callable[..., PostgresJournal]) -> None:
    store = team("tanaka")
    claim = store.claim_operation(META, entries(1))
    assert claim.operation_id is not None
    payload = {
        "operation_id": claim.operation_id,
        "rows": [
            [
                "bounces",
                "user0@example.jp",
                "deleted",
                "",
                CREATED.isoformat(),
                "00000000-0000-4000-8000-000000000001",
            ]
        ],
    }
    store._run(lambda c: store._apply_results(c, payload), write=True)
    store._run(lambda c: store._apply_results(c, payload), write=True)  # as a resend would
    with psycopg.connect(store.database.conninfo()) as raw:
        count = raw.execute("SELECT count(*) FROM todoku.entry_results").fetchone()
    assert count == (1,)


def test_moving_this_pcs_journal_is_idempotent(
    team: Callable[..., PostgresJournal], tmp_path: Path
) -> None:
    from app.core.storage.team.import_local import move_local_journal

    local = DeletionJournal(tmp_path / "journal.sqlite3")
    op_id = local.create_operation(OperationMeta("本番", note="移行前"), entries(3))
    local.record_results(
        op_id, [ResultUpdate(ListKind.BOUNCES, "user0@example.jp", EntryResult.DELETED)]
    )
    local.set_state(op_id, OperationState.DONE)
    store = team("tanaka")
    first = move_local_journal(local, store)
    second = move_local_journal(local, store)
    assert (first.moved, first.already_there) == (1, 0)
    assert (second.moved, second.already_there) == (0, 1)
    (moved,) = store.list_operations()
    assert (moved.note, moved.total, moved.succeeded, moved.state) == (
        "移行前",
        3,
        1,
        OperationState.DONE,
    )
    assert moved.started_at == local.operation(op_id).started_at  # type: ignore[union-attr]
    local.close()


def test_mask_address_keeps_the_audit_row_and_records_the_erasure(
    team: Callable[..., PostgresJournal], postgres_server: PostgresServer
) -> None:
    store = team("tanaka")
    claim = store.claim_operation(META, entries(2))
    assert claim.operation_id is not None
    store.record_results(
        claim.operation_id,
        [ResultUpdate(ListKind.BOUNCES, "user0@example.jp", EntryResult.DELETED, "ok user0")],
    )
    assert [
        d[1] for d in store.successful_deletions(subuser="", region="global", practice=False)
    ] == ["user0@example.jp"]
    with pytest.raises(JournalPermissionError):
        team("sato").mask_address("user0@example.jp")
    assert store.mask_address("USER0@example.jp") == 1
    masked, kept = store.entries(claim.operation_id)
    assert masked.email.startswith("（消去済み #") and masked.reason == "" and masked.detail == ""
    assert masked.result is EntryResult.DELETED and kept.email == "user1@example.jp"
    database = team.database  # type: ignore[attr-defined]
    with psycopg.connect(postgres_server.url(database=database), autocommit=True) as owner:
        assert owner.execute("SELECT masked_rows, db_user FROM todoku.erasures").fetchall() == [
            (1, "tanaka")
        ]
        found = owner.execute(
            "SELECT count(*) FROM todoku.operation_entries WHERE email ILIKE '%user0%'"
        ).fetchone()
        assert found == (0,)
        # The append-only rule is back in force after the erasure.
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            owner.execute("UPDATE todoku.operation_entries SET reason = 'x'")
