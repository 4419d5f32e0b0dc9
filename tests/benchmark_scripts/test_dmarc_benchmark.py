"""benchmarks/dmarc.py keeps working: its --smoke run generates, imports and compares."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_dmarc_benchmark_smoke() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    completed = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "dmarc.py"), "--smoke"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=300,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert "generated 20 reports" in completed.stdout
    assert "ratio ours/baseline:" in completed.stdout
    assert "RSS growth ours:" in completed.stdout
