"""`todoku-cli letter --jsonl` given something that is not a fetch file and never ends.

A fetch file's bad line is reported and skipped, and the others still count. Picked by mistake,
/dev/urandom gave a bad line after bad line for ever: the command never ended, printed
nothing (the reports waited for the end) and kept every report in memory; /dev/zero is one
endless line, skipped for ever at full CPU. Real CLI processes, each with a deadline.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _letter(tmp_path: Path, source: str, stdin=subprocess.DEVNULL) -> subprocess.CompletedProcess:
    env = dict(
        os.environ, PYTHONPATH=str(ROOT),
        XDG_DATA_HOME=str(tmp_path / "data"), XDG_CONFIG_HOME=str(tmp_path / "config"),
    )  # fmt: skip
    return subprocess.run(
        [sys.executable, "-m", "app.cli", "letter", "--kind", "company", "--jsonl", source,
         "--settings", str(tmp_path / "settings.json")],
        capture_output=True, env=env, timeout=60, cwd=ROOT, stdin=stdin,
    )  # fmt: skip


@pytest.mark.parametrize("device", ["/dev/urandom", "/dev/zero"])
def test_a_device_is_refused_at_once(tmp_path: Path, device: str) -> None:
    done = _letter(tmp_path, device)
    stderr = done.stderr.decode("utf-8")
    assert done.returncode == 1, stderr[-500:]
    assert "通常のファイルではありません" in stderr and "Traceback" not in stderr


def test_a_stream_of_garbage_lines_stops_after_a_bounded_number(tmp_path: Path) -> None:
    """Through a pipe (``--jsonl -``), an endless run of unreadable lines ends the read."""
    with open("/dev/urandom", "rb") as garbage:
        done = _letter(tmp_path, "-", stdin=garbage)
    stderr = done.stderr.decode("utf-8")
    assert done.returncode == 1, stderr[-500:]
    assert "読めない行が多すぎます" in stderr and "Traceback" not in stderr
    assert stderr.count("\n") < 1_200
