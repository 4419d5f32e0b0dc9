"""The CMC, Infobip and SES parts of benchmarks/fetch.py (imported by it; not run alone).

Each provider: (1) concurrency: Todoku's fetch against a plain sequential page loop, both on
the provider's imitation with 50 ms latency (a subprocess, like the SendGrid part); (2) faults:
the same data with and without injected 429/5xx/drops/HTML pages must give the same entries;
(3) Infobip only (the one published limit: 100 requests/s per account): the share of that limit
repeated fetches use, counted per whole one-second window on the imitation's request log.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx

from app.core.accounts import Account, ProviderName
from app.core.dates import today_jst
from app.core.provider_factory import build_provider
from app.core.providers.aws_sigv4 import AwsCredentials, SigV4Signer
from app.core.providers.infobip import created_bounds
from app.core.providers.ses import LIST_PATH
from app.core.types import DateRange
from app.sandbox.esp_practice import PRACTICE_DOMAINS, generate_practice
from app.sandbox.practice import practice_credentials, practice_region, practice_sandbox
from app.sandbox.sendgrid_types import FaultPlan

ROOT = Path(__file__).resolve().parents[1]
FAULTS = "429=0.05,500=0.05,drop=0.02,garbage=0.02"


def whole_range() -> DateRange:
    today = today_jst()
    return DateRange(today - timedelta(days=59), today)


def build(provider: str, base_url: str, **options: Any) -> Any:
    account = Account("bench", ProviderName(provider), region=practice_region(provider))
    built = build_provider(account, practice_credentials(provider), base_url=base_url)
    for name, value in options.items():  # test-only knobs (retry budget) set after building
        setattr(built._http, name, value)
    return built


def start(provider: str, *args: str) -> tuple[subprocess.Popen[str], str]:
    command = [sys.executable, "-m", "app.cli", "sandbox", "--provider", provider, *args]
    process = subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    assert process.stdout is not None
    base_url = process.stdout.readline().strip()
    if not base_url.startswith("http://"):
        process.kill()
        raise SystemExit(f"{provider} sandbox did not start: {base_url!r}")
    return process, base_url


def sequential(provider: str, base_url: str, date_range: DateRange) -> tuple[int, int]:
    """The baseline: every list (and domain), one page after another. (entries, requests)"""
    credentials = practice_credentials(provider)
    total = requests = 0
    with httpx.Client(base_url=base_url, timeout=60) as client:
        if provider == "cmc":
            for resource in ("bounces", "blocks"):
                page = 0
                while True:
                    form = {
                        **credentials,
                        "start_date": date_range.start.isoformat(),
                        "end_date": date_range.end.isoformat(),
                        "p": str(page),
                        "r": "100",
                    }
                    items = client.post(f"/transaction/v2/{resource}/list.json", data=form)
                    requests += 1
                    rows = items.json()[resource]
                    total += len(rows)
                    if len(rows) < 100:
                        break
                    page += 1
        elif provider == "infobip":
            low, high = created_bounds(date_range)
            headers = {"Authorization": f"App {credentials['api_key']}"}
            for domain in PRACTICE_DOMAINS:
                for kind in ("BOUNCE", "COMPLAINT", "OVER_QUOTA"):
                    page = 0
                    while True:
                        params = {
                            "domainName": domain,
                            "type": kind,
                            "createdDateFrom": low,
                            "createdDateTo": high,
                            "page": page,
                            "size": 1000,
                        }
                        reply = client.get("/email/1/suppressions", params=params, headers=headers)
                        requests += 1
                        rows = reply.json()["results"]
                        total += len(rows)
                        if len(rows) < 1000:
                            break
                        page += 1
        else:
            keys = AwsCredentials(credentials["access_key_id"], credentials["secret_access_key"])
            signer = SigV4Signer(keys, practice_region("ses"))
            for reason in ("BOUNCE", "COMPLAINT"):
                token = ""
                while True:
                    params = {"Reason": reason, "PageSize": "1000"}
                    if token:
                        params["NextToken"] = token
                    request = client.build_request("GET", LIST_PATH, params=params)
                    signer(request)
                    payload = client.send(request).json()
                    requests += 1
                    total += len(payload["SuppressedDestinationSummaries"])
                    token = payload.get("NextToken", "")
                    if not token:
                        break
    return total, requests


def bench_concurrency(provider: str, entries: int) -> bool:
    process, base_url = start(provider, "--entries", str(entries), "--latency-ms", "50")
    try:
        date_range = whole_range()
        # The imitations cache encoded pages: warm them for both runs alike (as the SendGrid part).
        sequential(provider, base_url, date_range)
        t0 = time.perf_counter()
        baseline_count, baseline_requests = sequential(provider, base_url, date_range)
        baseline = time.perf_counter() - t0
        t0 = time.perf_counter()
        with build(provider, base_url) as client:
            result = client.fetch(date_range, client.supported_lists())
        ours = time.perf_counter() - t0
    finally:
        process.terminate()
        process.wait(timeout=10)
    print(f"[{provider} concurrency] imitation entries={entries}, 50 ms latency, every list")
    print(
        f"  sequential loop: {baseline_count} rows, {baseline_requests} requests, {baseline:.2f} s"
    )
    print(
        f"  todoku fetch:    {len(result.entries)} entries, {result.requests_made} requests, "
        f"{ours:.2f} s"
    )
    print(f"  speed-up: {baseline / ours:.1f}x  (goal >= 5x where pages can be read in parallel)")
    # The loop counts rows per page (an address listed twice counts twice); Todoku keeps one
    # entry per (list, address) and reads the range through date slices (SES), so the counts
    # may differ slightly; the fault benchmark below compares entry sets exactly.
    return len(result.entries) > 0


def bench_faults(provider: str, entries: int) -> bool:
    now = int(time.time())
    records = generate_practice(entries, 5, now - 59 * 86400, now)
    clean = practice_sandbox(provider, records=records)
    with clean, build(provider, clean.base_url) as client:
        expected_entries = client.fetch(whole_range(), client.supported_lists()).entries
    faulty = practice_sandbox(provider, records=records, faults=FaultPlan.parse(FAULTS), seed=5)
    with faulty, build(provider, faulty.base_url, _max_retries=8) as client:
        result = client.fetch(whole_range(), client.supported_lists())
        injected = Counter(r.fault for r in faulty.request_log if r.fault)
    # Compared by (list, address): CMC bounces are events, and when an address bounced twice,
    # which of its rows a concurrent fetch meets first is a matter of arrival order.
    expected = {entry.key for entry in expected_entries}
    same = expected == {entry.key for entry in result.entries}
    print(f"[{provider} faults] {FAULTS}, {entries} generated entries")
    print(
        f"  fault-free: {len(expected)} entries; with faults: {len(result.entries)} entries, "
        f"{result.requests_made} requests, {result.retries} retries, injected {dict(injected)}"
    )
    print(f"  entry sets equal: {same}")
    return same


_RATE_SERVER = """
import sys, time
from app.sandbox.esp_practice import generate_practice
from app.sandbox.practice import practice_sandbox
now = int(time.time())
records = generate_practice(int(sys.argv[1]), 7, now - 59 * 86400, now)
sandbox = practice_sandbox("infobip", records=records, latency_ms=50)
sandbox.configure(rate_limit=100, rate_window_seconds=1.0)
print(sandbox.start(), flush=True)
sys.stdin.read()  # until the benchmark closes our stdin
for r in sandbox.request_log:
    print(int(r.received_at), r.status)
