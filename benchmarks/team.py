"""Team-mode load test: N operator processes fetch and delete overlapping entries at once.

Run: python benchmarks/team.py [--processes 10] [--seconds 120] [--entries 1000] [--smoke]

One real PostgreSQL (Debian's binaries, a temp cluster on loopback) and one SendGrid imitation
(app/sandbox) in this process. Each operator process logs in as its own 削除可 operator, fetches
the bounces list, picks a random window of addresses (windows overlap between operators) and
deletes it with ``delete_with_record`` (claims in the shared journal before any request). This
process puts deleted addresses back on the list (a new listing, as a 再発 would) so the run
never runs dry. At the end it checks, from the imitation's request log and the journal:

* no listing deleted twice (journal: one success per list/address/created; imitation: never
  more delete requests for an address than it had listings);
* no journal row lost or duplicated: the addresses of every successful DELETE request at the
  imitation equal the journal's ``deleted`` entries, as multisets; no entry left pending.

Then it measures journal write throughput: the same operations written through
``PostgresJournal`` (claim, running, results, done) and as bare psycopg inserts of the same rows
into plain tables in the same transactions, alternating, and prints the ratio (bare time /
journal time; the issue asks ≥ 0.5). Exit status 1 when a check fails.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.core.dates import today_jst  # noqa: E402
from app.core.types import DateRange, ListKind  # noqa: E402

KEY = "SG.team-benchmark-key"
BATCH = 100  # results per journal write, as delete_with_record writes them


# -- the operator process ------------------------------------------------------------------------


def worker(args: argparse.Namespace) -> None:
    from app.core.deletion.plan import DeletionContext, plan_deletion
    from app.core.deletion.run import delete_with_record
    from app.core.providers.sendgrid import SendGridProvider
    from app.core.storage.team.connection import parse_database_url
    from app.core.storage.team.journal_pg import PostgresJournal

    rng = random.Random(args.seed)
    store = PostgresJournal(
        parse_database_url(args.url), outbox_path=Path(args.outbox), os_user=f"w{args.seed}"
    )
    provider = SendGridProvider(KEY, base_url=args.base_url, max_concurrency=2)
    today = today_jst()
    window = DateRange(today - timedelta(days=3), today + timedelta(days=1))
    counts = Counter[str]()
    deadline = time.monotonic() + args.seconds
    context = DeletionContext(account_label="bench", note=f"operator {args.seed}")
    try:
        while time.monotonic() < deadline:
            listed = sorted(
                provider.fetch(window, [ListKind.BOUNCES]).entries, key=lambda e: e.email
            )
            counts["fetches"] += 1
            if not listed:
                time.sleep(0.05)
                continue
            size = rng.randint(5, 40)
            start = rng.randrange(len(listed))
            chosen = (listed + listed)[start : start + min(size, len(listed))]
            plan = plan_deletion((entry, None) for entry in chosen)
            report = delete_with_record(provider, store, plan, context=context)
            counts["operations"] += bool(report.operation_id)
            counts["sent"] += len(report.outcomes)
            counts["conflicts"] += len(report.conflicts)
            counts["failed"] += len(report.failed)
    finally:
        provider.close()
        store.close()
    print(json.dumps(dict(counts)))


# -- the run -------------------------------------------------------------------------------------


def deleted_at_imitation(sandbox: object) -> Counter[str]:
    found = Counter[str]()
    for request in sandbox.request_log:  # type: ignore[attr-defined]
        if request.method != "DELETE" or not 200 <= request.status < 300:
            continue
        if request.body:
            found.update(json.loads(request.body).get("emails", []))
        else:
            from urllib.parse import unquote

            found[unquote(request.path.rsplit("/", 1)[-1])] += 1
    return found


def relister(sandbox: object, listings: Counter[str], emails: list[str], stop: threading.Event):
    """Put deleted addresses back (a new listing, ``created`` after the deletion)."""
    from app.sandbox.sendgrid_server import SandboxRecord

    gone_since: dict[str, float] = {}
    while not stop.wait(0.3):
        listed = {r.email for r in sandbox.records("bounces")}  # type: ignore[attr-defined]
        now = time.time()
        back = []
        for email in emails:
            if email in listed:
                gone_since.pop(email, None)
            elif now - gone_since.setdefault(email, now) >= 1.5:
                back.append(SandboxRecord("bounces", email, int(now), "550 5.1.1 user unknown"))
                gone_since.pop(email)
        if back:
            sandbox.add_records(back)  # type: ignore[attr-defined]
            listings.update(r.email for r in back)


def run_load(args: argparse.Namespace, server: object, workdir: Path) -> dict[str, object]:
    import psycopg

    from app.sandbox.postgres_server import make_team_database
    from app.sandbox.sendgrid_server import SandboxRecord, SendGridSandbox

    operators = {f"op{i}": (f"担当{i}", "delete") for i in range(args.processes)}
    make_team_database(server, "team_load", operators)  # type: ignore[arg-type]
    now = int(time.time()) - 3600
    emails = [f"load{i:05d}@example.jp" for i in range(args.entries)]
    sandbox = SendGridSandbox(
        records=[
            SandboxRecord("bounces", e, now - i, "550 5.1.1 user unknown")
            for i, e in enumerate(emails)
        ],
        api_keys={KEY: None},
    )
    sandbox.start()
    listings = Counter(emails)
    stop = threading.Event()
    thread = threading.Thread(target=relister, args=(sandbox, listings, emails, stop), daemon=True)
    thread.start()
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    started = time.monotonic()
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                __file__,
                "--worker",
                "--seed",
                str(i),
                "--seconds",
                str(args.seconds),
                "--base-url",
                sandbox.base_url,
                "--url",
                server.url(f"op{i}", "team_load"),  # type: ignore[attr-defined]
                "--outbox",
                str(workdir / f"outbox-{i}.sqlite3"),
            ],
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        for i in range(args.processes)
    ]
    results = []
    for process in processes:
        out, _ = process.communicate(timeout=args.seconds + 300)
        if process.returncode != 0:
            raise SystemExit(f"an operator process failed (exit {process.returncode})")
        results.append(json.loads(out.strip().splitlines()[-1]))
    elapsed = time.monotonic() - started
    stop.set()
    thread.join()
    at_imitation = deleted_at_imitation(sandbox)
    sandbox.stop()
    with psycopg.connect(server.url(database="team_load")) as raw:  # type: ignore[attr-defined]
        journal_deleted = Counter(
            email
            for (email,) in raw.execute(
                "SELECT email FROM todoku.entry_current WHERE result = 'deleted'"
            )
        )
        twice_in_journal = raw.execute(
            "SELECT count(*) FROM (SELECT 1 FROM todoku.entry_current"
            " WHERE result IN ('deleted', 'not_found', 'gone')"
            " GROUP BY list_kind, lower(email), created HAVING count(*) > 1) AS d"
        ).fetchone()[0]
        pending = raw.execute(
            "SELECT count(*) FROM todoku.entry_current WHERE result = 'pending'"
        ).fetchone()[0]
        result_rows = raw.execute("SELECT count(*) FROM todoku.entry_results").fetchone()[0]
        operations = raw.execute("SELECT count(*) FROM todoku.operations").fetchone()[0]
    over_listings = sum(max(0, at_imitation[e] - listings[e]) for e in at_imitation)
    totals = Counter[str]()
    for result in results:
        totals.update(result)
    return {
        "processes": args.processes,
        "seconds": round(elapsed, 1),
        "operations": operations,
        "fetches": totals["fetches"],
        "addresses_deleted_at_imitation": sum(at_imitation.values()),
        "claim_conflicts_seen": totals["conflicts"],
        "deleted_twice_journal": twice_in_journal,
        "deleted_more_than_listed_at_imitation": over_listings,
        "journal_rows_lost": sum((at_imitation - journal_deleted).values()),
        "journal_rows_extra": sum((journal_deleted - at_imitation).values()),
        "entries_left_pending": pending,
        "result_rows": result_rows,
    }


# -- write throughput ------------------------------------------------------------------------------

_BARE_SCHEMA = """
CREATE TABLE bare_operations (id bigserial PRIMARY KEY, started_at timestamptz, os_user text,
  display_name text, account_label text, subuser text, region text, base_host text,
  practice boolean, note text);
