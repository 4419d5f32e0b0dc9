"""Every benchmark script keeps working: each has a ``--smoke`` run, and the suite runs it.

Scripts with more to check have a test module of their own beside this one; the rest run here.
The figures of a smoke run are not judged (tiny data on a shared machine), only that the script
runs to the end and prints its ratio lines.
"""

from __future__ import annotations

import json
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


def test_classify_runs_on_saved_templates(tmp_path: Path) -> None:
    # Two commits compared on the same entries: the templates saved at one are read at the other.
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8"}
    saved = tmp_path / "templates.json"

    def run(*arguments: str) -> str:
        done = subprocess.run(
            [sys.executable, str(BENCHMARKS / "classify.py"), *arguments],
            cwd=ROOT, env=env, capture_output=True, text=True, encoding="utf-8", timeout=300,
            check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    written = run("--save-templates", str(saved))
    templates = json.loads(saved.read_text("utf-8"))
    assert len(templates) > 500 and f"{len(templates)} templates written" in written
    # Fewer than the rules give: the run must use the file, not its own templates.
    saved.write_text(json.dumps(templates[:321]), "utf-8")
    assert "from 321 templates" in run("--templates", str(saved), "--smoke")
