"""benchmarks/history.py --smoke: the benchmark still runs end to end (figures not judged)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_history_benchmark_smoke_run() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "history.py"), "--smoke"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert out.count("rows identical to a full fetch: True") == 2
    for words in ("bytes per entry", "open 30-day range", "window path", "monthly report over"):
        assert words in out