CREATE TABLE bare_entries (id bigserial PRIMARY KEY, operation_id bigint, seq int, list_kind text,
  email text, created timestamptz, status text, reason text, ip text, explanation_reason text,
  explanation_label text, explanation_permanent boolean);
CREATE TABLE bare_results (id bigserial PRIMARY KEY, operation_id bigint, list_kind text,
  email text, result text, detail text, recorded_at timestamptz);
CREATE TABLE bare_states (id bigserial PRIMARY KEY, operation_id bigint, state text,
  at timestamptz);
"""


def synthetic_operations(count: int, size: int, round_no: int) -> list[list[object]]:
    from app.core.storage.journal_records import NewEntry

    created = datetime.now(UTC) - timedelta(hours=1)
    return [
        [
            NewEntry(
                ListKind.BOUNCES,
                f"r{round_no}o{op}e{i}@example.jp",
                created,
                "5.1.1",
                "550 5.1.1 <x@example.jp>: user unknown",
                "192.0.2.1",
                "userunknown",
                "宛先不明",
                True,
            )
            for i in range(size)
        ]
        for op in range(count)
    ]


def journal_writes(store: object, operations: list[list[object]]) -> float:
    from app.core.storage.journal_records import (
        EntryResult,
        OperationMeta,
        OperationState,
        ResultUpdate,
    )

    meta = OperationMeta("bench", "", "global", "api.example", False, "throughput")
    started = time.perf_counter()
    for entries in operations:
        claim = store.claim_operation(meta, entries)  # type: ignore[attr-defined]
        store.set_state(claim.operation_id, OperationState.RUNNING)  # type: ignore[attr-defined]
        for start in range(0, len(entries), BATCH):
            store.record_results(  # type: ignore[attr-defined]
                claim.operation_id,
                [
                    ResultUpdate(e.list_kind, e.email, EntryResult.DELETED)  # type: ignore[attr-defined]
                    for e in entries[start : start + BATCH]
                ],
            )
        store.set_state(claim.operation_id, OperationState.DONE)  # type: ignore[attr-defined]
    return time.perf_counter() - started


def bare_writes(connection: object, operations: list[list[object]]) -> float:
    started = time.perf_counter()
    conn = connection
    for entries in operations:
        with conn.transaction():  # type: ignore[attr-defined]
            (op_id,) = conn.execute(  # type: ignore[attr-defined]
                "INSERT INTO bare_operations (started_at, os_user, display_name, account_label,"
                " subuser, region, base_host, practice, note)"
                " VALUES (now(), 'w', 'w', 'bench', '', 'global', 'api.example', false, 't')"
                " RETURNING id"
            ).fetchone()
            with conn.cursor() as cursor:  # type: ignore[attr-defined]
                cursor.executemany(
                    "INSERT INTO bare_entries (operation_id, seq, list_kind, email, created,"
                    " status, reason, ip, explanation_reason, explanation_label,"
                    " explanation_permanent) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)",
                    [
                        (
                            op_id,
                            seq,
                            e.list_kind.value,
                            e.email,
                            e.created,
                            e.status,
                            e.reason,
                            e.ip,
                            e.explanation_reason,
                            e.explanation_label,
                            e.explanation_permanent,
                        )
                        for seq, e in enumerate(entries)
                    ],
                )
            conn.execute(  # type: ignore[attr-defined]
                "INSERT INTO bare_states (operation_id, state, at) VALUES (%s, 'pending', now())",
                (op_id,),
            )
        with conn.transaction():  # type: ignore[attr-defined]
            conn.execute(  # type: ignore[attr-defined]
                "INSERT INTO bare_states (operation_id, state, at) VALUES (%s, 'running', now())",
                (op_id,),
            )
        for start in range(0, len(entries), BATCH):
            with conn.transaction(), conn.cursor() as cursor:  # type: ignore[attr-defined]
                cursor.executemany(
                    "INSERT INTO bare_results (operation_id, list_kind, email, result, detail,"
                    " recorded_at) VALUES (%s, %s, %s, 'deleted', '', now())",
                    [(op_id, e.list_kind.value, e.email) for e in entries[start : start + BATCH]],
                )
        with conn.transaction():  # type: ignore[attr-defined]
            conn.execute(  # type: ignore[attr-defined]
                "INSERT INTO bare_states (operation_id, state, at) VALUES (%s, 'done', now())",
                (op_id,),
            )
    return time.perf_counter() - started


def run_throughput(args: argparse.Namespace, server: object, workdir: Path) -> dict[str, object]:
    import psycopg

    from app.core.storage.team.connection import parse_database_url
    from app.core.storage.team.journal_pg import PostgresJournal
    from app.sandbox.postgres_server import make_team_database

    make_team_database(server, "team_write", {"writer": ("書き込み", "delete")})  # type: ignore[arg-type]
    bare = psycopg.connect(server.url(database="team_write"), autocommit=True)  # type: ignore[attr-defined]
    bare.execute(_BARE_SCHEMA)
    store = PostgresJournal(
        parse_database_url(server.url("writer", "team_write")),  # type: ignore[attr-defined]
        outbox_path=workdir / "outbox-writer.sqlite3",
    )
    journal_times, bare_times = [], []
    for round_no in range(args.rounds):
        # Alternate which goes first, so neither always meets a warmer cache.
        ops_a = synthetic_operations(args.write_ops, args.write_size, 2 * round_no)
        ops_b = synthetic_operations(args.write_ops, args.write_size, 2 * round_no + 1)
        if round_no % 2:
            bare_times.append(bare_writes(bare, ops_a))
            journal_times.append(journal_writes(store, ops_b))
        else:
            journal_times.append(journal_writes(store, ops_a))
            bare_times.append(bare_writes(bare, ops_b))
    store.close()
    bare.close()
    rows = args.write_ops * (1 + 2 * args.write_size + 3)  # operation, entries, results, states
    journal_s, bare_s = statistics.median(journal_times), statistics.median(bare_times)
    return {
        "write_operations": args.write_ops,
        "entries_per_operation": args.write_size,
        "rounds": args.rounds,
        "journal_rows_per_s": round(rows / journal_s),
        "bare_rows_per_s": round(rows / bare_s),
        "throughput_ratio": round(bare_s / journal_s, 3),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=120.0)
    parser.add_argument("--entries", type=int, default=1000)
    parser.add_argument("--write-ops", type=int, default=200)
    parser.add_argument("--write-size", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--smoke", action="store_true", help="2 processes, a few seconds")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--base-url", help=argparse.SUPPRESS)
    parser.add_argument("--outbox", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args)
        return 0
    if args.smoke:
        args.processes, args.seconds, args.entries = 2, 4.0, 60
        args.write_ops, args.write_size, args.rounds = 20, 30, 1
    from app.sandbox.postgres_server import PostgresServer

    server = PostgresServer().start()
    try:
        with tempfile.TemporaryDirectory(prefix="todoku-team-bench-") as tmp:
            figures = run_load(args, server, Path(tmp))
            figures.update(run_throughput(args, server, Path(tmp)))
    finally:
        server.stop()
    ok = (
        figures["deleted_twice_journal"] == 0
        and figures["deleted_more_than_listed_at_imitation"] == 0
        and figures["journal_rows_lost"] == 0
        and figures["journal_rows_extra"] == 0
        and figures["entries_left_pending"] == 0
        and figures["addresses_deleted_at_imitation"] > 0  # type: ignore[operator]
    )
    figures["checks_passed"] = ok
    figures["throughput_target_met"] = figures["throughput_ratio"] >= 0.5  # type: ignore[operator]
    print(json.dumps(figures, ensure_ascii=False, indent=1))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
