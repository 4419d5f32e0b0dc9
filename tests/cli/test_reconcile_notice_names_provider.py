"""`todoku-cli delete --provider ses` killed mid-deletion: the next run says which provider's
deletion was left unfinished and checked against Amazon SES's list
(tests/cli/test_killed_delete_rerun.py checks what becomes of the addresses)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.sandbox import ses_server
from tests.core.providers.harness import dataset
from tests.helpers.killed_child import kill_once_deleting

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX SIGKILL")


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "SENDGRID_"))}
    env.update(
        AWS_ACCESS_KEY_ID=ses_server.SANDBOX_ACCESS_KEY_ID,
        AWS_SECRET_ACCESS_KEY=ses_server.SANDBOX_SECRET,
        XDG_DATA_HOME=str(tmp_path / "data"),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        HOME=str(tmp_path),  # no ~/.aws of the machine
        PYTHONIOENCODING="utf-8",
    )
    return env


def test_the_next_run_names_the_provider_of_the_killed_deletion(tmp_path: Path) -> None:
    emails = tmp_path / "emails.txt"
    emails.write_text("user0001@example.jp\nuser0002@example.jp\n", encoding="utf-8")
    journal_file = tmp_path / "journal.sqlite3"
    # Latency keeps the first DELETE in flight long enough to kill the CLI while it waits.
    with ses_server.SesSandbox(dataset(), latency_ms=700) as sandbox:
        command = [
            sys.executable, "-m", "app.cli", "delete", "--provider", "ses",
            "--aws-region", ses_server.SANDBOX_REGION, "--base-url", sandbox.base_url,
            "--list", "bounces", "--emails-file", str(emails), "--yes",
            "--journal", str(journal_file),
        ]  # fmt: skip
        kill_once_deleting(command, journal_file, cwd=ROOT, env=_env(tmp_path))
        time.sleep(1.5)  # a request in flight at the kill still lands at the server
        again = subprocess.run(
            command, cwd=ROOT, env=_env(tmp_path), capture_output=True, text=True,
            encoding="utf-8", timeout=120, check=False,
        )  # fmt: skip
    assert again.returncode == 0, again.stderr[-2000:]
    # Before: nothing was said of the killed operation; a notice, where one came, named SendGrid.
    assert "前回の削除" in again.stderr and "途中で終了しました" in again.stderr, again.stderr
    assert "Amazon SES の状態を確認し、記録を更新しました" in again.stderr, again.stderr
    assert "結果不明" not in again.stderr, again.stderr
    assert "SendGrid" not in again.stderr
