"""Every benchmark script keeps working: each has a ``--smoke`` run, and the suite runs it.

Scripts with more to check have a test module of their own beside this one; the rest run here.
The figures of a smoke run are not judged (tiny data on a shared machine), only that the script
runs to the end and prints its ratio lines.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BENCHMARKS = ROOT / "benchmarks"
# Imported by another script, not run alone.
MODULES = {"fetch_providers.py"}
# Run by their own test modules here (they check more of the output).
OWN_TESTS = {"fetch.py", "dmarc.py", "history.py", "grid.py", "startup.py", "team.py"}


def scripts() -> list[str]:
    return sorted(p.name for p in BENCHMARKS.glob("*.py") if p.name not in MODULES)


def test_every_benchmark_script_has_a_smoke_run() -> None:
    missing = [name for name in scripts() if "--smoke" not in (BENCHMARKS / name).read_text()]
    assert missing == []
    assert set(scripts()) >= OWN_TESTS


@pytest.mark.parametrize("name", sorted(set(scripts()) - OWN_TESTS))
def test_smoke_run(name: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8"}
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / name), "--smoke"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "ratio" in done.stdout.lower() or "%" in done.stdout, done.stdout
