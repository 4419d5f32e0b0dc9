"""The fetch history on PostgreSQL (issue 15's HistoryStorage Protocol on the shared store).

``test_same_as_sqlite`` replays one random sequence of fetches, deletions, erasures and a purge
into the SQLite store and the PostgreSQL store and compares every read of the Protocol; it runs
once the SQLite history store is in the tree (merged from the history branch).
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.core.history.entry_rows import EntryRows
from app.core.storage.history import (
    AccountKey,
    Deletion,
    FetchWrite,
    GoneBy,
    HistoryStorage,
    TrendBucket,
    TrendKey,
)
from app.core.storage.history.sqlite_store import SqliteHistoryStore
from app.core.storage.team.connection import parse_database_url
from app.core.storage.team.history_pg import PostgresHistoryStore
from app.core.types import ALL_LISTS, Explanation, ListKind, SuppressionEntry
from app.sandbox.postgres_server import PostgresServer

BASE = int(datetime(2026, 11, 1, tzinfo=UTC).timestamp())
ACCOUNT = AccountKey(account="本番")
OTHER = AccountKey(account="本番", subuser="shop")
EXPLAINED = Explanation("userunknown", "Invalid Address", True, "宛先不明", "説明", "対処")


@pytest.fixture
def open_pg(
    postgres_server: PostgresServer, team_database: Callable[..., str]
) -> Callable[[], PostgresHistoryStore]:
    name = team_database({"tanaka": ("田中", "delete")})
    opened: list[PostgresHistoryStore] = []

    def make() -> PostgresHistoryStore:
        store = PostgresHistoryStore(parse_database_url(postgres_server.url("tanaka", name)))
        opened.append(store)
        return store

    yield make
    for store in opened:
        store.close()


def entry(i: int, created: int | None = None, email: str = "") -> SuppressionEntry:
    email = email or f"user{i}@example.jp"
    return SuppressionEntry(
        ListKind.BOUNCES,
        email,
        datetime.fromtimestamp(created if created is not None else BASE + i * 60, tz=UTC),
        "5.1.1",
        f"550 5.1.1 <{email}>: User unknown",
    )


def fetch(rows, *, when, account=ACCOUNT, deletions=(), explanations=None) -> FetchWrite:
    return FetchWrite(
        account, (ListKind.BOUNCES,), BASE, BASE + 86400 * 30, {ListKind.BOUNCES: BASE}, True,
        when, rows, explanations, deletions,
    )  # fmt: skip


def test_two_operators_share_one_history_with_new_gone_and_returns(
    open_pg: Callable[[], PostgresHistoryStore],
) -> None:
    first, second = open_pg(), open_pg()  # two machines
    when = datetime(2026, 11, 20, tzinfo=UTC)
    summary = first.record_fetch(
        fetch([entry(i) for i in range(5)], when=when, explanations=[EXPLAINED] * 5)
    )
    assert summary.new == 5
    rows = second.open_range(ACCOUNT, BASE, BASE + 86400 * 30, ALL_LISTS)
    assert len(rows) == 5 and all(rows.is_new(i) for i in range(5))
    assert rows.entries()[0].reason == "550 5.1.1 <user0@example.jp>: User unknown"
    assert rows.explanation(0) == EXPLAINED
    # Operator 2 fetches later: user1 deleted by Todoku, user2 gone elsewhere, user0 back (再発).
    deleted_at = when + timedelta(hours=1)
    deletions = [
        Deletion(ListKind.BOUNCES, "user1@example.jp", deleted_at, entry(1).created),
        Deletion(ListKind.BOUNCES, "USER0@example.jp", deleted_at, entry(0).created),
    ]
    back = entry(0, created=int((deleted_at + timedelta(hours=1)).timestamp()))
    later = second.record_fetch(
        fetch([back, entry(3), entry(4)], when=when + timedelta(days=1), deletions=deletions)
    )
    assert (later.new, later.returned, later.gone_elsewhere, later.gone_todoku) == (1, 1, 1, 2)
    gone = {(email, why) for _, email, why, _ in first.gone_in_range(
        ACCOUNT, BASE, BASE + 86400 * 30, ALL_LISTS
    )}  # fmt: skip
    assert gone == {("user1@example.jp", GoneBy.TODOKU), ("user2@example.jp", GoneBy.ELSEWHERE)}
    recurrence = first.recurrences(ACCOUNT, ["user0@EXAMPLE.jp"])["user0@example.jp"]
    assert recurrence.count == 1 and recurrence.returns[0].deleted_at == deleted_at
    assert first.coverage(ACCOUNT, ALL_LISTS)[ListKind.BOUNCES].end_time == BASE + 86400 * 30
    assert first.recurrences(OTHER) == {}  # two accounts never mix
    month = first.counts(ACCOUNT, BASE, BASE + 86400 * 30, TrendBucket.MONTH, TrendKey.LIST)
    assert sum(c.count for c in month) == 5
    assert first.erase_address("USER3@example.jp") == 1
    assert "user3@example.jp" not in {e.email for e in first.open_range(
        ACCOUNT, BASE, BASE + 86400 * 30, ALL_LISTS
    ).entries()}  # fmt: skip
    assert first.purge_older_than(when + timedelta(days=2)) == 4
    assert first.accounts() == (ACCOUNT,)


def test_same_as_sqlite(open_pg: Callable[[], PostgresHistoryStore], tmp_path: Path) -> None:
    sq: HistoryStorage = SqliteHistoryStore(tmp_path / "h.sqlite3")
    pg: HistoryStorage = open_pg()
    rng = random.Random(3)
    accounts = [ACCOUNT, OTHER]
    listed: dict[AccountKey, dict[tuple[ListKind, str], int]] = {a: {} for a in accounts}
    deletions: dict[AccountKey, list[Deletion]] = {a: [] for a in accounts}
    when = datetime(2026, 11, 20, tzinfo=UTC)
    kinds = (ListKind.BOUNCES, ListKind.BLOCKS)
    for _ in range(60):
        account = rng.choice(accounts)
        when += timedelta(hours=rng.randint(1, 50))
        current = listed[account]
        for _ in range(rng.randint(0, 15)):
            kind = rng.choice(kinds)
            email = f"u{rng.randint(0, 60)}@{rng.choice(['docomo.ne.jp', 'Example.JP'])}"
            if not any(k is kind and e.lower() == email.lower() for k, e in current):
                recent = int(when.timestamp()) - rng.randint(0, 7200)
                current[(kind, email)] = rng.choice([BASE + rng.randint(0, 86400 * 40), recent])
        for key in list(current):
            draw = rng.random()
            if draw < 0.16:
                if draw >= 0.08:
                    deletions[account].append(
                        Deletion(key[0], key[1], when - timedelta(minutes=rng.randint(1, 300)),
                                 datetime.fromtimestamp(current[key], UTC), "550 old")
                    )  # fmt: skip
                del current[key]
        start, end = BASE + rng.choice([0, 86400 * 5]), BASE + 86400 * 150
        full = rng.random() < 0.5
        asked = {k: start if full else start + rng.randint(0, 86400 * 20) for k in kinds}
        rows = [
            SuppressionEntry(k, e, datetime.fromtimestamp(c, UTC), "5.1.1", f"550 <{e}> x")
            for (k, e), c in sorted(current.items(), key=lambda item: (item[0][0], item[0][1]))
            if asked[k] <= c <= end
        ]
        write = FetchWrite(
            account, kinds, start, end, asked, full, when, rows,
            [EXPLAINED] * len(rows) if rng.random() < 0.7 else None,
            sorted(deletions[account], key=lambda d: d.deleted_at), 1,
        )  # fmt: skip
        a, b = sq.record_fetch(write), pg.record_fetch(write)
        assert (a.new, a.returned, a.gone_elsewhere, a.gone_todoku) == (
            b.new, b.returned, b.gone_elsewhere, b.gone_todoku
        )  # fmt: skip
    low, high = BASE - 86400, BASE + 86400 * 160
    for account in accounts:
        ra, rb = (s.open_range(account, low, high, ALL_LISTS) for s in (sq, pg))
        assert sorted((repr(ra.entry(i)), ra.is_new(i)) for i in range(len(ra))) == sorted(
            (repr(rb.entry(i)), rb.is_new(i)) for i in range(len(rb))
        )
        # The grid reads whole columns of the stored rows (domains from their domain id).
        la, lb = EntryRows.of_history(ra), EntryRows.of_history(rb)
        assert lb.domains() == [e.domain for e in lb] and lb.domain_counts() == Counter(
            e.domain for e in lb
        )
        assert sorted(zip(la.emails(), la.domains(), la.reasons(), strict=True)) == sorted(
            zip(lb.emails(), lb.domains(), lb.reasons(), strict=True)
        )
        assert sorted(sq.gone_in_range(account, low, high, ALL_LISTS)) == sorted(
            pg.gone_in_range(account, low, high, ALL_LISTS)
        )
        assert sq.coverage(account, ALL_LISTS) == pg.coverage(account, ALL_LISTS)
        assert sq.recurrences(account) == pg.recurrences(account)
        for bucket in TrendBucket:
            for key in TrendKey:
                assert sorted(sq.counts(account, low, high, bucket, key), key=repr) == sorted(
                    pg.counts(account, low, high, bucket, key), key=repr
                )
    sq.close()


def test_moving_this_pcs_history_file_is_idempotent(
    open_pg: Callable[[], PostgresHistoryStore], tmp_path: Path
) -> None:
    from app.core.storage.team.import_local import move_local_history

    local = SqliteHistoryStore(tmp_path / "history.sqlite3")
    when = datetime(2026, 11, 20, tzinfo=UTC)
    local.record_fetch(fetch([entry(i) for i in range(6)], when=when, explanations=[EXPLAINED] * 6))
    deleted_at = when + timedelta(hours=1)
    back = entry(0, created=int((deleted_at + timedelta(hours=1)).timestamp()))
    local.record_fetch(
        fetch(
            [back, entry(2), entry(3), entry(4)],
            when=when + timedelta(days=1),
            deletions=[
                Deletion(ListKind.BOUNCES, "user0@example.jp", deleted_at, entry(0).created)
            ],
        )
    )
    local.close()
    shared = open_pg()
    first = move_local_history(tmp_path / "history.sqlite3", shared)
    again = move_local_history(tmp_path / "history.sqlite3", shared)
    assert (first.entries, first.returns) == (6, 1) and (again.entries, again.returns) == (0, 0)
    local = SqliteHistoryStore(tmp_path / "history.sqlite3")
    span = (BASE, BASE + 86400 * 30, ALL_LISTS)
    mine, team = local.open_range(ACCOUNT, *span), shared.open_range(ACCOUNT, *span)
    assert sorted(repr(e) for e in mine.entries()) == sorted(repr(e) for e in team.entries())
    assert sorted(local.gone_in_range(ACCOUNT, *span)) == sorted(
        shared.gone_in_range(ACCOUNT, *span)
    )
    assert local.recurrences(ACCOUNT) == shared.recurrences(ACCOUNT)
    assert local.coverage(ACCOUNT, ALL_LISTS) == shared.coverage(ACCOUNT, ALL_LISTS)
    local.close()


def test_moving_a_history_file_without_any_return(
    open_pg: Callable[[], PostgresHistoryStore], tmp_path: Path
) -> None:
    """No 再発 row means no result set from the batch insert: it failed "no result available"."""
    from app.core.storage.team.import_local import move_local_history

    local = SqliteHistoryStore(tmp_path / "history.sqlite3")
    when = datetime(2026, 11, 20, tzinfo=UTC)
    local.record_fetch(fetch([entry(i) for i in range(3)], when=when, explanations=[EXPLAINED] * 3))
    local.close()
    shared = open_pg()
    moved = move_local_history(tmp_path / "history.sqlite3", shared)
    assert (moved.entries, moved.returns) == (3, 0)
    assert len(shared.open_range(ACCOUNT, BASE, BASE + 86400 * 30, ALL_LISTS)) == 3
    empty = SqliteHistoryStore(tmp_path / "empty.sqlite3")  # a history never fetched into
    empty.close()
    assert move_local_history(tmp_path / "empty.sqlite3", shared) == type(moved)(0, 0)


def test_moving_a_history_file_from_a_folder_named_with_a_hash(
    open_pg: Callable[[], PostgresHistoryStore], tmp_path: Path
) -> None:
    """The file is opened as a quoted URI: unquoted, SQLite read "team" (cut at "#") instead."""
    from app.core.storage.team.import_local import move_local_history

    SqliteHistoryStore(tmp_path / "team").close()  # an empty history where the cut path ends
    folder = tmp_path / "team#2"
    local = SqliteHistoryStore(folder / "history.sqlite3")
    when = datetime(2026, 11, 20, tzinfo=UTC)
    local.record_fetch(fetch([entry(i) for i in range(3)], when=when, explanations=[EXPLAINED] * 3))
    local.close()
    moved = move_local_history(folder / "history.sqlite3", open_pg())
    assert (moved.entries, moved.returns) == (3, 0)


def test_moving_a_history_path_that_is_not_a_file_is_refused(
    open_pg: Callable[[], PostgresHistoryStore], tmp_path: Path
) -> None:
    """The same check as the store's: a folder (or a pipe, which would block) is not read."""
    from app.core.storage.history import HistoryNotAFileError
    from app.core.storage.team.import_local import move_local_history

    (tmp_path / "history.sqlite3").mkdir()
    with pytest.raises(HistoryNotAFileError):
        move_local_history(tmp_path / "history.sqlite3", open_pg())
