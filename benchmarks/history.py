"""History benchmark: incremental fetch, opening a range, file size, and the monthly report.

Run: python benchmarks/history.py [--account-entries 100000] [--new 500]
                                  [--history-entries 5000000] [--smoke]
Every figure is a ratio against a baseline measured in the same run:

1. Second fetch of the same 30-day range after ``--new`` entries arrived: requests of the
   incremental fetch ÷ requests of the first (full) fetch, against the in-process SendGrid
   sandbox; and whether its rows equal a fetch without history (must be identical).
2. A history of ``--history-entries`` rows (bulk-generated in the store's schema): opening a
   30-day range with ``SqliteHistoryStore.open_range`` ÷ a bare ``SELECT`` of the same rows
   into tuples; also building every SuppressionEntry (what a grid that wants objects pays).
   The window's path (the goal's figure): the fetch job through history (incremental, an
   empty tail asked from the sandbox), the grid model filled, marked, sorted by date, counted
   and its first rows read as a paint does ÷ the same bare ``SELECT``.
3. File size ÷ entries (bytes per entry, indexes included).
4. ``build_monthly_report`` ÷ the bare SQL aggregation it needs (the same GROUP BY queries).
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.core.dates import unix_bounds  # noqa: E402
from app.core.history.incremental import fetch_with_history  # noqa: E402
from app.core.history.report import build_monthly_report  # noqa: E402
from app.core.history.trends import bounds, month_range, previous_month  # noqa: E402
from app.core.providers.sendgrid import SendGridProvider  # noqa: E402
from app.core.storage.history import AccountKey, FetchWrite  # noqa: E402
from app.core.storage.history.sqlite_store import SqliteHistoryStore  # noqa: E402
from app.core.types import ALL_LISTS, DateRange, Explanation, ListKind, SuppressionEntry  # noqa: E402
from app.sandbox.sendgrid_server import SandboxRecord, SendGridSandbox  # noqa: E402

KEY = "SG.benchmark-key"
ACCOUNT = AccountKey(account="bench")
RANGE = DateRange(date(2026, 10, 1), date(2026, 10, 30))
DOMAINS = (
    "docomo.ne.jp",
    "ezweb.ne.jp",
    "au.com",
    "softbank.ne.jp",
    "i.softbank.jp",
    "gmail.com",
    "outlook.jp",
    "hotmail.co.jp",
    "yahoo.co.jp",
    "city.example.lg.jp",
    "example.co.jp",
)


def paired(
    runs: int, baseline: Callable[[], object], measured: Callable[[], object]
) -> tuple[float, float]:
    """Best time of each, the two run alternately so a busy neighbour slows both alike."""
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(runs):
        for slot, work in enumerate((baseline, measured)):
            started = time.perf_counter()
            work()
            times[slot].append(time.perf_counter() - started)
    return min(times[0]), min(times[1])


# -- 1. incremental fetch -----------------------------------------------------------------------


def incremental_fetch(entries: int, new: int, shares: dict[ListKind, float], folder: Path) -> None:
    start, end = unix_bounds(RANGE)
    rng = random.Random(7)
    records = []
    kinds = list(shares)
    weights = list(shares.values())
    old_span = end - start - 86_400  # the new entries arrive on the last day
    for i in range(entries):
        kind = rng.choices(kinds, weights)[0]
        email = f"u{i:07d}@{DOMAINS[i % len(DOMAINS)]}"
        records.append(
            SandboxRecord(
                kind.value,
                email,
                start + (i * old_span) // entries,
                f"550 5.1.1 <{email}>: user unknown",
                "5.1.1",
            )
        )
    sandbox = SendGridSandbox(records=records, api_keys={KEY: None})
    sandbox.start()
    try:
        store = SqliteHistoryStore(folder / f"fetch-{len(shares)}.sqlite3")

        def provider() -> SendGridProvider:
            return SendGridProvider(KEY, base_url=sandbox.base_url, max_concurrency=8)

        def tail_provider() -> SendGridProvider:
            return SendGridProvider(KEY, base_url=sandbox.base_url, max_concurrency=1)

        def fetch(history: bool) -> object:
            return fetch_with_history(
                provider,
                store if history else None,
                ACCOUNT,
                RANGE,
                tuple(shares),
                make_tail_provider=tail_provider,
            )

        first = fetch(True)
        newest = start + old_span
        sandbox.add_records(
            SandboxRecord(
                "bounces",
                f"new{i}@gmail.com",
                newest + 60 + i * 60,
                "550 5.1.1 user unknown",
                "5.1.1",
            )
            for i in range(new)
        )
        second = fetch(True)
        bare = fetch(False)
        store.close()
    finally:
        sandbox.stop()

    def rows(result: object) -> set[tuple[str, str, datetime, str]]:
        return {(e.list_kind.value, e.email, e.created, e.reason) for e in result.entries}  # type: ignore[attr-defined]

    identical = rows(second) == rows(bare)
    r1, r2 = first.requests_made, second.requests_made  # type: ignore[attr-defined]
    names = "+".join(k.value for k in shares)
    print(
        f"incremental fetch [{names}]: {entries:,} entries, {new} new: first {r1} requests, "
        f"second {r2} → ratio {r2 / r1:.4f} (target ≤ 0.02); rows identical to a full fetch: "
        f"{identical} ({len(second.entries):,} rows)"  # type: ignore[attr-defined]
    )
    if not identical:
        raise SystemExit("incremental rows differ from a full fetch")


# -- 2-4. a large history ---------------------------------------------------------------------


EXPLANATIONS = [
    Explanation(
        "userunknown",
        "Invalid Address",
        True,
        "宛先不明",
        "宛先のアドレスが存在しません。",
        "アドレスを確認してください。",
    ),
    Explanation(
        "mailboxfull",
        "Mailbox Unavailable",
        False,
        "容量超過",
        "受信箱がいっぱいです。",
        "時間をおいて送ってください。",
    ),
    Explanation(
        "blocked",
        "Reputation",
        False,
        "拒否",
        "受信側が拒否しました。",
        "送信元の評判を確認してください。",
    ),
    Explanation(
        "filtered",
        "Mailbox Unavailable",
        False,
        "受信拒否設定",
        "受信者の設定で拒否されました。",
        "受信者に確認してください。",
    ),
    Explanation(
        "spamdetected",
        "Content",
        False,
        "迷惑メール判定",
        "内容が迷惑メールと判定されました。",
        "内容を見直してください。",
    ),
]


def build_history(path: Path, entries: int, days: int) -> SqliteHistoryStore:
    """One small real fetch (accounts, texts, explanations through the store), then bulk rows
    in the same schema with executemany: record_fetch on millions of objects would take far
    longer than the figures being measured."""
    store = SqliteHistoryStore(path)
    base = datetime(2026, 10, 31, tzinfo=UTC) - timedelta(days=days)
    seed = [
        SuppressionEntry(
            ListKind.BOUNCES,
            f"seed{i}@{DOMAINS[i % len(DOMAINS)]}",
            base + timedelta(minutes=i),
            "5.1.1",
            f"550 5.1.1 template {i % 300}",
        )
        for i in range(2000)
    ]
    start, end = int(base.timestamp()), int(base.timestamp()) + days * 86_400
    store.record_fetch(
        FetchWrite(
            ACCOUNT,
            ALL_LISTS,
            start,
            end,
            dict.fromkeys(ALL_LISTS, start),
            True,
            datetime(2026, 11, 1, tzinfo=UTC),
            seed,
            [EXPLANATIONS[i % len(EXPLANATIONS)] for i in range(2000)],
        )
    )
    store.close()
    connection = sqlite3.connect(path, isolation_level=None)
    texts = dict(connection.execute("SELECT text, id FROM texts"))
    reasons = [texts[f"550 5.1.1 template {i}"] for i in range(300)]
    domains = [texts[d] for d in DOMAINS]
    status, ip = texts["5.1.1"], texts[""]
    explanations = [row[0] for row in connection.execute("SELECT id FROM explanations")]
    account_id = connection.execute("SELECT id FROM accounts").fetchone()[0]
    fetch_id = connection.execute("SELECT MAX(id) FROM fetches").fetchone()[0]
    rng = random.Random(11)
    seen = int(datetime(2026, 11, 1, tzinfo=UTC).timestamp())
    step = days * 86_400 / entries
    batch = 200_000
    connection.execute("PRAGMA synchronous=OFF")  # generation only; the store uses FULL
    for first in range(0, entries, batch):
        rows = []
        for i in range(first, min(entries, first + batch)):
            d = i % len(DOMAINS)
            rows.append(
                (
                    account_id,
                    rng.randrange(5) if i % 4 == 0 else 0,
                    f"{rng.getrandbits(40):010x}.{i}@{DOMAINS[d]}",
                    start + int(i * step),
                    domains[d],
                    status,
                    reasons[rng.randrange(300)],
                    ip,
                    explanations[i % len(explanations)],
                    seen,
                    seen,
                    fetch_id,
                )
            )
        connection.execute("BEGIN")
        connection.executemany(
            "INSERT INTO entries (account_id, list, email, created, domain_id, status_id,"
            " reason_id, ip_id, explanation_id, first_seen, last_seen, listed_fetch)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            rows,
        )
        connection.execute("COMMIT")
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.execute("ANALYZE")
    connection.close()
    return SqliteHistoryStore(path)


def large_history(entries: int, days: int, runs: int, folder: Path) -> None:
    path = folder / "large.sqlite3"
    started = time.perf_counter()
    store = build_history(path, entries, days)
    built = time.perf_counter() - started
    total = store._read("SELECT COUNT(*) FROM entries")[0][0]
    size = store.size_bytes()
    print(f"history: {total:,} entries over {days} days generated in {built:.0f} s")
    print(f"size: {size:,} bytes → {size / total:.1f} bytes per entry (target ≤ 200)")

    window = DateRange(date(2026, 10, 1), date(2026, 10, 30))
    start, end = bounds(window)
    # The columns open_range reads (a grid row needs its domain too).
    bare_sql = (
        "SELECT list, email, created, status_id, reason_id, explanation_id, first_seen,"
        " last_seen, listed_fetch, domain_id FROM entries WHERE account_id=?"
        " AND created BETWEEN ? AND ? AND gone_at IS NULL"
    )
    bare_connection = sqlite3.connect(path)
    account_id = bare_connection.execute("SELECT id FROM accounts").fetchone()[0]
    count = len(bare_connection.execute(bare_sql, (account_id, start, end)).fetchall())
    bare, opened = paired(
        runs,
        lambda: bare_connection.execute(bare_sql, (account_id, start, end)).fetchall(),
        lambda: store.open_range(ACCOUNT, start, end, ALL_LISTS),
    )
    _, objects = paired(
        1, lambda: None, lambda: store.open_range(ACCOUNT, start, end, ALL_LISTS).entries()
    )
    print(
        f"open 30-day range ({count:,} rows): bare SELECT {bare * 1000:.0f} ms, open_range "
        f"{opened * 1000:.0f} ms → ratio {opened / bare:.2f} (target ≤ 1.5); with every "
        f"SuppressionEntry built {objects * 1000:.0f} ms → {objects / bare:.2f}"
    )

    window_path(store, path, start, end, runs, bare_connection, bare_sql, account_id)

    month = date(2026, 10, 1)
    before = previous_month(month)
    two_start, two_end = bounds(DateRange(before, month_range(month).end))
    trend_first = month
    for _ in range(11):
        trend_first = previous_month(trend_first)
    year_start, year_end = bounds(DateRange(trend_first, month_range(month).end))
    bucket = "strftime('%Y-%m', e.created + 32400, 'unixepoch')"
    where = "WHERE e.account_id=? AND e.created BETWEEN ? AND ? GROUP BY b, 2"
    explained = "FROM entries e LEFT JOIN explanations x ON x.id = e.explanation_id"
    queries = [
        (f"SELECT {bucket} AS b, e.list, COUNT(*) FROM entries e {where}", two_start, two_end),
        (f"SELECT {bucket} AS b, x.category, COUNT(*) {explained} {where}", two_start, two_end),
        (f"SELECT {bucket} AS b, e.domain_id, COUNT(*) FROM entries e {where}", two_start, two_end),
        (f"SELECT {bucket} AS b, x.label, COUNT(*) {explained} {where}", two_start, two_end),
        (f"SELECT {bucket} AS b, x.category, COUNT(*) {explained} {where}", year_start, year_end),
    ]

    def aggregate() -> None:
        for sql, low, high in queries:
            bare_connection.execute(sql, (account_id, low, high)).fetchall()

    sql_time, report_time = paired(
        runs, aggregate, lambda: build_monthly_report(store, ACCOUNT, month)
    )
    print(
        f"monthly report over {total:,} entries: bare SQL {sql_time * 1000:.0f} ms, "
        f"build_monthly_report {report_time * 1000:.0f} ms → ratio {report_time / sql_time:.2f} "
        "(target ≤ 2)"
    )
    bare_connection.close()
    store.close()


def window_path(
    store: SqliteHistoryStore,
    path: Path,
    start: int,
    end: int,
    runs: int,
    bare_connection: sqlite3.Connection,
    bare_sql: str,
    account_id: int,
) -> None:
    """The window's way to the grid: the fetch job through history (incremental: the provider
    is asked only for the tail after the high-water mark, here an empty one on the in-process
    sandbox), then what FetchController and HistoryController do with its result on the GUI
    thread: the model cleared and filled, 履歴 marks set, sorted by 登録日時 (newest first),
    counts read (the count line and filter combos) and the first 40 rows' cells read as a
    paint does. Against the bare SELECT of the same rows, alternated in the same run."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QCoreApplication, Qt

    from app.ui.history.fetch_work import fetch_recording_history
    from app.ui.history.session import HistorySession
    from app.ui.models.entry_table import Column, EntryTableModel

    app = QCoreApplication.instance() or QCoreApplication([])
    del app
    # Coverage as a fetch of the whole span would leave it: every list held up to its newest
    # row, so the range is asked from its last second (bulk rows bypass record_fetch).
    with sqlite3.connect(path) as connection:
        connection.execute(
            "UPDATE coverage SET high_water = max(high_water, coalesce((SELECT MAX(created)"
            " FROM entries e WHERE e.account_id = coverage.account_id AND e.list ="
            " coverage.list), 0))"
        )
    connection.close()
    sandbox = SendGridSandbox(records=[], api_keys={KEY: None})
    sandbox.start()
    session = HistorySession(store=store)
    model = EntryTableModel()
    model.sort(Column.CREATED, Qt.SortOrder.DescendingOrder)
    window = DateRange(date(2026, 10, 1), date(2026, 10, 30))
    requests: list[int] = []

    def provider() -> SendGridProvider:
        return SendGridProvider(KEY, base_url=sandbox.base_url, max_concurrency=8)

    def tail_provider() -> SendGridProvider:
        return SendGridProvider(KEY, base_url=sandbox.base_url, max_concurrency=1)

    def classify(page: object) -> list[Explanation]:
        return [EXPLANATIONS[0]] * len(page)  # type: ignore[arg-type]

    def into_grid() -> None:
        result = fetch_recording_history(
            session,
            provider,
            tail_provider,
            ACCOUNT,
            window,
            ALL_LISTS,
            classify,
            None,
            False,
            400,
        )
        requests.append(result.fetch.requests_made)
        model.clear()
        model.append(result.entries, result.explanations)
        model.set_marks(result.marks, result.notes)
        model.resort()
        shown = model.rowCount()
        _ = (model.total, model.counts_by_list, model.counts_by_category, model.counts_by_domain)
        for row in range(min(40, shown)):
            for column in range(model.columnCount()):
                model.data(model.index(row, column))

    try:
        bare, filled = paired(
            runs,
            lambda: bare_connection.execute(bare_sql, (account_id, start, end)).fetchall(),
            into_grid,
        )
    finally:
        sandbox.stop()
    print(
        f"window path ({model.rowCount():,} rows in the grid, {requests[-1]} tail requests): "
        f"bare SELECT {bare * 1000:.0f} ms, fetch through history into the grid "
        f"{filled * 1000:.0f} ms → ratio {filled / bare:.2f} (target ≤ 1.5)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--account-entries", type=int, default=100_000)
    parser.add_argument("--new", type=int, default=500)
    parser.add_argument("--history-entries", type=int, default=5_000_000)
    parser.add_argument("--days", type=int, default=1000, help="span of the large history")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes: proves the script runs")
    parser.add_argument("--skip-fetch", action="store_true")
    parser.add_argument("--skip-large", action="store_true")
    args = parser.parse_args()
    if args.smoke:
        args.account_entries, args.new, args.history_entries, args.runs = 3000, 20, 20_000, 1
    with tempfile.TemporaryDirectory(prefix="todoku-history-bench-") as folder:
        if not args.skip_fetch:
            incremental_fetch(args.account_entries, args.new, {ListKind.BOUNCES: 1.0}, Path(folder))
            incremental_fetch(
                args.account_entries,
                args.new,
                {
                    ListKind.BOUNCES: 0.6,
                    ListKind.BLOCKS: 0.2,
                    ListKind.INVALID_EMAILS: 0.1,
                    ListKind.SPAM_REPORTS: 0.05,
                    ListKind.UNSUBSCRIBES: 0.05,
                },
                Path(folder),
            )
        if not args.skip_large:
            large_history(args.history_entries, args.days, args.runs, Path(folder))
    return 0


if __name__ == "__main__":
    sys.exit(main())
