"""The history file under stress: bad files, newer schemas, migrations, full disk, kill -9."""

from __future__ import annotations

import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from app.core.classify.cache import CacheKey, ExplanationCache, Refinement
from app.core.dates import unix_bounds
from app.core.history.incremental import fetch_with_history
from app.core.history.journal_link import erase_address
from app.core.providers.sendgrid import SendGridProvider
from app.core.storage.history import (
    AccountKey,
    Deletion,
    FetchWrite,
    HistoryDiskFullError,
    HistorySchemaTooNewError,
    sqlite_schema,
)
from app.core.storage.history.sqlite_store import SqliteHistoryStore
from app.core.storage.journal import (
    DeletionJournal,
    EntryResult,
    NewEntry,
    OperationMeta,
    ResultUpdate,
)
from app.core.types import ALL_LISTS, DateRange, ListKind, SuppressionEntry
from app.sandbox.sendgrid_server import SandboxRecord

ROOT = Path(__file__).resolve().parents[3]
API_KEY = "SG.history-test-key"
RANGE = DateRange(date(2026, 11, 1), date(2026, 11, 10))
RANGE_START, RANGE_END = unix_bounds(RANGE)
ACCOUNT = AccountKey(account="本番")
OTHER = AccountKey(account="本番", subuser="shop")
WHEN = datetime(2026, 11, 20, tzinfo=UTC)


def entry(i: int, kind: ListKind = ListKind.BOUNCES, email: str = "") -> SuppressionEntry:
    email = email or f"user{i}@example.jp"
    return SuppressionEntry(
        kind,
        email,
        datetime.fromtimestamp(RANGE_START + i * 60, tz=UTC),
        "5.1.1",
        f"550 5.1.1 <{email}>: Recipient address rejected: User unknown",
    )


def write(store, rows, *, account=ACCOUNT, when=WHEN, deletions=()) -> object:
    return store.record_fetch(
        FetchWrite(
            account,
            ALL_LISTS,
            RANGE_START,
            RANGE_END,
            dict.fromkeys(ALL_LISTS, RANGE_START),
            True,
            when,
            rows,
            None,
            deletions,
        )
    )


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_two_accounts_never_mix_and_reasons_are_stored_once(tmp_path: Path) -> None:
    store = SqliteHistoryStore(tmp_path / "h.sqlite3")
    write(store, [entry(i) for i in range(50)])
    write(store, [entry(1)], account=OTHER)
    assert len(store.open_range(ACCOUNT, RANGE_START, RANGE_END, ALL_LISTS)) == 50
    other = store.open_range(OTHER, RANGE_START, RANGE_END, ALL_LISTS)
    assert [e.email for e in other.entries()] == ["user1@example.jp"]
    assert (
        other.entries()[0].reason
        == "550 5.1.1 <user1@example.jp>: Recipient address rejected: User unknown"
    )
    # 50 reasons that differ only by the address: one template (plus status, IP "", domain).
    assert store._read("SELECT COUNT(*) FROM texts")[0][0] == 4
    store.close()


