"""What a crash test's power cut or kill -9 may find on the disk after `todoku-cli`: each
output file complete before it takes its name, each deletion recorded (and synced) before its
DELETE request goes out, and its outcome synced after. Checked with strace, call by call."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from app.sandbox.sendgrid_server import SandboxRecord
from tests.helpers.core_sandbox import API_KEY, RANGE, RANGE_START, bounce
from tests.helpers.killed_child import kill_once_deleting, operation_states
from tests.helpers.syscalls import first_index, renamed_onto, synced_before, traced_run

ROOT = Path(__file__).resolve().parents[2]


def _env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        SENDGRID_API_KEY=API_KEY,
        XDG_DATA_HOME=str(tmp_path / "data"),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        XDG_STATE_HOME=str(tmp_path / "state"),
        PYTHONIOENCODING="utf-8",
        PYTHONPATH=str(ROOT),
    )
    return env


def test_fetch_outputs_are_flushed_before_they_take_their_names(make_sandbox, tmp_path) -> None:
    sandbox = make_sandbox([bounce(i) for i in range(40)])
    targets = {kind: tmp_path / f"out.{kind}" for kind in ("jsonl", "xlsx", "csv")}
    command = [sys.executable, "-m", "app.cli", "fetch", "--base-url", sandbox.base_url,
               "--from", RANGE.start.isoformat(), "--to", RANGE.end.isoformat()]  # fmt: skip
    for kind, target in targets.items():
        command += [f"--{kind}", str(target)]
    result, lines = traced_run(command, log=tmp_path / "strace.txt", cwd=ROOT, env=_env(tmp_path))
    assert result.returncode == 0, result.stderr[-2000:]
    for target in targets.values():
        index, source = renamed_onto(lines, target)
        assert index >= 0, f"{target.name} was not written by a rename"
        # Unsynced, a power cut just after the rename leaves an empty or partly written file
        # under the final name: the half-written .xlsx the export promises never to leave.
        assert synced_before(lines, source, index), f"{target.name}: renamed before an fsync"


def test_each_deletion_is_synced_before_its_delete_and_its_outcome_after(
    make_sandbox, tmp_path
) -> None:
    emails = [f"user{i}@example.jp" for i in range(3)]
    sandbox = make_sandbox(
        [
            SandboxRecord(list_kind="bounces", email=e, created=RANGE_START, reason="x")
            for e in emails
        ]
    )
    emails_file = tmp_path / "emails.txt"
    emails_file.write_text("\n".join(emails) + "\n", encoding="utf-8")
    journal = tmp_path / "journal.sqlite3"
    command = [sys.executable, "-m", "app.cli", "delete", "--base-url", sandbox.base_url,
               "--list", "bounces", "--emails-file", str(emails_file), "--yes",
               "--journal", str(journal)]  # fmt: skip
    result, lines = traced_run(command, log=tmp_path / "strace.txt", cwd=ROOT, env=_env(tmp_path))
    assert result.returncode == 0, result.stderr[-2000:]
    delete_at = first_index(lines, "sendto(", '"DELETE /v3/suppression/bounces')
    assert delete_at >= 0, "no DELETE request was traced"
    # The plan (every address, with its reason) is committed to the write-ahead log and the
    # log synced before the request leaves; then the outcome is written and synced too.
    assert synced_before(lines, f"{journal}-wal", delete_at)
    assert synced_before(lines, f"{journal}-wal", len(lines))
    written_after = [line for line in lines[delete_at:] if "pwrite64(" in line or "write(" in line]
    assert written_after, "nothing was written after the DELETE: the outcome is not recorded"


def test_the_next_delete_after_a_kill_records_what_became_of_the_killed_one(
    make_sandbox, tmp_path
) -> None:
    from app.core.storage.journal import DeletionJournal, OperationState

    targets = [f"k{i}@example.jp" for i in range(4)]
    # Latency keeps the DELETE in flight long enough to kill the CLI while it waits.
    sandbox = make_sandbox(
        [
            SandboxRecord(list_kind="bounces", email=e, created=RANGE_START, reason="x")
            for e in targets
        ],
        latency_ms=700,
    )
    emails_file = tmp_path / "emails.txt"
    emails_file.write_text("\n".join(targets) + "\n", encoding="utf-8")
    journal_file = tmp_path / "journal.sqlite3"
    command = [sys.executable, "-m", "app.cli", "delete", "--base-url", sandbox.base_url,
               "--list", "bounces", "--emails-file", str(emails_file), "--yes",
               "--journal", str(journal_file)]  # fmt: skip
    # "running": the plan is journaled and the DELETE is on its way (700 ms at the server).
    kill_once_deleting(command, journal_file, cwd=ROOT, env=_env(tmp_path))
    time.sleep(1.5)  # a request in flight at the kill still lands at the server
    assert operation_states(journal_file) == [OperationState.RUNNING]
    # What the killed run left listed (its request may or may not have left before the kill);
    # the second run reconciles against this, then deletes what is still listed itself.
    listed = {r.email for r in sandbox.records("bounces")}

    again = subprocess.run(
        command, cwd=ROOT, env=_env(tmp_path), capture_output=True, text=True,
        encoding="utf-8", timeout=60, check=False,
    )  # fmt: skip
    assert again.returncode == 0, again.stderr[-2000:]
    # Before: the second run never looked at the killed operation. It stayed "running" with
    # every address's outcome unknown for as long as only the CLI was used.
    assert "前回の削除が途中で終了しました" in again.stderr, again.stderr[-2000:]
    journal = DeletionJournal(journal_file)
    try:
        killed = journal.list_operations()[-1]
        assert killed.state is OperationState.RECONCILED
        assert killed.pending == 0
        for entry in journal.entries(killed.id):
            assert (entry.email in listed) == (entry.result.value == "still_listed"), entry
    finally:
        journal.close()
