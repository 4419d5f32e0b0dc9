"""Grid benchmark: in-model sort/filter at 1M rows vs bare Python baselines, RSS, GUI latency.

    QT_QPA_PLATFORM=offscreen /work/venv/bin/python benchmarks/grid.py [--rows 1000000]
        [--stream 200000]

Prints figures and ratios against baselines measured in the same run (goals: sort and filter
≤ 3× the bare baseline, peak RSS ≤ 600 MB with 1M rows in the model, longest GUI heartbeat gap
≤ 100 ms while 200k rows stream in from the sandbox).
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import sys
import time
from datetime import timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psutil

from app.core.dates import from_unix, today_jst, unix_bounds
from app.core.types import DateRange, ListKind, SuppressionEntry
from app.sandbox.scenarios import generate_records

CHUNK = 100_000


def rss_mb() -> float:
    return psutil.Process().memory_info().rss / 1e6


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3  # KiB on Linux


def span(days: int) -> tuple[int, int]:
    today = today_jst()
    start, _ = unix_bounds(DateRange(today - timedelta(days=days), today))
    _, end = unix_bounds(DateRange(today, today))
    return start, end


def build_entries(count: int) -> list[SuppressionEntry]:
    """Realistic entries (sandbox generator: Japanese-style addresses, real reason texts with
    the address inside), made in chunks so the generator's records never all live at once.

    Each chunk comes out of the generator in date order; concurrent pages of five lists arrive
    interleaved, so the chunk is shuffled (otherwise the baseline sorted() would finish in one
    linear pass). Then, as the provider does, 500-record pages go through JSON and entries are
    made from the parsed page, with repeated statuses and reasons shared: the strings are
    allocated in arrival order, so they sit in memory in storage order as they do in the app.
    """
    import json
    import random

    start, end = span(60)
    entries: list[SuppressionEntry] = []
    shared: dict[str, str] = {}
    kinds = {kind.value: kind for kind in ListKind}
    for offset in range(0, count, CHUNK):
        records = generate_records(
            min(CHUNK, count - offset), seed=offset + 1, start=start, end=end
        )
        random.Random(offset + 5).shuffle(records)
        for first in range(0, len(records), 500):
            page = json.loads(
                json.dumps(
                    [
                        {
                            "kind": r.list_kind,
                            "email": r.email,
                            "created": r.created,
                            "reason": r.reason,
                            "status": r.status,
                            "ip": r.ip,
                        }
                        for r in records[first : first + 500]
                    ]
                )
            )
            for item in page:
                reason, status, ip = item["reason"], item["status"], item["ip"]
                entries.append(
                    SuppressionEntry(
                        kinds[item["kind"]],
                        item["email"],
                        from_unix(item["created"]),
                        shared.setdefault(status, status),
                        shared.setdefault(reason, reason),
                        shared.setdefault(ip, ip),
                    )
                )
        del records
        if len(shared) > 200_000:  # unique reasons: stop remembering them
            shared = {k: v for k, v in shared.items() if len(k) < 16}
    return entries


def explanations_for(entries: list[SuppressionEntry]) -> list:
    """A small shared set from the real classifier (like its memo yields), cycled over rows."""
    from app.core.classify.classifier import Classifier

    classifier = Classifier.load()
    pool = list({id(x): x for x in map(classifier.classify_entry, entries[:3000])}.values())
    by_kind: dict[ListKind, list] = {}
    for entry, explanation in zip(
        entries[:3000], map(classifier.classify_entry, entries[:3000]), strict=True
    ):
        by_kind.setdefault(entry.list_kind, []).append(explanation)
    print(f"  explanation pool: {len(pool)} distinct objects")
    return [by_kind[e.list_kind][i % len(by_kind[e.list_kind])] for i, e in enumerate(entries)]


def timed(function, repeat: int = 2) -> float:
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        began = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - began)
    return best


def bench_model(rows: int) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from app.ui.models.entry_table import Column, EntryTableModel

    app = QApplication.instance() or QApplication([])
    print(f"\n== model with {rows:,} entries ==")
    print(f"  RSS before data: {rss_mb():.0f} MB")
    began = time.perf_counter()
    entries = build_entries(rows)
    print(f"  built entries in {time.perf_counter() - began:.1f} s; RSS {rss_mb():.0f} MB")
    explanations = explanations_for(entries)
    model = EntryTableModel()
    began = time.perf_counter()
    for start in range(0, rows, 5000):  # as streaming would: pages of 5000 rows
        model.append(entries[start : start + 5000], explanations[start : start + 5000])
    print(f"  appended in {time.perf_counter() - began:.2f} s")
    del explanations
    gc.collect()
    print(
        f"  (c) RSS with {rows:,} rows in the model: {rss_mb():.0f} MB "
        f"(peak so far {peak_rss_mb():.0f} MB)"
    )

    # The model's operations run first, so the peak RSS read afterwards is the model's own
    # (key caches and the transient lists of sorted() included), before any baseline list exists.
    # (a) sort: first (cold: builds the key list) and warm.
    asc, desc = Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder
    began = time.perf_counter()
    model.sort(Column.CREATED, desc)
    cold_created = time.perf_counter() - began
    began = time.perf_counter()
    model.sort(Column.EMAIL, asc)
    cold_email = time.perf_counter() - began
    warm_created = timed(lambda: model.sort(Column.CREATED, desc))
    warm_email = timed(lambda: model.sort(Column.EMAIL, asc))
    # (b) text filter over a sorted view: first (builds the reason keys) and warm.
    needles = ("docomo", "user unknown", "tanaka")
    model.sort(Column.CREATED, desc)
    began = time.perf_counter()
    model.set_filters(text=needles[0])
    cold_filter = time.perf_counter() - began
    filter_times = {}
    for needle in needles:
        filter_times[needle] = (
            timed(lambda n=needle: model.set_filters(text=n)),
            model.rowCount(),
        )
    model.set_filters(text="")
    gc.collect()
    cached_rss, model_peak = rss_mb(), peak_rss_mb()

    # Baselines over the same data: bare sorted() of the keys, a comprehension over
    # precomputed lower-case haystacks.
    created_keys = [int(e.created.timestamp()) for e in entries]
    email_keys = [e.email.lower() for e in entries]
    base_created = timed(lambda: sorted(created_keys, reverse=True))
    base_email = timed(lambda: sorted(email_keys))
    created_keys = email_keys = []
    print("  (a) sort                      model     baseline sorted()   ratio")
    print(
        f"      発生日時 (warm)          {warm_created:6.3f} s   {base_created:6.3f} s"
        f"          {warm_created / base_created:4.2f}×"
    )
    print(
        f"      メールアドレス (warm)    {warm_email:6.3f} s   {base_email:6.3f} s"
        f"          {warm_email / base_email:4.2f}×"
    )
    print(
        f"      first sorts incl. key build: 発生日時 {cold_created:.3f} s, "
        f"アドレス {cold_email:.3f} s"
    )

    haystacks = [f"{e.email} {e.reason}".lower() for e in entries]
    print("  (b) text filter (sorted view)   model     baseline scan       ratio   rows")
    for needle in needles:
        baseline = timed(lambda n=needle: [i for i, h in enumerate(haystacks) if n in h])
        filtered, shown = filter_times[needle]
        print(
            f"      {needle!r:16}          {filtered:6.3f} s   {baseline:6.3f} s"
            f"          {filtered / baseline:4.2f}×   {shown:,}"
        )
    print(f"      first filter incl. reason-key build: {cold_filter:.3f} s")
    haystacks = []
    print(
        f"  (c) RSS after sorts/filters (key caches built): {cached_rss:.0f} MB; peak RSS of "
        f"the process up to then {model_peak:.0f} MB (goal ≤ 600 MB; baselines not yet built)"
    )
    gc.collect()
    print(f"      peak RSS including the baselines' own lists: {peak_rss_mb():.0f} MB")
    model.clear()
    app.processEvents()


def bench_stream(rows: int, separate_process: bool) -> None:
    """Fetch ``rows`` entries through the real client, job, controller and window.

    ``separate_process``: the sandbox runs as ``todoku-cli sandbox`` in a child process, like a
    remote SendGrid (only the app's own threads compete for the GIL). Otherwise it runs in this
    process, as practice mode does.
    """
    import subprocess
    import tempfile

    from PySide6.QtCore import QElapsedTimer, QEventLoop, QSettings, QTimer
    from PySide6.QtWidgets import QApplication

    from app.core.services import LazyClassifier
    from app.core.storage.secrets import SENDGRID_KEY, MemorySecretStore
    from app.core.storage.settings import SettingsStore
    from app.sandbox.sendgrid_server import SANDBOX_API_KEY, SendGridSandbox
    from app.ui.controller import MainController
    from app.ui.main_window import MainWindow
    from app.ui.persist import UiState

    app = QApplication.instance() or QApplication([])
    where = "a child process" if separate_process else "this process (as practice mode)"
    print(f"\n== (d) streaming {rows:,} entries from the sandbox in {where} into the window ==")
    child = None
    sandbox = None
    if separate_process:
        child = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "sandbox", "--entries", str(rows), "--seed", "9"],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        base_url = child.stdout.readline().strip()
    else:
        start, end = span(59)
        sandbox = SendGridSandbox(
            records=generate_records(rows, seed=99, start=start, end=end),
            api_keys={SANDBOX_API_KEY: None},
        )
        base_url = sandbox.start()
    root = Path(tempfile.mkdtemp(prefix="todoku-bench-"))
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(root))
    secrets = MemorySecretStore()
    secrets.set(SENDGRID_KEY, SANDBOX_API_KEY)
    controller = MainController(
        settings_store=SettingsStore(root / "settings.json"),
        secrets=secrets,
        classify=LazyClassifier(),
        live_base_url=base_url,
    )
    controller.set_practice(False)
    window = MainWindow(controller, UiState())
    window.resize(1380, 860)
    window.show()
    today = today_jst()
    window.range_bar.set_range(today - timedelta(days=61), today)

    flush_times: list[float] = []
    original_flush = controller._flush_pages

    def timed_flush() -> None:
        began = time.perf_counter()
        original_flush()
        flush_times.append((time.perf_counter() - began) * 1000)

    controller._flush_timer.timeout.disconnect()
    controller._flush_timer.timeout.connect(timed_flush)
    gaps: list[int] = []
    clock = QElapsedTimer()
    heartbeat = QTimer()
    heartbeat.setInterval(10)
    stamps: list[tuple[int, float]] = []

    def beat() -> None:
        gap = clock.restart()
        gaps.append(gap)
        stamps.append((gap, time.perf_counter()))

    heartbeat.timeout.connect(beat)
    # Noise floor: the same heartbeat with nothing running (the machine is shared).
    idle_gaps: list[int] = []
    idle_clock = QElapsedTimer()
    idle_timer = QTimer()
    idle_timer.setInterval(10)
    idle_timer.timeout.connect(lambda: idle_gaps.append(idle_clock.restart()))
    idle_loop = QEventLoop()
    QTimer.singleShot(2000, idle_loop.quit)
    idle_clock.start()
    idle_timer.start()
    idle_loop.exec()
    idle_timer.stop()
    print(
        f"  idle heartbeat (no fetch, 2 s): longest gap {max(idle_gaps)} ms, "
        f"median {sorted(idle_gaps)[len(idle_gaps) // 2]} ms; load average "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    )
    loop = QEventLoop()
    controller.fetch_running.connect(lambda running: None if running else loop.quit())
    began = time.perf_counter()
    clock.start()
    heartbeat.start()
    controller.start_fetch(window.range_bar.date_range(), window.range_bar.chosen_lists())
    loop.exec()
    heartbeat.stop()
    elapsed = time.perf_counter() - began
    total = controller.model.total
    print(f"  fetched {total:,} rows in {elapsed:.1f} s ({total / elapsed:,.0f} rows/s)")
    if window.status_panel.error is not None:
        print(f"  ERROR: {window.status_panel.error!r}")
    if gaps:
        gaps.sort()
        p99 = gaps[max(0, int(len(gaps) * 0.99) - 1)]
        print(
            f"  heartbeat (10 ms timer): {len(gaps)} ticks, median {gaps[len(gaps) // 2]} ms, "
            f"p99 {p99} ms, longest gap {gaps[-1]} ms (goal ≤ 100 ms)"
        )
    if stamps:
        worst = sorted(stamps, reverse=True)[:5]
        print(
            "  worst gaps (ms @ s after start):",
            ", ".join(f"{g} @ {t - began:.2f}" for g, t in worst),
        )
    if flush_times:
        print(
            f"  GUI-thread page inserts: {len(flush_times)}, longest {max(flush_times):.1f} ms, "
            f"total {sum(flush_times):.0f} ms"
        )
    window.close()
    app.processEvents()
    if sandbox is not None:
        sandbox.stop()
    if child is not None:
        child.terminate()
        child.wait(10)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--stream", type=int, default=200_000)
    parser.add_argument(
        "--stream-in",
        choices=("both", "child", "same"),
        default="both",
        help="where the sandbox runs for (d)",
    )
    args = parser.parse_args()
    if args.rows:
        bench_model(args.rows)
    if args.stream and args.stream_in in ("both", "child"):
        bench_stream(args.stream, separate_process=True)
    if args.stream and args.stream_in in ("both", "same"):
        bench_stream(args.stream, separate_process=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
