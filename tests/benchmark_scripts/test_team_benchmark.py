"""benchmarks/team.py --smoke: two operator processes, a few seconds, every check and the ratio."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.sandbox.postgres_server import find_bindir

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_team_benchmark_smoke() -> None:
    if find_bindir() is None:
        pytest.skip("PostgreSQL is not installed (apt-get install postgresql; .ci/run does)")
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "team.py"), "--smoke"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        check=False,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    figures = json.loads(result.stdout[result.stdout.index("{") :])
    assert figures["checks_passed"] is True
    assert figures["addresses_deleted_at_imitation"] > 0
    assert figures["deleted_twice_journal"] == 0 and figures["journal_rows_lost"] == 0
    assert figures["bare_rows_per_s"] > 0 and figures["throughput_ratio"] > 0
