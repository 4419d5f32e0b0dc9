"""Benchmark: DMARC import (unpack + safe parse + aggregate) against a bare ElementTree parse.

Run:  python benchmarks/dmarc.py [--reports 2000] [--records 160] [--repeat 3] [--smoke]

Generates ``--reports`` aggregate reports (app/sandbox/dmarc_reports.py; each reporter packs its
own way, so the folder is a mix of .zip, .xml.gz and .xml) with about ``--records`` records
each (~600 bytes of XML per record). Then, in fresh child processes, alternating:

* baseline: read each file, decompress with the standard library (gzip / zipfile) and
  ``xml.etree.ElementTree.fromstring`` the XML — nothing else;
* ours: ``analyse_reports(paths=[folder])`` — limited decompression, safe parse (DOCTYPE
  refused, then the same C parser), de-duplication, per-source verdicts and reporter/day views.

Both sides read and decompress the same files, and neither counts its imports. Prints the
median wall-clock and CPU seconds of each and both ratios (goal ≤ 1.5×): on a shared machine
the wall clock also measures the other users, the child's CPU time only its own work. Then each
child's RSS growth (peak RSS minus RSS after imports; goal ≤ +100 MB whatever the count).
``--smoke`` runs a tiny size once so the test suite keeps the script working.

``--big RECORDS`` measures the other extreme instead: one report of legitimate shape with
``RECORDS`` records, each from its own address (160,000 come to just under the 64 MiB a
document may have; app/sandbox/dmarc_reports.many_sources_report_xml), built in a temporary
folder and never kept. The baseline reads the same file with the standard library's
``ElementTree.iterparse``, clearing each record as it ends (streaming, the way such a file is
read without our checks); ours is ``analyse_reports`` on the file. Then the time from
キャンセル to the import's end, with the cancel set ``--cancel-after`` seconds into the read.
"""

from __future__ import annotations

import argparse
import gzip
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def _rss_kib() -> int:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * resource.getpagesize() // 1024


def _baseline(folder: Path) -> int:
    import xml.etree.ElementTree as ET

    elements = 0
    for path in sorted(folder.iterdir()):
        data = path.read_bytes()
        if data[:2] == b"\x1f\x8b":
            documents = [gzip.decompress(data)]
        elif data[:4] == b"PK\x03\x04":
            with zipfile.ZipFile(path) as archive:
                documents = [archive.read(name) for name in archive.namelist()]
        else:
            documents = [data]
        for document in documents:
            # The tree is dropped at once, as ours drops each report: holding it until the
            # next parse (as this loop once did) made the baseline 3-6 % slower.
            elements += len(ET.fromstring(document))
    return elements


def _iterparse(folder: Path) -> int:
    import xml.etree.ElementTree as ET

    records = 0
    for path in sorted(folder.iterdir()):
        for _, element in ET.iterparse(path):
            if element.tag == "record":
                records += 1
                element.clear()
    return records


def _cancelled_after(folder: Path, delay: float) -> float:
    """Seconds from the cancel (set ``delay`` s into the import) to the import's end."""
    import threading

    from app.core.cancel import CancelToken
    from app.core.dmarc.service import analyse_reports
    from app.core.errors import CancelledError

    token = CancelToken()
    moment: list[float] = []

    def cancel() -> None:
        moment.append(time.perf_counter())
        token.cancel()

    timer = threading.Timer(delay, cancel)
    timer.start()
    try:
        analyse_reports(paths=[folder], cancel=token)
    except CancelledError:
        return time.perf_counter() - moment[0]
    finally:
        timer.cancel()
    return -1.0  # the import ended before the cancel


def _ours(folder: Path) -> int:
    from app.core.dmarc.service import analyse_reports

    result = analyse_reports(paths=[folder])
    if result.problems:
        raise SystemExit(f"unexpected problems: {result.problems[:3]}")
    return result.reports


def child(kind: str, folder: Path, cancel_after: float = 0.0) -> None:
    import xml.etree.ElementTree  # noqa: F401 - imports before the RSS baseline, for both kinds

    if kind in ("ours", "cancel"):
        import defusedxml.ElementTree  # noqa: F401

        import app.core.dmarc.service  # noqa: F401
    start_rss = _rss_kib()
    started, started_cpu = time.perf_counter(), time.process_time()
    count: float
    if kind == "baseline":
        count = _baseline(folder)
    elif kind == "iterparse":
        count = _iterparse(folder)
    elif kind == "cancel":
        count = _cancelled_after(folder, cancel_after)
    else:
        count = _ours(folder)
    seconds, cpu = time.perf_counter() - started, time.process_time() - started_cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    print(
        json.dumps(
            {
                "seconds": seconds,
                "cpu_seconds": cpu,
                "rss_growth_mib": (peak - start_rss) / 1024,
                "n": count,
            }
        )
    )


