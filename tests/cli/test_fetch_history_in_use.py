"""`todoku-cli fetch` while another program holds the history file's lock (a second Todoku,
a scheduled fetch still writing): the rows are written, and the note says the file is in use.

It said 「ディスクの空き容量とデータフォルダの権限を確認してください」: an operator who followed it
found nothing wrong with either. The deletion journal already names a busy file (its
JournalInUseError); the history now does too. A real lock from a second SQLite connection,
a real fetch against the sandbox."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from app.sandbox.sendgrid_server import SandboxRecord
from tests.cli.test_fetch_cmd import END, START, dates, run_cli


def test_a_history_held_by_another_program_is_called_in_use(
    make_sandbox, tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))  # no user settings read
    sandbox = make_sandbox(
        [
            SandboxRecord("bounces", "taro@example.jp", START, "550 5.1.1 User unknown", "5.1.1"),
            SandboxRecord("blocks", "hanako@docomo.ne.jp", END, "421 4.7.0 Try later", "4.7.0"),
        ]
    )
    history = tmp_path / "history.sqlite3"
    first = run_cli(*dates(), "--base-url", sandbox.base_url, "--history", str(history))
    assert first.returncode == 0, first.stderr
    holder = sqlite3.connect(history, isolation_level=None)
    try:
        holder.execute("BEGIN EXCLUSIVE")
        held = run_cli(*dates(), "--base-url", sandbox.base_url, "--history", str(history))
    finally:
        holder.close()
    assert held.returncode == 0, held.stderr
    assert len([json.loads(line) for line in held.stdout.splitlines()]) == 2
    assert "使用中" in held.stderr
    assert "ディスクの空き容量" not in held.stderr
    assert "Traceback" not in held.stderr
    assert not list(tmp_path.glob("history.sqlite3.broken-*"))  # a busy file is not broken
