"""benchmarks/grid.py still runs end to end (model sizes and a streamed practice fetch)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_grid_benchmark_smoke(tmp_path: Path) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", HOME=str(tmp_path))
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "grid.py"), "--smoke"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "streaming 2,000 entries" in result.stdout
    assert "WARNING: fetched" not in result.stdout and "ERROR" not in result.stdout