def _run_child(kind: str, folder: Path, cancel_after: float = 0.0) -> dict[str, float]:
    output = subprocess.run(
        [
            sys.executable,
            __file__,
            "--child",
            kind,
            "--folder",
            str(folder),
            "--cancel-after",
            str(cancel_after),
        ],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def generate(folder: Path, reports: int, records: int) -> tuple[int, int]:
    """Write the reports; return (files, bytes of XML before packing)."""
    from app.sandbox.dmarc_reports import generate_reports, pack

    folder.mkdir(parents=True, exist_ok=True)
    xml_bytes = 0
    extra = max(0, records - 9)  # the sender kinds already give 9 records per report
    for report in generate_reports(reports, seed=2026, extra_spoof_records=extra):
        name, data = pack(report)
        (folder / name).write_bytes(data)
        xml_bytes += len(report.xml)
    return reports, xml_bytes


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reports", type=int, default=2000)
    parser.add_argument("--records", type=int, default=160)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--big", type=int, default=0, metavar="RECORDS")
    parser.add_argument("--cancel-after", type=float, default=1.0)
    parser.add_argument("--child", choices=("ours", "baseline", "iterparse", "cancel"))
    parser.add_argument("--folder", type=Path)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, args.folder, args.cancel_after)
        return 0
    if args.smoke:
        args.reports, args.records, args.repeat = 20, 12, 1
    if args.big:
        return big_report(args.big, args.repeat, args.cancel_after)
    with tempfile.TemporaryDirectory(prefix="dmarc-bench-") as temp:
        folder = Path(temp) / "reports"
        started = time.perf_counter()
        files, xml_bytes = generate(folder, args.reports, args.records)
        packed = sum(path.stat().st_size for path in folder.iterdir())
        kinds = {}
        for path in folder.iterdir():
            suffix = path.suffix
            kinds[suffix] = kinds.get(suffix, 0) + 1
        mix = ", ".join(f"{kind} {count}" for kind, count in sorted(kinds.items()))
        print(
            f"generated {files:,} reports ({mix}): "
            f"{xml_bytes / 1e6:,.1f} MB of XML, {packed / 1e6:,.1f} MB on disk "
            f"in {time.perf_counter() - started:.1f} s"
        )
        runs: dict[str, list[dict[str, float]]] = {"baseline": [], "ours": []}
        for _ in range(args.repeat):
            for kind in ("baseline", "ours"):
                runs[kind].append(_run_child(kind, folder))
        base = statistics.median(run["seconds"] for run in runs["baseline"])
        ours = statistics.median(run["seconds"] for run in runs["ours"])
        base_cpu = statistics.median(run["cpu_seconds"] for run in runs["baseline"])
        ours_cpu = statistics.median(run["cpu_seconds"] for run in runs["ours"])
        print(
            f"baseline (stdlib decompress + ElementTree.fromstring): {base:.2f} s wall, "
            f"{base_cpu:.2f} s CPU (medians of {args.repeat})"
        )
        print(
            "ours (analyse_reports: limited unpack + safe parse + aggregate): "
            f"{ours:.2f} s wall, {ours_cpu:.2f} s CPU"
        )
        print(
            f"ratio ours/baseline: {ours / base:.2f}x wall clock, {ours_cpu / base_cpu:.2f}x CPU "
            "time (goal <= 1.5x)"
        )
        print(f"throughput ours: {xml_bytes / 1e6 / ours:,.1f} MB XML/s")
        for kind in ("baseline", "ours"):
            growth = max(run["rss_growth_mib"] for run in runs[kind])
            print(f"RSS growth {kind}: {growth:,.1f} MiB (max of {args.repeat}; goal ours <= 100)")
        assert all(run["n"] for run in runs["ours"]), "no report was read"
    return 0


def big_report(records: int, repeat: int, cancel_after: float) -> int:
    from app.sandbox.dmarc_reports import many_sources_report_xml

    with tempfile.TemporaryDirectory(prefix="dmarc-bench-big-") as temp:
        folder = Path(temp) / "reports"
        folder.mkdir()
        xml = many_sources_report_xml(records)
        (folder / "big.xml").write_bytes(xml)
        print(f"one report: {records:,} records from as many addresses, {len(xml) / 1e6:,.1f} MB")
        del xml
        runs: dict[str, list[dict[str, float]]] = {"iterparse": [], "ours": []}
        for _ in range(repeat):
            for kind in ("iterparse", "ours"):
                runs[kind].append(_run_child(kind, folder))
        base = statistics.median(run["seconds"] for run in runs["iterparse"])
        ours = statistics.median(run["seconds"] for run in runs["ours"])
        base_cpu = statistics.median(run["cpu_seconds"] for run in runs["iterparse"])
        ours_cpu = statistics.median(run["cpu_seconds"] for run in runs["ours"])
        print(
            f"baseline (ElementTree.iterparse, records cleared): {base:.2f} s wall, "
            f"{base_cpu:.2f} s CPU (medians of {repeat})"
        )
        print(f"ours (analyse_reports on the file): {ours:.2f} s wall, {ours_cpu:.2f} s CPU")
        print(f"ratio ours/baseline: {ours / base:.2f}x wall clock, {ours_cpu / base_cpu:.2f}x CPU")
        for kind in ("iterparse", "ours"):
            growth = max(run["rss_growth_mib"] for run in runs[kind])
            print(f"RSS growth {kind}: {growth:,.1f} MiB (max of {repeat})")
        latencies = [_run_child("cancel", folder, cancel_after)["n"] for _ in range(repeat)]
        shown = ", ".join("not reached" if s < 0 else f"{s:.3f} s" for s in latencies)
        print(f"キャンセル set {cancel_after:g} s into the import, import ended after: {shown}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