def test_corrupt_and_foreign_files_are_moved_aside_not_deleted(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    path.write_bytes(b"this is not a database at all" * 100)
    original = digest(path)
    store = SqliteHistoryStore(path)
    assert (
        store.recovery_notice is not None and "作り直しました" in store.recovery_notice.message_ja
    )
    aside = [p for p in tmp_path.iterdir() if ".broken-" in p.name]
    assert len(aside) == 1 and digest(aside[0]) == original
    write(store, [entry(1)])
    store.close()

    foreign = tmp_path / "f.sqlite3"
    with sqlite3.connect(foreign) as other:
        other.execute("CREATE TABLE invoices (id INTEGER, total REAL)")
        other.execute("INSERT INTO invoices VALUES (1, 9.5)")
    other.close()
    before = digest(foreign)
    store = SqliteHistoryStore(foreign)
    assert (
        store.recovery_notice is not None
        and "Todoku のものではない" in store.recovery_notice.message_ja
    )
    kept = next(p for p in tmp_path.iterdir() if p.name.startswith("f.sqlite3.broken-"))
    assert digest(kept) == before
    store.close()


def test_damaged_pages_are_noticed(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    store = SqliteHistoryStore(path)
    write(store, [entry(i) for i in range(2000)])
    store.close()
    data = bytearray(path.read_bytes())
    data[4096 * 3 : 4096 * 6] = b"\xff" * (4096 * 3)  # garbage over a few b-tree pages
    path.write_bytes(bytes(data))
    store = SqliteHistoryStore(path)
    assert store.recovery_notice is not None
    assert len(store.open_range(ACCOUNT, RANGE_START, RANGE_END, ALL_LISTS)) == 0
    store.close()


def test_newer_schema_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    store = SqliteHistoryStore(path)
    write(store, [entry(1)])
    store.close()
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA user_version=99")
    connection.close()
    before = digest(path)
    with pytest.raises(HistorySchemaTooNewError) as raised:
        SqliteHistoryStore(path)
    assert "新しい版" in raised.value.message_ja
    assert digest(path) == before and not any(".broken-" in p.name for p in tmp_path.iterdir())


def test_schema_1_file_migrates_forward_keeping_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    connection = sqlite3.connect(path, isolation_level=None)
    sqlite_schema.MIGRATIONS[0](connection)
    connection.execute(f"PRAGMA application_id={sqlite_schema.APPLICATION_ID}")
    connection.execute("PRAGMA user_version=1")
    connection.execute("INSERT INTO accounts VALUES (1, 'sendgrid', '本番', '', 'global', 0)")
    connection.execute("INSERT INTO texts VALUES (1, '')")
    connection.execute(
        "INSERT INTO entries VALUES"
        " (1, 1, 0, 'old@example.jp', ?, 1, 1, 1, 1, NULL, 0, 0, 1, NULL, NULL)",
        (RANGE_START + 5,),
    )
    connection.close()
    store = SqliteHistoryStore(path)
    assert store.schema_version() == sqlite_schema.SCHEMA_VERSION == 4
    assert [
        e.email for e in store.open_range(ACCOUNT, RANGE_START, RANGE_END, ALL_LISTS).entries()
    ] == ["old@example.jp"]
    assert store.recurrences(ACCOUNT) == {}  # the returns table of schema 2 exists
    # Schema 3: the indexes that keep the purge and the 他所で削除 read off a full scan.
    check = sqlite3.connect(path)
    plans = [
        " ".join(str(part) for row in check.execute(f"EXPLAIN QUERY PLAN {sql}") for part in row)
        for sql in (
            "DELETE FROM entries WHERE last_seen < 5",
            "SELECT email FROM entries WHERE account_id=1 AND created BETWEEN 0 AND 9"
            " AND gone_at IS NOT NULL",
        )
    ]
    check.close()
    assert "entries_last_seen" in plans[0] and "entries_gone" in plans[1]
    store.close()


def test_full_disk_is_reported_and_the_fetch_result_kept(make_sandbox, tmp_path: Path) -> None:
    store = SqliteHistoryStore(tmp_path / "h.sqlite3", max_bytes=120_000)
    with pytest.raises(HistoryDiskFullError):
        write(store, [entry(i) for i in range(5000)])
    assert (
        len(store.open_range(ACCOUNT, RANGE_START, RANGE_END, ALL_LISTS)) == 0
    )  # nothing half-written
    sandbox = make_sandbox(
        [
            SandboxRecord("bounces", f"b{i}@example.jp", RANGE_START + i, "550 5.1.1", "5.1.1")
            for i in range(3000)
        ],
        api_keys={API_KEY: None},
    )
    result = fetch_with_history(
        lambda: SendGridProvider(API_KEY, base_url=sandbox.base_url),
        store,
        ACCOUNT,
        RANGE,
        ALL_LISTS,
    )
    assert len(result.entries) == 3000
    assert isinstance(result.history_error, HistoryDiskFullError)
    assert "ディスクがいっぱい" in result.history_error.message_ja and result.summary is None
    store.close()


def test_kill_9_during_a_history_write_leaves_no_half_fetch(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name("crash_history_child.py")), str(path)],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "committed"
        assert child.stdout.readline().strip() == "writing"
        time.sleep(1.0)  # the child is inside the big transaction (staging and inserting rows)
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
        assert "finished" not in child.stdout.read()
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        child.stdout.close()
    store = SqliteHistoryStore(path)
    account = AccountKey(account="kill")
    assert store.recovery_notice is None
    rows = store.open_range(account, 0, 2**40, ALL_LISTS)
    assert len(rows) == 100 and all(e.email.startswith("small") for e in rows.entries())
    assert store._read("SELECT COUNT(*) FROM fetches")[0][0] == 1
    store.close()


def test_erase_address_everywhere_and_mask_the_journal(tmp_path: Path) -> None:
    store = SqliteHistoryStore(tmp_path / "h.sqlite3")
    victim = "Taro.Yamada@example.jp"
    back = SuppressionEntry(
        ListKind.BOUNCES, victim, WHEN - timedelta(days=1), "5.1.1", f"550 <{victim}>"
    )
    rows = [back, entry(2), entry(3, ListKind.BLOCKS, email=victim.lower())]
    deletion = Deletion(
        ListKind.BOUNCES, victim, WHEN - timedelta(days=3), WHEN - timedelta(days=5), "x"
    )
    write(store, rows, deletions=[deletion])
    assert store.recurrences(ACCOUNT)
    journal = DeletionJournal(tmp_path / "journal.sqlite3")
    op = journal.create_operation(
        OperationMeta(note="月末の整理"),
        [
            NewEntry(ListKind.BOUNCES, victim, reason=f"550 <{victim}> unknown"),
            NewEntry(ListKind.BLOCKS, victim.lower()),
            NewEntry(ListKind.BOUNCES, "keep@example.jp"),
        ],
    )
    journal.record_results(op, [ResultUpdate(ListKind.BOUNCES, victim, EntryResult.DELETED)])
    cache = ExplanationCache(tmp_path / "cache.sqlite3")
    ref = Refinement("userunknown", "Invalid Address", True, "宛先不明", "説明", "対処")
    cache.put_many(
        [
            (CacheKey(f"550 <{victim.lower()}>", "5.1", "bounces", "m", "1"), ref),
            (CacheKey("550 <email>", "5.1", "bounces", "m", "1"), ref),
        ]
    )

    counts = erase_address(victim, history=store, journal=journal, cache=cache)
    assert (counts.history_rows, counts.journal_rows_masked, counts.cache_rows) == (2, 2, 1)
    left = store.open_range(ACCOUNT, RANGE_START, RANGE_END, ALL_LISTS).entries()
    assert [e.email for e in left] == ["user2@example.jp"]
    assert store.recurrences(ACCOUNT) == {}
    assert not store._read("SELECT id FROM texts WHERE lower(text) LIKE '%taro.yamada%'")
    audit = journal.entries(op)
    assert len(audit) == 3 and audit[0].result is EntryResult.DELETED  # the audit row stays
    assert all(victim.lower() not in (e.email + e.reason).lower() for e in audit)
    assert journal.operation(op).note == "月末の整理"
    assert len(cache) == 1
    store.close(), journal.close(), cache.close()
    for name in ("h.sqlite3", "journal.sqlite3"):
        assert b"taro.yamada" not in (tmp_path / name).read_bytes().lower()


def test_retention_drops_rows_not_seen_for_long(tmp_path: Path) -> None:
    store = SqliteHistoryStore(tmp_path / "h.sqlite3")
    write(store, [entry(1)], when=WHEN - timedelta(days=500))
    write(store, [entry(2)], when=WHEN)
    assert store.purge_older_than(WHEN - timedelta(days=400)) == 1
    assert [
        e.email for e in store.open_range(ACCOUNT, RANGE_START, RANGE_END, ALL_LISTS).entries()
    ] == ["user2@example.jp"]
    store.close()
