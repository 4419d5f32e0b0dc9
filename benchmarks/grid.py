"""Grid benchmark: in-model sort/filter at 1M rows vs bare Python baselines, RSS, GUI latency.

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/grid.py [--rows 1000000]
        [--stream 200000] [--stream-in both|child|same] [--repeat 3]

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


def heartbeat_gaps(run_for, interval_ms: int = 10) -> list[tuple[int, float]]:
    """Run ``run_for(quit)`` inside an event loop with a 10 ms QTimer on the GUI thread and
    return every gap between ticks (ms) with the time it ended; ``quit`` ends the loop."""
    from PySide6.QtCore import QElapsedTimer, QEventLoop, QTimer

    gaps: list[tuple[int, float]] = []
    clock = QElapsedTimer()
    timer = QTimer()
    timer.setInterval(interval_ms)
    timer.timeout.connect(lambda: gaps.append((clock.restart(), time.perf_counter())))
    loop = QEventLoop()
    clock.start()
    timer.start()
    QTimer.singleShot(0, lambda: run_for(loop.quit))
    loop.exec()
    timer.stop()
    gaps.append((clock.elapsed(), time.perf_counter()))  # the stretch up to the end
    return gaps


def bench_stream(rows: int, separate_process: bool, repeat: int) -> list[tuple[int, int]]:
    """Fetch ``rows`` entries in practice mode through the real client, job, controller and
    window, ``repeat`` times; before each fetch, the same heartbeat runs 2 s with nothing else.

    ``separate_process``: the practice sandbox is a ``todoku-cli sandbox`` child process
    (app.ui.connection.practice_server.ChildSandbox). Otherwise it runs in this process, as the
    practice mode of the original controller does. Either way it is started before the measurement.
    Returns (idle longest gap, fetch longest gap) per run.
    """
    import tempfile

    from PySide6.QtCore import QSettings, QTimer
    from PySide6.QtWidgets import QApplication

    from app.core.classify import LazyClassifier
    from app.core.storage.secrets import MemorySecretStore
    from app.core.storage.settings import SettingsStore
    from app.sandbox.sendgrid_server import SANDBOX_API_KEY, SendGridSandbox
    from app.ui.connection.practice_server import ChildSandbox
    from app.ui.controller import MainController
    from app.ui.main_window import MainWindow
    from app.ui.persist import UiState

    app = QApplication.instance() or QApplication([])
    where = "a child process" if separate_process else "this process"
    print(f"\n== (d) streaming {rows:,} entries from the practice sandbox in {where} ==")
    if separate_process:

        def factory():
            return ChildSandbox(entries=rows, seed=9, api_key=SANDBOX_API_KEY)
    else:
        start, end = span(59)
        records = generate_records(rows, seed=99, start=start, end=end)

        def factory():
            return SendGridSandbox(records=records, api_keys={SANDBOX_API_KEY: None})

    root = Path(tempfile.mkdtemp(prefix="todoku-bench-"))
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(root))
    controller = MainController(
        settings_store=SettingsStore(root / "settings.json"),
        secrets=MemorySecretStore(),  # no key: practice mode
        classify=LazyClassifier(),
        sandbox_factory=factory,
    )
    assert controller.connection.practice
    window = MainWindow(controller, UiState())
    window.resize(1380, 860)
    window.show()
    today = today_jst()
    window.range_bar.set_range(today - timedelta(days=61), today)
    flush_times: list[float] = []
    original_flush = controller.fetch._flush_pages

    def timed_flush() -> None:
        began = time.perf_counter()
        original_flush()
        flush_times.append((time.perf_counter() - began) * 1000)

    controller.fetch._flush_timer.timeout.disconnect()
    controller.fetch._flush_timer.timeout.connect(timed_flush)
    full_collections: list[float] = []
    collection_began = [0.0]

    def on_gc(phase: str, info: dict) -> None:
        if info["generation"] == 2:
            if phase == "start":
                collection_began[0] = time.perf_counter()
            else:
                full_collections.append((time.perf_counter() - collection_began[0]) * 1000)

    results = []
    print(
        "  run   idle: longest/median   fetch: longest/p99/median   rows/s     "
        "GUI inserts (longest)   jobs paused   full GCs"
    )
    for run in range(1, repeat + 1):
        # A fresh sandbox per run: its rate-limit headers would otherwise slow later runs.
        if controller.connection.sandbox is not None:
            controller.connection.sandbox.stop()
            controller.connection.sandbox = None
        controller.connection.config()  # starts the sandbox
        idle_began = time.perf_counter()
        full_collections.clear()
        gc.callbacks.append(on_gc)
        idle = heartbeat_gaps(lambda quit_loop: QTimer.singleShot(2000, quit_loop))
        gc.callbacks.remove(on_gc)
        idle_collections = list(full_collections)
        pacer = getattr(controller.runner, "pacer", None)  # None: a tree without GuiPacer
        paused_before = pacer.paused_s if pacer else 0.0
        flush_times.clear()
        full_collections.clear()
        gc.callbacks.append(on_gc)
        began = time.perf_counter()

        def fetch(quit_loop) -> None:
            # The heartbeat keeps running 0.5 s after the fetch ends, to catch its tail.
            controller.fetch.running.connect(
                lambda running: None if running else QTimer.singleShot(500, quit_loop)
            )
            controller.fetch.start(window.range_bar.date_range(), window.range_bar.chosen_lists())

        gaps = heartbeat_gaps(fetch)
        elapsed = time.perf_counter() - began - 0.5
        gc.callbacks.remove(on_gc)
        controller.fetch.running.disconnect()
        if window.status_panel.error is not None:
            print(f"  ERROR: {window.status_panel.error!r}")
        idle_ms = sorted(g for g, _ in idle)
        fetch_ms = sorted(g for g, _ in gaps)
        p99 = fetch_ms[max(0, int(len(fetch_ms) * 0.99) - 1)]
        print(
            f"  {run:>3}   {idle_ms[-1]:4d} / {idle_ms[len(idle_ms) // 2]:3d} ms        "
            f"{fetch_ms[-1]:4d} / {p99:3d} / {fetch_ms[len(fetch_ms) // 2]:3d} ms        "
            f"{controller.model.total / elapsed:7,.0f}   {len(flush_times):3d} "
            f"({max(flush_times, default=0):4.1f} ms)        "
            f"{(pacer.paused_s - paused_before if pacer else 0):4.2f} s      "
            f"{len(full_collections)}"
            + (f" (longest {max(full_collections):.0f} ms)" if full_collections else "")
        )
        worst = sorted(gaps, reverse=True)[:3]
        print("        worst gaps (ms @ s):", ", ".join(f"{g} @ {t - began:.2f}" for g, t in worst))
        worst = sorted(idle, reverse=True)[:2]
        print(
            "        idle worst gaps (ms @ s):",
            ", ".join(f"{g} @ {t - idle_began:.2f}" for g, t in worst),
            f"full GCs {idle_collections}",
        )
        results.append((idle_ms[-1], fetch_ms[-1]))
        if controller.model.total != rows:
            print(f"  WARNING: fetched {controller.model.total:,} of {rows:,} rows")
    print(
        f"  (d) longest gap while streaming, per run: {[f for _, f in results]} ms "
        f"(goal ≤ 100 ms); idle baseline per run: {[i for i, _ in results]} ms; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    )
    window.close()
    app.processEvents()
    return results


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--stream", type=int, default=200_000)
    parser.add_argument(
        "--stream-in",
        choices=("both", "child", "same"),
        default="both",
        help="where the practice sandbox runs for (d)",
    )
    parser.add_argument("--repeat", type=int, default=3, help="fetches per variant of (d)")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes (the test suite's run)")
    args = parser.parse_args()
    if args.smoke:
        args.rows, args.stream, args.stream_in, args.repeat = 2000, 2000, "same", 1
    if args.rows:
        bench_model(args.rows)
    if args.stream and args.stream_in in ("both", "child"):
        bench_stream(args.stream, separate_process=True, repeat=args.repeat)
    if args.stream and args.stream_in in ("both", "same"):
        bench_stream(args.stream, separate_process=False, repeat=args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
