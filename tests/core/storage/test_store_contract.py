"""The storage contract: the SQLite journal and the shared PostgreSQL journal behave alike.

Every test here runs against both backends (a real PostgreSQL started on loopback by the
``postgres_server`` fixture, never a mock).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.core.storage.journal import DeletionJournal
from app.core.storage.journal_records import (
    ClaimState,
    EntryResult,
    JournalSchemaTooNewError,
    NewEntry,
    OperationMeta,
    OperationQuery,
    OperationState,
    ResultUpdate,
)
from app.core.storage.journal_store import JournalStore
from app.core.types import ListKind

CREATED = datetime(2026, 11, 3, 1, 2, 3, tzinfo=UTC)
META = OperationMeta("本番", "sub1", "global", "api.sendgrid.com", False, "テスト")

OpenStore = Callable[..., JournalStore]


def entries(count: int, prefix: str = "user", created: datetime | None = CREATED) -> list[NewEntry]:
    return [
        NewEntry(ListKind.BOUNCES, f"{prefix}{i}@example.jp", created, "5.1.1", "550 unknown")
        for i in range(count)
    ]


@pytest.fixture(params=["sqlite", "postgresql"])
def open_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[OpenStore]:
    """``open_store(user)`` opens the same journal as another operator would (same file or
    same database)."""
    opened: list[JournalStore] = []
    if request.param == "sqlite":

        def open_sqlite(user: str = "tanaka") -> JournalStore:
            del user
            store = DeletionJournal(tmp_path / "journal.sqlite3")
            opened.append(store)
            return store

        yield open_sqlite
    else:
        from app.core.storage.team.connection import parse_database_url
        from app.core.storage.team.journal_pg import PostgresJournal

        server = request.getfixturevalue("postgres_server")
        name = request.getfixturevalue("team_database")(
            {"tanaka": ("田中", "delete"), "suzuki": ("鈴木", "delete"), "sato": ("佐藤", "view")}
        )

        def open_pg(user: str = "tanaka") -> JournalStore:
            store = PostgresJournal(
                parse_database_url(server.url(user, name)),
                outbox_path=tmp_path / f"outbox-{user}.sqlite3",
                os_user=f"os-{user}",
            )
            opened.append(store)
            return store

        yield open_pg
    for store in opened:
        store.close()


def test_operation_entries_and_results_read_back(open_store: OpenStore) -> None:
    store = open_store()
    claim = store.claim_operation(META, entries(3))
    assert claim.operation_id is not None and len(claim.claimed) == 3 and not claim.conflicts
    op_id = claim.operation_id
    record = store.operation(op_id)
    assert record is not None
    assert (record.total, record.pending, record.state) == (3, 3, OperationState.PENDING)
    store.set_state(op_id, OperationState.RUNNING)
    store.record_results(
        op_id,
        [
            ResultUpdate(ListKind.BOUNCES, "user0@example.jp", EntryResult.DELETED),
            ResultUpdate(ListKind.BOUNCES, "user1@example.jp", EntryResult.FAILED, "HTTP 500"),
        ],
    )
    store.record_results(
        op_id, [ResultUpdate(ListKind.BOUNCES, "user1@example.jp", EntryResult.DELETED)]
    )
    record = store.operation(op_id)
    assert record is not None
    assert (record.succeeded, record.failed, record.pending) == (2, 0, 1)
    assert record.state is OperationState.RUNNING and record.finished_at is None
    assert [op.id for op in store.unfinished_operations()] == [op_id]
    store.set_state(op_id, OperationState.DONE)
    record = store.operation(op_id)
    assert record is not None and record.finished_at is not None
    assert store.unfinished_operations() == ()
    rows = store.entries(op_id)
    assert [(e.email, e.result) for e in rows] == [
        ("user0@example.jp", EntryResult.DELETED),
        ("user1@example.jp", EntryResult.DELETED),
        ("user2@example.jp", EntryResult.PENDING),
    ]
    assert rows[0].created == CREATED and rows[0].reason == "550 unknown"
    assert [e.email for e in store.entries(op_id, [EntryResult.PENDING])] == ["user2@example.jp"]
    found = store.list_operations(OperationQuery(text="USER2@example"))
    assert [op.id for op in found] == [op_id]
    assert store.list_operations(OperationQuery(text="nobody@")) == ()


def test_overlapping_claims_second_operator_sees_who_holds_them(open_store: OpenStore) -> None:
    first, second = open_store("tanaka"), open_store("suzuki")
    claim_a = first.claim_operation(META, entries(4))
    assert claim_a.operation_id is not None
    # Two of these overlap with the first operation (case differs: same address).
    overlap = [*entries(2, prefix="USER"), *entries(2, prefix="other")]
    claim_b = second.claim_operation(META, overlap)
    assert claim_b.operation_id is not None
    assert sorted(e.email for e in claim_b.claimed) == ["other0@example.jp", "other1@example.jp"]
    assert sorted(c.email for c in claim_b.conflicts) == ["USER0@example.jp", "USER1@example.jp"]
    conflict = claim_b.conflicts[0]
    assert (
        conflict.state is ClaimState.IN_PROGRESS and conflict.operation_id == claim_a.operation_id
    )
    assert "削除中" in conflict.label_ja
    # Another account: no conflict.
    other_account = OperationMeta("別", "sub2", "global", "api.sendgrid.com", False)
    assert not second.claim_operation(other_account, entries(1)).conflicts


def test_a_deleted_listing_is_not_claimed_again_but_a_newer_listing_is(
    open_store: OpenStore,
) -> None:
    first, second = open_store("tanaka"), open_store("suzuki")
    claim = first.claim_operation(META, entries(2))
    assert claim.operation_id is not None
    first.set_state(claim.operation_id, OperationState.RUNNING)
    first.record_results(
        claim.operation_id,
        [
            ResultUpdate(ListKind.BOUNCES, "user0@example.jp", EntryResult.DELETED),
            ResultUpdate(ListKind.BOUNCES, "user1@example.jp", EntryResult.FAILED, "HTTP 500"),
        ],
    )
    again = second.claim_operation(META, entries(2))
    # user0 was deleted after that listing was created: the second operator sees who did it.
    assert [c.email for c in again.conflicts] == ["user0@example.jp"]
    deleted = again.conflicts[0]
    assert deleted.state is ClaimState.DELETED and deleted.operation_id == claim.operation_id
    assert deleted.label_ja.endswith("に削除済み")
    # user1 failed: its claim was released, so it can be tried again.
    assert [e.email for e in again.claimed] == ["user1@example.jp"]
    assert again.operation_id is not None
    second.record_results(
        again.operation_id,
        [ResultUpdate(ListKind.BOUNCES, "user1@example.jp", EntryResult.DELETED)],
    )
    second.set_state(again.operation_id, OperationState.DONE)
    # Listed again later (再発): a new listing may be deleted again.
    later = datetime.now(UTC) + timedelta(minutes=5)
    claim_new = first.claim_operation(META, entries(1, created=later))
    assert claim_new.operation_id is not None and not claim_new.conflicts
    # Nothing left to claim: no operation is written.
    first.set_state(claim_new.operation_id, OperationState.DONE)
    nothing = second.claim_operation(META, entries(1)[:0] + entries(1, prefix="user"))
    assert nothing.operation_id is None and len(nothing.conflicts) == 1


def test_a_listing_stamped_ahead_of_the_clock_is_deleted_once(open_store: OpenStore) -> None:
    """Clock skew: the provider stamps ``created`` an hour ahead of the clock that records the
    deletion (the result's time is then *before* the listing's). The same listing must still
    not be claimed again; a later listing of the address (再発) still may."""
    ahead = datetime.now(UTC) + timedelta(hours=1)
    first, second = open_store("tanaka"), open_store("suzuki")
    claim = first.claim_operation(META, entries(2, created=ahead))
    assert claim.operation_id is not None
    first.set_state(claim.operation_id, OperationState.RUNNING)
    first.record_results(
        claim.operation_id,
        [ResultUpdate(e.list_kind, e.email, EntryResult.DELETED) for e in claim.claimed],
    )
    first.set_state(claim.operation_id, OperationState.DONE)  # every claim released

    again = second.claim_operation(META, entries(2, created=ahead))
    assert again.operation_id is None and again.claimed == ()
    assert sorted(c.email for c in again.conflicts) == ["user0@example.jp", "user1@example.jp"]
    assert all(c.state is ClaimState.DELETED for c in again.conflicts)
    assert {c.operation_id for c in again.conflicts} == {claim.operation_id}
    # Upper-case in another listing of the grid: the same entry all the same.
    shouted = [NewEntry(ListKind.BOUNCES, "USER0@EXAMPLE.JP", ahead, "5.1.1", "550")]
    assert second.claim_operation(META, shouted).operation_id is None
    # Listed again after that (a newer created, still ahead of the clock): may be deleted.
    relisted = second.claim_operation(META, entries(1, created=ahead + timedelta(minutes=30)))
    assert relisted.operation_id is not None and not relisted.conflicts
    second.set_state(relisted.operation_id, OperationState.DONE)


# An Amazon SES account as the window and todoku-cli now file it, and as older todoku-cli
# versions did (their --region, meaningless for SES): the same account on the same server.
SES_META = OperationMeta(
    "本番 ses:本番", "", "ap-northeast-1", "email.ap-northeast-1.amazonaws.com"
)
SES_META_OLDER_CLI = OperationMeta("CLI ses:本番", "", "global", SES_META.base_host)


def test_claims_an_older_cli_filed_under_global_are_still_seen(open_store: OpenStore) -> None:
    first, second = open_store("tanaka"), open_store("suzuki")
    older = first.claim_operation(SES_META_OLDER_CLI, entries(2))
    assert older.operation_id is not None
    held = second.claim_operation(SES_META, entries(1))
    assert held.operation_id is None
    assert [(c.state, c.operation_id) for c in held.conflicts] == [
        (ClaimState.IN_PROGRESS, older.operation_id)
    ]
    first.set_state(older.operation_id, OperationState.RUNNING)
    first.record_results(
        older.operation_id,
        [
            ResultUpdate(ListKind.BOUNCES, "user0@example.jp", EntryResult.DELETED),
            ResultUpdate(ListKind.BOUNCES, "user1@example.jp", EntryResult.FAILED, "HTTP 500"),
        ],
    )
    again = second.claim_operation(SES_META, entries(2))
    assert [(c.email, c.state) for c in again.conflicts] == [
        ("user0@example.jp", ClaimState.DELETED)
    ]
    assert [e.email for e in again.claimed] == ["user1@example.jp"]
    # 再発 reads the older record under the account's region too.
    found = second.successful_deletions(subuser="", region="ap-northeast-1", practice=False)
    assert [email for _, email, *_ in found] == ["user0@example.jp"]


def test_another_spelling_is_no_alias_for_sendgrid_or_practice(open_store: OpenStore) -> None:
    store = open_store()
    eu = OperationMeta("本番", "", "eu", "api.sendgrid.com")
    assert store.claim_operation(eu, entries(1)).operation_id is not None
    glob = OperationMeta("本番", "", "global", "api.sendgrid.com")
    assert not store.claim_operation(glob, entries(1)).conflicts
    practice = OperationMeta("練習", "", "global", "127.0.0.1:9", True)
    assert store.claim_operation(practice, entries(1)).operation_id is not None
    cmc_practice = OperationMeta("練習 cmc:本番", "", "", "127.0.0.1:9", True)
    assert not store.claim_operation(cmc_practice, entries(1)).conflicts


def test_done_operation_releases_claims_of_unrecorded_entries(open_store: OpenStore) -> None:
    store = open_store()
    claim = store.claim_operation(META, entries(1, created=None))
    assert claim.operation_id is not None
    store.set_state(claim.operation_id, OperationState.DONE)
    again = open_store("suzuki").claim_operation(META, entries(1, created=None))
    assert again.operation_id is not None and not again.conflicts


def test_schema_newer_than_the_app_is_refused(
    open_store: OpenStore, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    store = open_store()
    assert store.schema_version >= 1
    store.close()
    if isinstance(store, DeletionJournal):
        import sqlite3

        with sqlite3.connect(store.path) as raw:
            raw.execute("UPDATE schema_version SET version = 99")
    else:
        import psycopg

        server = request.getfixturevalue("postgres_server")
        database = store.database.dbname  # type: ignore[attr-defined]
        with psycopg.connect(server.url(database=database), autocommit=True) as raw:
            raw.execute("UPDATE todoku.schema_version SET version = 99")
    with pytest.raises(JournalSchemaTooNewError) as raised:
        open_store()
    assert "新しい版" in raised.value.message_ja


def test_current_operator(open_store: OpenStore) -> None:
    operator = open_store().current_operator()
    assert operator.may_delete and operator.display_name
