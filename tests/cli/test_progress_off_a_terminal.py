"""Progress on stderr: redrawn with ``\\r`` on a terminal, plain lines in a log.

``todoku-cli fetch 2> fetch.log`` (cron, CI) wrote every update as ``\\r取得中: …`` into the
log: one endless physical line, or hundreds of lines in a viewer that splits on ``\\r``.
"""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from app.core.dates import today_jst, unix_bounds
from app.core.types import DateRange
from app.sandbox.sendgrid_server import SandboxRecord
from tests.helpers.core_sandbox import API_KEY

ROOT = Path(__file__).resolve().parents[2]
TODAY = today_jst()
RANGE = DateRange(TODAY - timedelta(days=6), TODAY)
START, _END = unix_bounds(RANGE)


def _records(count: int) -> list[SandboxRecord]:
    return [
        SandboxRecord("bounces", f"u{i}@example.jp", START + i, "550 5.1.1 User unknown", "5.1.1")
        for i in range(count)
    ]


def _command(base_url: str, tmp_path: Path) -> tuple[list[str], dict[str, str]]:
    env = {k: v for k, v in os.environ.items() if k != "SENDGRID_API_KEY"}
    env["SENDGRID_API_KEY"] = API_KEY
    env["XDG_DATA_HOME"] = str(tmp_path / "xdg-data")
    args = [
        sys.executable, "-m", "app.cli", "fetch",
        "--from", RANGE.start.isoformat(), "--to", RANGE.end.isoformat(),
        "--lists", "bounces", "--base-url", base_url, "--jsonl", str(tmp_path / "out.jsonl"),
    ]  # fmt: skip
    return args, env


def test_a_log_gets_plain_progress_lines(make_sandbox, tmp_path: Path) -> None:
    sandbox = make_sandbox(_records(2600))  # six pages of 500: six updates
    args, env = _command(sandbox.base_url, tmp_path)
    result = subprocess.run(
        args, cwd=ROOT, env=env, capture_output=True, text=True, encoding="utf-8", timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "\r" not in result.stderr, repr(result.stderr)
    progress = [line for line in result.stderr.splitlines() if line.startswith("取得中")]
    assert 1 <= len(progress) <= 2, progress  # at most one every 10 s
    assert any(line.startswith("完了: 2600 件") for line in result.stderr.splitlines())
    assert not any(line == "" for line in result.stderr.splitlines()), repr(result.stderr)


def test_a_terminal_still_gets_one_line_redrawn(make_sandbox, tmp_path: Path) -> None:
    sandbox = make_sandbox(_records(1200))
    args, env = _command(sandbox.base_url, tmp_path)
    leader, follower = pty.openpty()
    try:
        process = subprocess.Popen(
            args, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=follower
        )
        os.close(follower)
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            chunks.append(chunk)
        assert process.wait(timeout=120) == 0
    finally:
        os.close(leader)
    text = b"".join(chunks).decode("utf-8")
    assert text.count("\r取得中") >= 2, repr(text)
    done = text.index("完了: 1200 件")
    assert text[done - 2 : done] == "\r\n"  # the drawn line is ended before the summary (pty: \r\n)
