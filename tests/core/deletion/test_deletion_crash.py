"""kill -9 in the middle of a deletion: the journal survives and reconcile tells the truth."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from openpyxl import load_workbook

from app.core.deletion.plan import DeletionContext
from app.core.deletion.reconcile import reconcile_unfinished
from app.core.providers.sendgrid import SendGridProvider
from app.core.storage.journal import DeletionJournal, EntryResult, OperationState
from app.core.storage.journal_export import ENTRIES_SHEET, export_journal_xlsx

API_KEY = "SG.kill-test-key"
CHILD = Path(__file__).with_name("crash_delete_child.py")
REPO = Path(__file__).resolve().parents[3]
ENTRIES = 300
TIMEOUT_S = 30.0

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX SIGKILL"),
]


@pytest.fixture
def sandbox_url() -> Iterator[str]:
    """The sandbox CLI in its own process, answering every request after 200 ms."""
    process = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "sandbox", "--entries", str(ENTRIES), "--seed", "7",
         "--api-key", API_KEY, "--latency-ms", "200"],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        base_url = process.stdout.readline().strip()
        assert base_url.startswith("http://127.0.0.1:"), base_url
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stdout.close()


def test_kill_9_mid_operation_then_reconcile(sandbox_url: str, tmp_path: Path) -> None:
    journal_path = tmp_path / "journal.sqlite3"
    child = subprocess.Popen(
        [sys.executable, str(CHILD), str(journal_path), sandbox_url, API_KEY],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + TIMEOUT_S
        while True:  # wait for the journal to exist: the child creates it first thing
            assert child.poll() is None, child.communicate()
            if journal_path.exists():
                break
            assert time.monotonic() < deadline
            time.sleep(0.05)
        watcher = DeletionJournal(journal_path)
        while True:
            assert child.poll() is None, child.communicate()
            operations = watcher.list_operations()
            running = operations and operations[0].state is OperationState.RUNNING
            if running and operations[0].succeeded > 0:
                break
            assert time.monotonic() < deadline, "the child never recorded a result"
            time.sleep(0.02)
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=10)
        watcher.close()
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    output = child.stdout.read() if child.stdout else ""
    child.stdout.close()
    child.stderr.close()
    assert child.returncode == -signal.SIGKILL
    assert "finished" not in output

    journal = DeletionJournal(journal_path)
    assert journal.integrity_check() == "ok"
    (operation,) = journal.unfinished_operations()
    assert operation.state is OperationState.RUNNING
    assert operation.pending > 0  # really killed in the middle
    with SendGridProvider(API_KEY, base_url=sandbox_url, max_retries=2, timeout_s=10) as provider:
        summary = reconcile_unfinished(
            provider, journal, context=DeletionContext(base_url=sandbox_url), concurrency=8
        )
        assert [op.operation_id for op in summary.operations] == [operation.id]
        assert summary.error is None
        assert "前回の削除が途中で終了しました" in summary.notice_ja
        entries = journal.entries(operation.id)
        assert len(entries) == operation.total
        with ThreadPoolExecutor(16) as pool:
            listed = list(pool.map(lambda e: provider.is_listed(e.list_kind, e.email), entries))

    for entry, on_list in zip(entries, listed, strict=True):
        if entry.result in (EntryResult.DELETED, EntryResult.GONE):
            assert not on_list, entry
        else:
            assert entry.result is EntryResult.STILL_LISTED, entry
            assert on_list, entry
    results = {entry.result for entry in entries}
    assert EntryResult.DELETED in results and EntryResult.STILL_LISTED in results
    reconciled = journal.operation(operation.id)
    assert reconciled is not None and reconciled.state is OperationState.RECONCILED
    assert reconciled.pending == 0
    assert journal.integrity_check() == "ok"

    target = tmp_path / "history.xlsx"
    export_journal_xlsx(journal, target)
    book = load_workbook(target, read_only=True)  # read-only keeps the file open until close
    rows = list(book[ENTRIES_SHEET].iter_rows(values_only=True))
    book.close()
    assert len(rows) == operation.total + 1
    exported = {(row[2], row[3]) for row in rows[1:]}
    assert exported == {(entry.email, entry.result.label_ja) for entry in entries}
    journal.close()
