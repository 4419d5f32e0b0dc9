"""benchmarks/fetch.py --smoke runs every provider's part on tiny data, so the script cannot rot."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_fetch_benchmark_smoke() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8"}
    done = subprocess.run(
        [sys.executable, "benchmarks/fetch.py", "--smoke"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    for part in (
        "[concurrency]",
        "[faults]",
        "[cmc concurrency]",
        "[infobip faults]",
        "[ses faults]",
    ):
        assert part in done.stdout
    assert "[infobip rate]" in done.stdout
    assert "entry sets equal: False" not in done.stdout
