"""Why benchmarks/startup.py watches the first paint on the main window only (a check of the
benchmark itself, not of the app).

Run: python benchmarks/startup_filter_cost.py [--runs 5]

An application-wide Python event filter installed before the event loop starts routes every event
of every widget through Python before the first pass. This counts those events and the time from
installing such a filter to the first pass, for the bare QMainWindow and for the app's window,
each in a fresh offscreen child. The app's window has hundreds of widgets, the bare one none, so
such a filter slows the app's child far more than the baseline's.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from startup import ROOT, child_env  # same offscreen, throw-away HOME set-up

_CHILD = """
import json, os, sys, time
from PySide6.QtCore import QObject, QTimer
if sys.argv[1] == "app":
    from app.main import build_window, install_excepthook, setup_logging
    from app.paths import user_paths
    paths = user_paths().ensure()
    setup_logging(paths)
    install_excepthook(paths.log_file)
    app, window = build_window(paths)
else:
    from PySide6.QtWidgets import QApplication, QMainWindow
    app = QApplication([])
    window = QMainWindow()
    window.resize(1280, 800)
    window.show()
count = 0
class Counter(QObject):
    def eventFilter(self, watched, event):
        global count
        count += 1
        return False
counter = Counter()
app.installEventFilter(counter)
started = time.perf_counter()
def first_pass():
    print(json.dumps({"events": count, "ms": (time.perf_counter() - started) * 1000}), flush=True)
    os._exit(0)
QTimer.singleShot(0, first_pass)
app.exec()
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="todoku-filter-") as folder:
        env = child_env(Path(folder))
        for which in ("bare", "app"):
            reports = []
            for _ in range(args.runs + 1):  # the first run warms .pyc files and is dropped
                result = subprocess.run(
                    [sys.executable, "-c", _CHILD, which],
                    cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
                )  # fmt: skip
                reports.append(json.loads(result.stdout.strip().splitlines()[-1]))
            reports = reports[1:]
            events = statistics.median(r["events"] for r in reports)
            ms = statistics.median(r["ms"] for r in reports)
            print(
                f"{which:4}: {events:.0f} events through an application-wide filter before the "
                f"first pass; {ms:.1f} ms from installing it to that pass (median of {args.runs})"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
