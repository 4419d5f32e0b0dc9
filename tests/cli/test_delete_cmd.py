"""`todoku-cli delete` run as a real subprocess against the sandbox: journal, consent, failures."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from app.core.storage.journal import DeletionJournal, EntryResult, OperationState
from app.core.types import ListKind
from app.sandbox.sendgrid_server import SandboxRecord
from tests.helpers.core_sandbox import API_KEY, RANGE_START
from tests.helpers.killed_child import kill_when, operation_states

CREATED = datetime.fromtimestamp(RANGE_START, UTC)


def record(kind: ListKind, email: str) -> SandboxRecord:
    return SandboxRecord(list_kind=kind.value, email=email, created=RANGE_START, reason="x")


def run_delete(
    sandbox, tmp_path: Path, emails: list[str], *args: str, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    emails_file = tmp_path / "emails.txt"
    emails_file.write_text("# 削除する\n" + "\n".join(emails) + "\n", encoding="utf-8")
    env = dict(os.environ)
    env["SENDGRID_API_KEY"] = API_KEY
    # platformdirs reads these: the default journal lands in the test's tmp dir.
    env["XDG_DATA_HOME"] = str(tmp_path / "data")
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")
    env["PYTHONIOENCODING"] = "utf-8"
    command = [sys.executable, "-m", "app.cli", "delete", "--base-url", sandbox.base_url]
    command += ["--emails-file", str(emails_file), *args]
    return subprocess.run(
        command,
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=60,
        check=False,
    )


def deletes(sandbox) -> list:
    return [r for r in sandbox.request_log if r.method == "DELETE"]


def test_yes_deletes_and_records_every_address(make_sandbox, tmp_path: Path) -> None:
    kept = "keep@example.jp"
    targets = ["a@example.jp", "b@example.jp"]
    sandbox = make_sandbox([record(ListKind.BOUNCES, e) for e in [*targets, kept]])
    journal_file = tmp_path / "journal.sqlite3"
    result = run_delete(
        sandbox,
        tmp_path,
        targets,
        "--list",
        "bounces",
        "--yes",
        "--note",
        "住民から連絡",
        "--journal",
        str(journal_file),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [f"deleted\t{e}\t" for e in targets]
    assert "削除 2 件、リストになし 0 件、失敗 0 件" in result.stderr
    assert "削除すると、これらのアドレスへの配信が再開されます。" in result.stderr  # plan warning
    (request,) = deletes(sandbox)
    assert request.path == "/v3/suppression/bounces"
    assert json.loads(request.body) == {"emails": targets}
    assert [r.email for r in sandbox.records("bounces")] == [kept]

    journal = DeletionJournal(journal_file)
    try:
        (operation,) = journal.list_operations()
        assert operation.state is OperationState.DONE
        assert (operation.account_label, operation.note, operation.practice) == (
            "CLI",
            "住民から連絡",
            False,
        )
        assert operation.base_host == sandbox.base_url.removeprefix("http://")
        entries = journal.entries(operation.id)
        assert [(e.email, e.result) for e in entries] == [(e, EntryResult.DELETED) for e in targets]
        # Looked up before the delete: the journal keeps what SendGrid cannot give back.
        assert all((e.created, e.reason) == (CREATED, "x") for e in entries)
        assert all(e.explanation_label for e in entries)
    finally:
        journal.close()


def test_default_journal_is_in_the_user_data_dir(make_sandbox, tmp_path: Path) -> None:
    sandbox = make_sandbox([record(ListKind.BLOCKS, "a@example.jp")])
    result = run_delete(sandbox, tmp_path, ["a@example.jp"], "--list", "blocks", "--yes")
    assert result.returncode == 0, result.stderr
    (journal_file,) = (tmp_path / "data").rglob("journal.sqlite3")
    journal = DeletionJournal(journal_file)
    try:
        assert [op.total for op in journal.list_operations()] == [1]
    finally:
        journal.close()


def test_consent_lists_need_consent_with_yes(make_sandbox, tmp_path: Path) -> None:
    sandbox = make_sandbox([record(ListKind.SPAM_REPORTS, "a@example.jp")])
    journal_file = tmp_path / "journal.sqlite3"
    refused = run_delete(
        sandbox,
        tmp_path,
        ["a@example.jp"],
        "--list",
        "spam_reports",
        "--yes",
        "--journal",
        str(journal_file),
    )
    assert refused.returncode == 2
    assert "--consent" in refused.stderr and "同意" in refused.stderr
    assert deletes(sandbox) == []
    assert not journal_file.exists()  # nothing was planned into the journal either

    allowed = run_delete(
        sandbox,
        tmp_path,
        ["a@example.jp"],
        "--list",
        "spam_reports",
        "--yes",
        "--consent",
        "--journal",
        str(journal_file),
    )
    assert allowed.returncode == 0, allowed.stderr
    assert [r.path for r in deletes(sandbox)] == ["/v3/suppression/spam_reports"]
    assert sandbox.records("spam_reports") == []


def test_without_a_terminal_nothing_is_deleted(make_sandbox, tmp_path: Path) -> None:
    sandbox = make_sandbox([record(ListKind.BOUNCES, "a@example.jp")])
    result = run_delete(sandbox, tmp_path, ["a@example.jp"], "--list", "bounces", stdin="2\n")
    assert result.returncode == 1
    assert "確認できないため中止しました" in result.stderr
    assert deletes(sandbox) == []


def test_partial_failure_exits_1_and_is_recorded(make_sandbox, tmp_path: Path) -> None:
    targets = ["a@example.jp", "b@example.jp", "c@example.jp"]
    sandbox = make_sandbox([record(ListKind.BOUNCES, e) for e in targets])
    # The bulk request fails, then the first one-by-one delete; the other two go through.
    sandbox.fail_next(2, 400, path_prefix="/v3/suppression/bounces", method="DELETE")
    journal_file = tmp_path / "journal.sqlite3"
    result = run_delete(
        sandbox, tmp_path, targets, "--list", "bounces", "--yes", "--journal", str(journal_file)
    )
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith("failed\ta@example.jp\t") and len(lines[0].split("\t")[2]) > 0
    assert lines[1:] == ["deleted\tb@example.jp\t", "deleted\tc@example.jp\t"]
    assert "失敗 1 件" in result.stderr
    assert [r.email for r in sandbox.records("bounces")] == ["a@example.jp"]
    journal = DeletionJournal(journal_file)
    try:
        (operation,) = journal.list_operations()
        assert (operation.succeeded, operation.failed) == (2, 1)
    finally:
        journal.close()


def test_kill_9_mid_delete_leaves_every_deleted_address_journaled_with_its_reason(
    make_sandbox, tmp_path: Path
) -> None:
    targets = ["a@example.jp", "b@example.jp", "c@example.jp"]
    # Latency keeps the DELETE in flight long enough to kill the CLI while it waits.
    sandbox = make_sandbox([record(ListKind.BOUNCES, e) for e in targets], latency_ms=700)
    journal_file = tmp_path / "journal.sqlite3"
    emails_file = tmp_path / "emails.txt"
    emails_file.write_text("\n".join(targets) + "\n", encoding="utf-8")
    env = dict(os.environ, SENDGRID_API_KEY=API_KEY, PYTHONIOENCODING="utf-8")
    command = [sys.executable, "-m", "app.cli", "delete", "--base-url", sandbox.base_url]
    command += ["--emails-file", str(emails_file), "--list", "bounces", "--yes"]
    command += ["--journal", str(journal_file)]
    returncode = kill_when(
        command,
        lambda: bool(operation_states(journal_file)),
        never="the CLI never journaled its plan",
        env=env,
    )
    assert returncode == -signal.SIGKILL
    time.sleep(1.5)  # a request in flight at the kill still lands at the server
    deleted = set(targets) - {r.email for r in sandbox.records("bounces")}

    journal = DeletionJournal(journal_file)
    try:
        (operation,) = journal.list_operations()
        entries = {e.email: e for e in journal.entries(operation.id)}
    finally:
        journal.close()
    # The plan was journaled in full before any request: every address that is gone from
    # SendGrid (whether the kill came before or after the request) keeps its reason and date.
    assert sorted(entries) == targets
    assert deleted <= set(entries)
    assert all((e.reason, e.created) == ("x", CREATED) for e in entries.values())


def delete_from_raw_file(sandbox, tmp_path: Path, content: bytes) -> subprocess.CompletedProcess:
    """`delete --yes` from an emails file holding exactly ``content`` (bytes as written)."""
    emails_file = tmp_path / "emails-raw.txt"
    emails_file.write_bytes(content)
    env = {**os.environ, "SENDGRID_API_KEY": API_KEY, "PYTHONIOENCODING": "utf-8"}
    env["XDG_DATA_HOME"] = str(tmp_path / "data")
    return subprocess.run(
        [sys.executable, "-m", "app.cli", "delete", "--base-url", sandbox.base_url,
         "--emails-file", str(emails_file), "--list", "bounces", "--yes"],
        capture_output=True, text=True, encoding="utf-8", env=env, timeout=60, check=False,
    )  # fmt: skip


def test_an_emails_file_that_is_not_utf8_is_a_japanese_error(make_sandbox, tmp_path: Path) -> None:
    """A list saved as Shift_JIS (Excel's plain "CSV") or UTF-16: refused, nothing deleted."""
    sandbox = make_sandbox([record(ListKind.BOUNCES, "a@example.jp")])
    result = delete_from_raw_file(sandbox, tmp_path, "# 削除する\na@example.jp\n".encode("cp932"))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "UTF-8 として読めません" in result.stderr
    assert deletes(sandbox) == []


def test_an_emails_file_with_an_endless_line_is_refused_by_its_line(
    make_sandbox, tmp_path: Path
) -> None:
    """A binary or a log picked by mistake: the file was read whole (read_text) and a 100 KB
    "line" went on as an address to look up. Each line is now read up to 64 KB; a longer one
    refuses the file by its line number, and nothing is deleted."""
    sandbox = make_sandbox([record(ListKind.BOUNCES, "a@example.jp")])
    result = delete_from_raw_file(
        sandbox, tmp_path, b"a@example.jp\n" + b"b" * 100_000 + b"@example.jp\n"
    )
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert "2 行目が長すぎます" in result.stderr
    assert deletes(sandbox) == []
    assert sandbox.request_log == []  # refused before any lookup


def test_an_emails_file_with_old_mac_line_ends_deletes_every_address(
    make_sandbox, tmp_path: Path
) -> None:
    """Excel for Mac once saved CSV with a lone CR per line: read line by line, the file must
    still give one address per line (as the whole-file splitlines() did)."""
    sandbox = make_sandbox(
        [record(ListKind.BOUNCES, "a@example.jp"), record(ListKind.BOUNCES, "b@example.jp")]
    )
    result = delete_from_raw_file(sandbox, tmp_path, b"# list\ra@example.jp\rb@example.jp\r")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["deleted\ta@example.jp\t", "deleted\tb@example.jp\t"]


def test_an_address_with_terminal_controls_is_printed_inert(make_sandbox, tmp_path: Path) -> None:
    """An address from the operator's file (or the provider) that holds ESC or a C1 control must
    not drive the terminal when the outcome line prints it."""
    hostile = "\x1b[8mhidden\x9b31m@example.jp"
    sandbox = make_sandbox([record(ListKind.BOUNCES, hostile)])
    journal_file = tmp_path / "journal.sqlite3"
    result = run_delete(
        sandbox, tmp_path, [hostile], "--list", "bounces", "--yes", "--journal", str(journal_file)
    )
    assert "\x1b" not in result.stdout and "\x9b" not in result.stdout
    assert "\ufffd[8mhidden\ufffd31m@example.jp" in result.stdout
