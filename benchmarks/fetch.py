"""Fetch benchmark: concurrency vs a sequential loop, rate-limit use, and fault tolerance.

Run: python benchmarks/fetch.py [--entries 100000] [--rate-seconds 130]
        [--providers sendgrid,cmc,infobip,ses] [--smoke]
Every figure is measured in this run against the sandbox CLI (`todoku-cli sandbox`) on loopback.
The CMC, Infobip and SES parts live in benchmarks/fetch_providers.py. ``--smoke`` runs every
part on tiny data (tests/test_benchmark_fetch_smoke.py) and exits 1 if any entry set differs.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.core.dates import today_jst, unix_bounds  # noqa: E402
from app.core.providers.sendgrid import PAGE_LIMIT, SendGridProvider  # noqa: E402
from app.core.types import DateRange, ListKind  # noqa: E402

KEY = "SG.benchmark-key"


def start_sandbox(*args: str) -> tuple[subprocess.Popen[str], str]:
    command = [sys.executable, "-m", "app.cli", "sandbox", "--api-key", KEY, *args]
    process = subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    assert process.stdout is not None
    base_url = process.stdout.readline().strip()
    if not base_url.startswith("http://"):
        process.kill()
        raise SystemExit(f"sandbox did not start: {base_url!r}")
    return process, base_url


def stop(process: subprocess.Popen[str]) -> None:
    process.terminate()
    process.wait(timeout=10)


def whole_range() -> DateRange:
    today = today_jst()
    return DateRange(today - timedelta(days=59), today)


def sequential_fetch(base_url: str, date_range: DateRange) -> int:
    """The baseline: each list, one page after another until a short page."""
    start, end = unix_bounds(date_range)
    total = 0
    with httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {KEY}"}) as client:
        for kind in ListKind:
            offset = 0
            while True:
                params = {
                    "start_time": start,
                    "end_time": end,
                    "limit": PAGE_LIMIT,
                    "offset": offset,
                }
                page = client.get(f"/v3/suppression/{kind.value}", params=params).json()
                total += len(page)
                if len(page) < PAGE_LIMIT:
                    break
                offset += PAGE_LIMIT
    return total


def bench_concurrency(entries: int) -> None:
    process, base_url = start_sandbox(
        "--entries", str(entries), "--latency-ms", "50", "--seed", "1"
    )
    try:
        date_range = whole_range()
        sequential_fetch(base_url, date_range)  # warm the sandbox's caches for both runs alike
        t0 = time.perf_counter()
        baseline_count = sequential_fetch(base_url, date_range)
        baseline = time.perf_counter() - t0
        t0 = time.perf_counter()
        with SendGridProvider(KEY, base_url=base_url) as provider:
            result = provider.fetch(date_range, list(ListKind))
        ours = time.perf_counter() - t0
    finally:
        stop(process)
    print(f"[concurrency] sandbox entries={entries}, 50 ms latency, all five lists")
    print(f"  sequential loop: {baseline_count} entries in {baseline:.2f} s")
    print(
        f"  todoku fetch:    {len(result.entries)} entries in {ours:.2f} s "
        f"({result.requests_made} requests)"
    )
    print(f"  speed-up: {baseline / ours:.1f}x  (goal >= 5x)")


class _RecordingTransport(httpx.HTTPTransport):
    def __init__(self) -> None:
        super().__init__()
        self.events: list[tuple[str, int, str | None]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        reset = response.headers.get("x-ratelimit-reset")
        self.events.append((request.url.path, response.status_code, reset))
        return response


def bench_rate_limit(seconds: float) -> None:
    process, base_url = start_sandbox("--entries", "200000", "--rate-limit", "600", "--seed", "2")
    transport = _RecordingTransport()
    fetches = failures = 0
    started = time.time()
    try:
        with SendGridProvider(KEY, base_url=base_url, transport=transport) as provider:
            while time.time() - started < seconds:
                try:
                    # One list, so its endpoint's budget is the one that binds (limits are per
                    # endpoint; a second, smaller list would idle while the first waits).
                    provider.fetch(whole_range(), [ListKind.BOUNCES])
                    fetches += 1
                except Exception as error:  # counted and reported, never hidden
                    failures += 1
                    print(f"  fetch failed: {error}")
    finally:
        stop(process)
    elapsed = time.time() - started
    # SendGrid's limits (and the sandbox's) are per endpoint: count each path's own windows.
    ok_per_window: Counter[tuple[str, str]] = Counter()
    for path, status, reset in transport.events:
        if status == 200 and reset:
            ok_per_window[(path, reset)] += 1
    statuses = Counter(status for _, status, _ in transport.events)
    print(
        f"[rate limit] --rate-limit 600 (per endpoint, 60 s windows), {elapsed:.0f} s of "
        "repeated fetches of the bounces list"
    )
    print(f"  fetches completed: {fetches}, failed: {failures}; statuses: {dict(statuses)}")
    shares = []
    for path in sorted({path for path, _ in ok_per_window}):
        windows = sorted(reset for p, reset in ok_per_window if p == path)
        for reset in windows:
            # The first and last windows were cut by our start and stop: only whole ones count.
            whole = reset not in (windows[0], windows[-1])
            count = ok_per_window[(path, reset)]
            mark = "" if whole else " (partial, not counted)"
            print(f"  {path} window ending {reset}: {count} successful requests{mark}")
            if whole:
                shares.append(count / 600)
    if shares:
        print(
            f"  achieved: {min(shares):.0%} (worst) / {sum(shares) / len(shares):.0%} (mean) of "
            "the limit per whole window (goal >= 90%, no failed fetch)"
        )


def bench_faults(entries: int) -> bool:
    faults = "429=0.05,500=0.05,drop=0.02,garbage=0.01"
    # Both servers load the same data file, so the two fetches must agree entry for entry.
    data = Path(tempfile.mkdtemp()) / "entries.jsonl"
    write_data_file(data, entries)
    clean, clean_url = start_sandbox("--data", str(data))
    faulty, faulty_url = start_sandbox("--data", str(data), "--seed", "5", "--faults", faults)
    lists = list(ListKind)
    try:
        with SendGridProvider(KEY, base_url=clean_url) as provider:
            expected = provider.fetch(whole_range(), lists).entries
        with SendGridProvider(KEY, base_url=faulty_url, max_retries=8) as provider:
            result = provider.fetch(whole_range(), lists)
    finally:
        stop(clean)
        stop(faulty)
    same = set(expected) == set(result.entries)
    print(f"[faults] --faults {faults}, {entries} entries, all lists")
    print(
        f"  fault-free: {len(expected)} entries; with faults: {len(result.entries)} entries, "
        f"{result.requests_made} requests, {result.retries} retries"
    )
    print(f"  entry sets equal: {same}")
    return same


def write_data_file(path: Path, count: int) -> None:
    from app.sandbox.scenarios import generate_records

    start, end = unix_bounds(whole_range())
    with path.open("w", encoding="utf-8") as out:
        for record in generate_records(count=count, seed=5, start=start, end=end):
            item = {
                "list": record.list_kind,
                "email": record.email,
                "created": record.created,
                "reason": record.reason,
                "status": record.status,
                "ip": record.ip,
            }
            out.write(json.dumps(item, ensure_ascii=False) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--rate-seconds", type=float, default=130.0)
    parser.add_argument("--skip-rate", action="store_true")
    parser.add_argument("--providers", default="sendgrid,cmc,infobip,ses")
    parser.add_argument("--smoke", action="store_true", help="tiny data, no SendGrid rate part")
    args = parser.parse_args()
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    print(f"machine: {os.cpu_count()} cores, python {sys.version.split()[0]}, {date.today()}")
    providers = {name.strip() for name in args.providers.split(",")}
    ok = True
    if "sendgrid" in providers:
        bench_concurrency(3000 if args.smoke else args.entries)
        ok &= bench_faults(1000 if args.smoke else 20_000)
        if not args.skip_rate and not args.smoke:
            bench_rate_limit(args.rate_seconds)
    if providers & {"cmc", "infobip", "ses"}:
        from benchmarks import fetch_providers

        ok &= fetch_providers.run(args.smoke, providers)
    if not ok:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
