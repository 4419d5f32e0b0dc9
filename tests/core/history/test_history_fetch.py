"""Incremental and full fetch through history, against the SendGrid sandbox on loopback."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.core.dates import unix_bounds
from app.core.history.incremental import OVERLAP_S, fetch_with_history
from app.core.history.journal_link import journal_deletions
from app.core.providers.sendgrid import SendGridProvider
from app.core.storage.history import AccountKey, GoneBy
from app.core.storage.history.sqlite_store import SqliteHistoryStore
from app.core.storage.journal import (
    DeletionJournal,
    EntryResult,
    NewEntry,
    OperationMeta,
    OperationState,
    ResultUpdate,
)
from app.core.types import ALL_LISTS, DateRange, ListKind
from app.sandbox.sendgrid_server import SandboxRecord

RANGE = DateRange(datetime(2026, 11, 1).date(), datetime(2026, 11, 30).date())
START, END = unix_bounds(RANGE)
ACCOUNT = AccountKey(account="テスト")
API_KEY = "SG.history-test-key"


def record(i: int, created: int, kind: str = "bounces") -> SandboxRecord:
    email = f"user{i:05d}@example.jp"
    return SandboxRecord(kind, email, created, f"550 5.1.1 <{email}>: User unknown", "5.1.1")


def rows_of(result) -> set[tuple[str, str, int, str]]:
    return {
        (e.list_kind.value, e.email, int(e.created.timestamp()), e.reason) for e in result.entries
    }


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(minutes=5)
        return self.now


@pytest.fixture
def world(make_sandbox, tmp_path: Path):
    records = [record(i, START + i * 1200, "bounces" if i % 3 else "blocks") for i in range(1500)]
    sandbox = make_sandbox(records, api_keys={API_KEY: None})
    store = SqliteHistoryStore(tmp_path / "history.sqlite3")
    journal = DeletionJournal(tmp_path / "journal.sqlite3")
    yield sandbox, store, journal
    store.close()
    journal.close()


def provider_for(sandbox):
    return lambda: SendGridProvider(API_KEY, base_url=sandbox.base_url, max_retries=0)


def fetch(sandbox, store, journal, clock, *, full=False, history=True):
    return fetch_with_history(
        provider_for(sandbox),
        store if history else None,
        ACCOUNT,
        RANGE,
        ALL_LISTS,
        deletions=journal_deletions(journal, ACCOUNT),
        full=full,
        clock=clock,
    )


def delete_with_journal(sandbox, journal, kind: ListKind, emails: list[str]) -> None:
    """What a Todoku delete leaves behind: the journal rows, and the addresses gone upstream."""
    op = journal.create_operation(
        OperationMeta(account_label="親アカウント"),
        [NewEntry(kind, e, reason="550 5.1.1 user unknown") for e in emails],
    )
    for email in emails:
        sandbox.remove(kind.value, email)
    journal.record_results(op, [ResultUpdate(kind, e, EntryResult.DELETED) for e in emails])
    journal.set_state(op, OperationState.DONE)


def test_incremental_asks_only_the_tail_and_equals_a_full_fetch(world) -> None:
    sandbox, store, journal = world
    clock = Clock()
    first = fetch(sandbox, store, journal, clock)
    assert len(first.entries) == 1500 and not first.incremental
    # Between fetches: 40 new entries, 2 deleted by Todoku (journal), 1 re-bounce moved forward.
    newest = START + 1499 * 1200
    sandbox.add_records([record(5000 + i, newest + 60 + i, "bounces") for i in range(40)])
    delete_with_journal(
        sandbox, journal, ListKind.BOUNCES, ["user00001@example.jp", "user01490@example.jp"]
    )
    sandbox.add_records([record(2, newest + 30)])  # user00002 bounces again (blocks list? no: i%3)
    second = fetch(sandbox, store, journal, clock)
    assert second.incremental
    # One request per list: each tail fits in one page, which needs no re-check.
    assert second.requests_made == len(ALL_LISTS) < first.requests_made
    bare = fetch(sandbox, store, journal, clock, history=False)
    assert rows_of(second) == rows_of(bare)
    assert len(second.new_keys) == 41  # 40 new + the re-bounce
    # The store shows the same rows as the result.
    view = store.open_range(ACCOUNT, START, END, ALL_LISTS)
    assert {
        (e.list_kind.value, e.email, int(e.created.timestamp()), e.reason) for e in view.entries()
    } == rows_of(bare)


def test_full_pass_marks_entries_removed_elsewhere(world) -> None:
    sandbox, store, journal = world
    clock = Clock()
    fetch(sandbox, store, journal, clock)
    sandbox.remove("bounces", "user00004@example.jp")  # the console, not Todoku
    delete_with_journal(sandbox, journal, ListKind.BOUNCES, ["user00005@example.jp"])
    full = fetch(sandbox, store, journal, clock, full=True)
    gone = {
        (email, why) for _, email, why, _ in store.gone_in_range(ACCOUNT, START, END, ALL_LISTS)
    }
    assert gone == {
        ("user00004@example.jp", GoneBy.ELSEWHERE),
        ("user00005@example.jp", GoneBy.TODOKU),
    }
    assert rows_of(full) == rows_of(fetch(sandbox, store, journal, clock, history=False))


def test_overlap_catches_a_late_write_just_behind_the_high_water_mark(world) -> None:
    sandbox, store, journal = world
    clock = Clock()
    fetch(sandbox, store, journal, clock)
    newest = START + 1499 * 1200
    sandbox.add_records([record(9000, newest - OVERLAP_S + 5)])
    second = fetch(sandbox, store, journal, clock)
    assert "user09000@example.jp" in {e.email for e in second.entries}


def test_an_address_deleted_twice_that_keeps_coming_back_is_a_recurrence(world, tmp_path) -> None:
    from app.core.history.recurrence import (
        confirm_lines,
        confirm_sentence,
        details_line,
        grid_label,
    )

    sandbox, store, _ = world
    now = [datetime(2026, 11, 22, tzinfo=UTC)]
    journal = DeletionJournal(tmp_path / "clocked-journal.sqlite3", clock=lambda: now[0])
    fetch(sandbox, store, journal, lambda: now[0])
    email = "user00007@example.jp"
    for round_ in range(2):
        now[0] += timedelta(days=1)
        delete_with_journal(sandbox, journal, ListKind.BOUNCES, [email])
        now[0] += timedelta(days=1)
        created = int(now[0].timestamp())
        sandbox.add_records(
            [SandboxRecord("bounces", email, created, f"550 5.1.1 round {round_}", "5.1.1")]
        )
        now[0] += timedelta(hours=12)
        fetch(sandbox, store, journal, lambda: now[0])
    found = store.recurrences(ACCOUNT, [email.upper()])
    recurrence = found[email]
    assert recurrence.count == 2
    assert [r.reason for r in recurrence.returns] == ["550 5.1.1 round 0", "550 5.1.1 round 1"]
    assert grid_label(recurrence) == "再発 2"
    assert confirm_sentence(recurrence) == (
        "このアドレスは過去 2 回削除し、そのたびに再びバウンスしています。削除しても届きません。"
    )
    assert "round 1" in confirm_lines(recurrence)[2] and details_line(recurrence).startswith(
        "再発 2 回"
    )
    assert store.recurrences(ACCOUNT, ["user00008@example.jp"]) == {}
    journal.close()
