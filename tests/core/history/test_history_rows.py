"""The lazy rows of a fetch through history (EntryRows): the same rows, order and explanations
as entries built one by one, read column by column without decoding every row."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.core.classify import LazyClassifier
from app.core.dates import unix_bounds
from app.core.history.entry_rows import EntryRows
from app.core.history.incremental import fetch_with_history
from app.core.history.journal_link import journal_deletions
from app.core.providers.sendgrid import SendGridProvider
from app.core.storage.history import AccountKey
from app.core.storage.history.interface import LIST_CODE
from app.core.storage.history.sqlite_store import SqliteHistoryStore
from app.core.storage.journal import DeletionJournal
from app.core.types import ALL_LISTS, DateRange, ListKind, SuppressionEntry
from app.sandbox.sendgrid_server import SandboxRecord
from tests.core.history.test_history_fetch import Clock, delete_with_journal

RANGE = DateRange(datetime(2026, 11, 1).date(), datetime(2026, 11, 30).date())
START, END = unix_bounds(RANGE)
ACCOUNT = AccountKey(account="遅延")
API_KEY = "SG.rows-test-key"
KINDS = [kind.value for kind in ALL_LISTS]


def record(i: int, created: int, kind: str) -> SandboxRecord:
    # Mixed case in some addresses, the address inside the reason, and several rows sharing a
    # second (ties the order must break the same way every time).
    email = f"User{i:04d}@Example.JP" if i % 7 == 0 else f"user{i:04d}@d{i % 13}.example.jp"
    return SandboxRecord(kind, email, created, f"550 5.1.1 <{email}>: unknown {i % 5}", "5.1.1")


@pytest.fixture
def world(make_sandbox, tmp_path: Path):
    records = [record(i, START + (i // 3) * 600, KINDS[i % 5]) for i in range(900)]
    sandbox = make_sandbox(records, api_keys={API_KEY: None})
    store = SqliteHistoryStore(tmp_path / "history.sqlite3")
    journal = DeletionJournal(tmp_path / "journal.sqlite3")
    yield sandbox, store, journal
    store.close()
    journal.close()


def fetch(sandbox, store, journal, clock, classify, *, history=True):
    return fetch_with_history(
        lambda: SendGridProvider(API_KEY, base_url=sandbox.base_url, max_retries=0),
        store if history else None,
        ACCOUNT,
        RANGE,
        ALL_LISTS,
        classify=classify,
        deletions=journal_deletions(journal, ACCOUNT),
        clock=clock,
    )


def newest_first(entries: list[SuppressionEntry]) -> list[SuppressionEntry]:
    return sorted(
        entries,
        key=lambda e: (int(e.created.timestamp()), e.email, LIST_CODE[e.list_kind]),
        reverse=True,
    )


def shown(entry: SuppressionEntry) -> tuple[object, ...]:
    # History keeps no IP for a row it decodes; everything the grid shows besides.
    return (entry.list_kind, entry.email, entry.created, entry.status, entry.reason)


def second_fetch(world):
    """A first fetch, then changes upstream (new rows at the tail, a re-bounce moved forward,
    a Todoku delete), then the incremental fetch whose rows are mostly stored tuples."""
    sandbox, store, journal = world
    clock, classify = Clock(), LazyClassifier()
    fetch(sandbox, store, journal, clock, classify)
    newest = START + 299 * 600
    sandbox.add_records(record(2000 + i, newest + 60 + i // 2, KINDS[i % 5]) for i in range(30))
    sandbox.add_records([record(14, newest + 90, KINDS[14 % 5])])  # re-bounce: created moves
    gone = record(21, 0, KINDS[21 % 5])
    delete_with_journal(sandbox, journal, ListKind(gone.list_kind), [gone.email])
    second = fetch(sandbox, store, journal, clock, classify)
    bare = fetch(sandbox, store, journal, clock, classify, history=False)
    return second, bare, classify


def test_incremental_rows_stay_stored_and_equal_entries_built_one_by_one(world) -> None:
    second, bare, classify = second_fetch(world)
    rows = second.rows
    assert second.incremental and 0 < rows.stored < len(rows)  # mixed: history + the tail
    expected = newest_first(list(bare.entries))
    assert [shown(e) for e in rows] == [shown(e) for e in expected]
    assert [shown(rows[i]) for i in range(len(rows))] == [shown(e) for e in expected]
    # Explanations index for index, the same as classifying the decoded rows now.
    assert list(second.explanations) == list(classify(list(rows)))
    moved = record(14, 0, KINDS[14 % 5])  # the re-bounce: a new listing, so 新着
    assert (ListKind(moved.list_kind), moved.email.lower()) in second.new_keys


def test_columns_read_from_stored_rows_equal_the_decoded_entries(world) -> None:
    second, _, _ = second_fetch(world)
    rows = second.rows
    decoded = list(rows)
    for first in (0, 7):
        part = decoded[first:]
        assert rows.list_kinds(first) == [e.list_kind for e in part]
        assert rows.emails(first) == [e.email for e in part]
        assert rows.created_seconds(first) == [int(e.created.timestamp()) for e in part]
        assert rows.statuses(first) == [e.status for e in part]
        assert rows.reasons(first) == [e.reason for e in part]
        assert rows.domains(first) == [e.domain for e in part]
        assert rows.keys(first) == [e.key for e in part]
        assert rows.list_counts(first) == Counter(e.list_kind for e in part)
        assert rows.domain_counts(first) == Counter(e.domain for e in part)
    # All stored (no tail row): the C-level paths.
    only_stored = EntryRows.of_history(rows.source, [])  # type: ignore[arg-type]
    assert len(only_stored) == 0
    stored = rows.compress(bytes(type(item) is tuple for item in rows._items))
    assert stored.stored == len(stored) == rows.stored
    assert stored.domain_counts() == Counter(e.domain for e in stored)
    assert stored.list_counts() == Counter(e.list_kind for e in stored)
    assert stored.emails() == [e.email for e in stored]


def test_compress_slice_copy_and_extend_keep_rows_and_their_kind(world) -> None:
    second, _, _ = second_fetch(world)
    rows = second.rows
    decoded = [shown(e) for e in rows]
    keep = bytes(i % 3 != 1 for i in range(len(rows)))
    kept = rows.compress(keep)
    assert [shown(e) for e in kept] == [d for d, k in zip(decoded, keep, strict=True) if k]
    assert [shown(e) for e in rows[5:40]] == decoded[5:40]
    copy = rows.copy()
    extra = SuppressionEntry(
        ListKind.BOUNCES, "late@example.jp", datetime(2026, 11, 30, tzinfo=UTC)
    )
    copy.extend([extra])
    assert len(copy) == len(rows) + 1 and copy[len(rows)] == extra and len(rows) == len(decoded)
    assert copy.emails()[-1] == "late@example.jp"
