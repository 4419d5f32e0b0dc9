"""Standard streams that cannot be used: a full disk (/dev/full) or a closed descriptor.

``todoku-cli`` catches ``BrokenPipeError`` only. Writing to a full device raises another
``OSError`` (ENOSPC) and ends in a Python traceback; a closed stdout (``>&-``, a service
manager without one) makes ``sys.stdout`` None, which ends in an AttributeError traceback
(classify, fetch with history) or, worse, in exit 0 with every row silently dropped
(``fetch --no-history``: the rows went nowhere and the script thinks it worked).
Expected: a Japanese error line on stderr, no traceback, a non-zero exit code.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from app.core.dates import today_jst, unix_bounds
from app.core.types import DateRange
from app.sandbox.sendgrid_server import SandboxRecord
from tests.helpers.core_sandbox import API_KEY, make_sandbox  # noqa: F401  (a fixture)

ROOT = Path(__file__).resolve().parents[2]
TODAY = today_jst()
START, END = unix_bounds(DateRange(TODAY - timedelta(days=6), TODAY))
CLASSIFY_LINE = b'{"reason_text": "550 5.1.1 User unknown", "status": "5.1.1"}\n'


def _close_stdout() -> None:
    os.close(1)


def _run(args: list[str], tmp_path: Path, stdout: str, stdin: bytes = b"") -> tuple[int, str]:
    env = dict(os.environ, SENDGRID_API_KEY=API_KEY, XDG_DATA_HOME=str(tmp_path / "data"))
    with open("/dev/full", "wb") as full:
        result = subprocess.run(
            [sys.executable, "-m", "app.cli", *args],
            cwd=ROOT,
            env=env,
            input=stdin,
            stdout=full if stdout == "full" else None,
            stderr=subprocess.PIPE,
            preexec_fn=_close_stdout if stdout == "closed" else None,
            timeout=120,
        )
    return result.returncode, result.stderr.decode("utf-8", "replace")


@pytest.fixture
def base_url(make_sandbox) -> str:  # noqa: F811
    records = [
        SandboxRecord("bounces", f"user{i}@example.jp", START + i, "550 5.1.1", "5.1.1")
        for i in range(50)
    ]
    return make_sandbox(records).base_url


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("stdout", ["full", "closed"])
@pytest.mark.parametrize("command", ["classify", "fetch --no-history", "fetch"])
def test_unwritable_stdout_is_a_japanese_error(
    tmp_path: Path, base_url: str, stdout: str, command: str
) -> None:
    if command == "classify":
        args, stdin = ["classify"], CLASSIFY_LINE
    else:
        day = TODAY - timedelta(days=6)
        args = [*command.split(), "--from", day.isoformat(), "--to", TODAY.isoformat()]
        args += ["--base-url", base_url, "--quiet"]
        stdin = b""
    code, stderr = _run(args, tmp_path, stdout, stdin)
    assert "Traceback" not in stderr, stderr
    assert code != 0, "nothing reached stdout, yet the command reported success"
    assert "標準出力" in stderr, stderr


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("stdout", ["full", "closed"])
@pytest.mark.parametrize("args", [["db", "roles"], ["--help"], ["check", "--help"]])
def test_short_output_is_flushed_where_a_failure_counts(
    tmp_path: Path, stdout: str, args: list[str]
) -> None:
    # A few lines stay in the buffer until the interpreter's final flush, whose failure
    # Python only reports as "Exception ignored"; argparse swallows its own write errors.
    code, stderr = _run(args, tmp_path, stdout)
    assert "Traceback" not in stderr and "Exception ignored" not in stderr, stderr
    assert code == 1
    assert "標準出力" in stderr, stderr


def _close_stdin() -> None:
    os.close(0)


def test_closed_stdin_is_a_japanese_error(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "app.cli", "classify"],
        cwd=ROOT, capture_output=True, preexec_fn=_close_stdin, timeout=60,
    )  # fmt: skip
    stderr = result.stderr.decode("utf-8", "replace")
    assert "Traceback" not in stderr, stderr
    assert result.returncode == 1
    assert "標準入力が閉じられています" in stderr


def test_a_reader_that_goes_away_stays_quiet(tmp_path: Path) -> None:
    lines = CLASSIFY_LINE * 5000
    reader = subprocess.Popen(["head", "-n", "1"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert reader.stdin is not None
    result = subprocess.run(
        [sys.executable, "-m", "app.cli", "classify"],
        cwd=ROOT, input=lines, stdout=reader.stdin, stderr=subprocess.PIPE, timeout=60,
    )  # fmt: skip
    reader.stdin.close()
    assert reader.stdout is not None
    first = reader.stdout.read()
    reader.stdout.close()
    reader.wait(timeout=30)
    assert first.startswith(b"{")
    assert result.returncode == 1
    assert result.stderr == b""
