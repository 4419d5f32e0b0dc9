"""Command-line values that are not UTF-8 (a Shift_JIS terminal, a script in the wrong
encoding): Python keeps such bytes as lone surrogates, and `--account` or `--note` then failed
at the first encoder (the history's or the journal's SQLite insert) with a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from app.core.types import ListKind
from app.sandbox.sendgrid_server import SandboxRecord
from tests.helpers.core_sandbox import API_KEY, RANGE_START

ROOT = Path(__file__).resolve().parents[2]
NOT_UTF8 = os.fsdecode(b"\x93\xfa\x96{")  # 日本 in Shift_JIS: \udc93 \udcfa \udc96 {


def run_cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SENDGRID_API_KEY": API_KEY, "XDG_DATA_HOME": str(tmp_path / "data")}
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, encoding="utf-8", timeout=120,
    )  # fmt: skip


def test_a_note_that_is_not_utf8_is_refused_before_anything_is_deleted(
    make_sandbox, tmp_path: Path
) -> None:
    sandbox = make_sandbox([SandboxRecord(ListKind.BOUNCES.value, "a@example.jp", RANGE_START)])
    emails = tmp_path / "emails.txt"
    emails.write_text("a@example.jp\n", encoding="utf-8")
    result = run_cli(
        tmp_path, "delete", "--list", "bounces", "--emails-file", str(emails), "--yes",
        "--base-url", sandbox.base_url, "--journal", str(tmp_path / "journal.sqlite3"),
        "--note", NOT_UTF8,
    )  # fmt: skip
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "--note の値に UTF-8 として読めない文字" in result.stderr
    assert [r.email for r in sandbox.records("bounces")] == ["a@example.jp"]  # still listed


def test_an_account_name_that_is_not_utf8_is_refused(make_sandbox, tmp_path: Path) -> None:
    sandbox = make_sandbox([])
    result = run_cli(
        tmp_path, "fetch", "--from", "2026-11-01", "--to", "2026-11-02",
        "--base-url", sandbox.base_url, "--account", NOT_UTF8,
    )  # fmt: skip
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "--account の値に UTF-8 として読めない文字" in result.stderr


def test_a_file_name_that_is_not_utf8_still_works(make_sandbox, tmp_path: Path) -> None:
    """Linux file names may be any bytes: path options are left alone."""
    sandbox = make_sandbox([SandboxRecord(ListKind.BOUNCES.value, "a@example.jp", RANGE_START)])
    target = tmp_path / f"out{NOT_UTF8}.jsonl"
    result = run_cli(
        tmp_path, "fetch", "--from", "2026-11-01", "--to", "2026-11-10",
        "--base-url", sandbox.base_url, "--jsonl", str(target), "--no-history",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert os.fsencode(target).endswith(b"out\x93\xfa\x96{.jsonl")
    assert "a@example.jp" in target.read_text(encoding="utf-8")


def test_a_history_file_name_that_is_not_utf8_works_like_a_journal_one(
    make_sandbox, tmp_path: Path
) -> None:
    """`--history` is a file name like `--journal`: it was refused as "not UTF-8"."""
    sandbox = make_sandbox([SandboxRecord(ListKind.BOUNCES.value, "a@example.jp", RANGE_START)])
    history = tmp_path / f"history{NOT_UTF8}.sqlite3"
    result = run_cli(
        tmp_path, "fetch", "--from", "2026-11-01", "--to", "2026-11-10",
        "--base-url", sandbox.base_url, "--history", str(history),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert os.fsencode(history).endswith(b"history\x93\xfa\x96{.sqlite3")
    assert history.stat().st_size > 0