sandbox.stop()
"""


def bench_infobip_rate(seconds: float, entries: int) -> bool:
    """Repeated full fetches against an imitation (its own process, so the server does not
    share our GIL) that enforces the published 100 requests per second per account.

    Pages of 100 rows keep the client's parsing small, so what is measured is pacing and
    concurrency, which is what "use the published limit" asks of the client.
    """
    from app.core.providers.infobip import InfobipProvider
    from app.sandbox.infobip_server import PUBLISHED_RATE_LIMIT, SANDBOX_API_KEY

    process = subprocess.Popen(
        [sys.executable, "-c", _RATE_SERVER, str(entries)],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None and process.stdin is not None
    base_url = process.stdout.readline().strip()
    fetches = failures = 0
    started = time.time()
    with InfobipProvider(base_url, SANDBOX_API_KEY, page_size=100) as client:
        while time.time() - started < seconds:
            try:
                client.fetch(whole_range(), client.supported_lists())
                fetches += 1
            except Exception as error:  # counted and reported, never hidden
                failures += 1
                print(f"  fetch failed: {error}")
    output, _ = process.communicate("", timeout=60)
    log = [tuple(int(x) for x in line.split()) for line in output.splitlines() if line.strip()]
    per_second: Counter[int] = Counter(second for second, status in log if status == 200)
    statuses = Counter(status for _, status in log)
    windows = sorted(per_second)[1:-1]  # first and last are cut by start and stop
    shares = [per_second[w] / PUBLISHED_RATE_LIMIT for w in windows]
    print(
        f"[infobip rate] imitation (own process) enforces {PUBLISHED_RATE_LIMIT} req/s, 50 ms "
        f"latency, {seconds:.0f} s of repeated fetches ({entries} entries, pages of 100)"
    )
    print(f"  fetches: {fetches}, failed: {failures}; statuses: {dict(statuses)}")
    if shares:
        print(
            f"  achieved: {min(shares):.0%} (worst) / {sum(shares) / len(shares):.0%} (mean) of "
            f"the limit over {len(shares)} whole seconds (goal >= 90%, no 429 needed)"
        )
    return failures == 0


def run(smoke: bool, providers: set[str]) -> bool:
    ok = True
    sizes = (
        {"cmc": 3000, "infobip": 3000, "ses": 3000}
        if smoke
        else {
            "cmc": 20_000,
            "infobip": 100_000,
            "ses": 100_000,
        }
    )
    for provider, entries in sizes.items():
        if provider in providers:
            ok &= bench_concurrency(provider, entries)
            ok &= bench_faults(provider, 1500 if smoke else 20_000)
    if "infobip" in providers:
        ok &= bench_infobip_rate(3.0 if smoke else 10.0, 3000 if smoke else 100_000)
    return ok
