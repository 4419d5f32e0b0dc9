"""kill -9 in the middle of a Customers Mail Cloud, Infobip or Amazon SES deletion: the next
reconcile asks the provider about every address the killed run never recorded, and records
exactly what the list says (``gone`` / ``still_listed``), as it always did for SendGrid.

Before, these three were settled without a question: every unrecorded address became
「結果不明」, even those the killed run had plainly removed. A real child process, a real SIGKILL
once its first batch is recorded and a request of the next one has landed, each imitation over
loopback.
"""

from __future__ import annotations

import signal
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from app.core.deletion.reconcile import reconcile_unfinished
from app.core.storage.journal import DeletionJournal, EntryResult, OperationState
from app.sandbox import cmc_server, infobip_server, ses_server
from app.sandbox.esp_practice import PRACTICE_DOMAINS, PracticeRecord
from app.sandbox.esp_server import EspSandbox
from tests.core.deletion.esp_delete_child import KINDS, context_for, make_provider
from tests.helpers.killed_child import kill_when

CHILD = Path(__file__).with_name("esp_delete_child.py")
ROOT = Path(__file__).resolve().parents[3]
ADDRESSES = 250  # journal batches of 100: one recorded, one being sent at the kill, one unsent
FIRST_BATCH = 100
# Per request. CMC and SES send one or two requests per address, Infobip two per batch (one per
# sending domain): each leaves seconds between the first request of the second batch landing
# and the last one, for the kill to come in between.
LATENCY_MS = {"cmc": 15, "infobip": 1000, "ses": 30}

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX SIGKILL"),
]


def _records(name: str) -> list[PracticeRecord]:
    kind = "block" if name == "cmc" else "bounce"
    # Infobip: on the domain a batch is sent to first (in name order), so the request to the
    # other domain keeps the batch unrecorded after its addresses are gone.
    domain = min(PRACTICE_DOMAINS)
    start = int(time.time()) - 86_400
    return [
        PracticeRecord(
            kind, f"k{i:03d}@example.jp", start + i, "550 5.1.1 User unknown", "5.1.1",
            "ご注文確認", "info@shop.example.jp", domain,
        )
        for i in range(ADDRESSES)
    ]  # fmt: skip


@contextmanager
def _imitation(name: str) -> Iterator[tuple[EspSandbox, Callable[[], set[str]]]]:
    records = _records(name)
    if name == "cmc":
        cmc = cmc_server.CmcSandbox(records, cancel_api=True, latency_ms=LATENCY_MS[name])
        with cmc:
            yield cmc, lambda: cmc.emails("blocks")
    elif name == "infobip":
        infobip = infobip_server.InfobipSandbox(records, latency_ms=LATENCY_MS[name])
        with infobip:
            yield infobip, lambda: infobip.emails("BOUNCE")
    else:
        ses = ses_server.SesSandbox(records, latency_ms=LATENCY_MS[name])
        with ses:
            yield ses, lambda: ses.emails("BOUNCE")


def _recorded(journal_file: Path) -> int:
    """Results the (one) running operation has recorded; -1 while none is running."""
    if not journal_file.exists():
        return -1
    journal = DeletionJournal(journal_file)
    try:
        operations = journal.list_operations()
    finally:
        journal.close()
    if len(operations) != 1 or operations[0].state is not OperationState.RUNNING:
        return -1
    return operations[0].succeeded + operations[0].failed


@pytest.mark.parametrize("name", ["cmc", "infobip", "ses"])
def test_a_killed_deletion_is_checked_address_by_address(name: str, tmp_path: Path) -> None:
    emails = [f"k{i:03d}@example.jp" for i in range(ADDRESSES)]
    second_batch = set(emails[FIRST_BATCH : 2 * FIRST_BATCH])
    emails_file = tmp_path / "emails.txt"
    emails_file.write_text("\n".join(emails) + "\n", encoding="utf-8")
    journal_file = tmp_path / "journal.sqlite3"
    with _imitation(name) as (sandbox, listed):

        def mid_second_batch() -> bool:
            # The first batch is recorded and the second one has begun to land, unrecorded.
            return _recorded(journal_file) >= FIRST_BATCH and not second_batch <= listed()

        command = [sys.executable, str(CHILD), name, str(journal_file), sandbox.base_url,
                   str(emails_file)]  # fmt: skip
        returncode = kill_when(
            command, mid_second_batch, never="the second batch never began", timeout_s=90,
            cwd=ROOT,
        )  # fmt: skip
        assert returncode == -signal.SIGKILL
        time.sleep(LATENCY_MS[name] / 1000 + 0.5)  # a request in flight at the kill lands
        left = listed()
        sandbox.configure(latency_ms=0)
        sent_before = len(sandbox.request_log)

        journal = DeletionJournal(journal_file)
        try:
            (killed,) = journal.unfinished_operations()
            with make_provider(name, sandbox.base_url) as provider:
                summary = reconcile_unfinished(
                    provider, journal, context=context_for(name, sandbox.base_url)
                )
            entries = journal.entries(killed.id)
            record = journal.operation(killed.id)
        finally:
            journal.close()
        asked = sandbox.request_log[sent_before:]

    assert summary.error is None and summary.running_elsewhere_ids == ()
    (checked,) = summary.operations
    # Before: settled=True, unknown=150, gone=0, still_listed=0.
    assert not checked.settled and checked.unknown == 0
    assert record is not None and record.state is OperationState.RECONCILED
    assert record.pending == 0
    assert [e.email for e in entries] == emails
    assert {e.list_kind for e in entries} == {KINDS[name]}
    results = {e.email: e.result for e in entries}
    # What the killed run recorded stays; every other address is what the list says now.
    assert [results[e] for e in emails[:FIRST_BATCH]] == [EntryResult.DELETED] * FIRST_BATCH
    for email in emails[FIRST_BATCH:]:
        expected = EntryResult.STILL_LISTED if email in left else EntryResult.GONE
        assert results[email] is expected, (email, results[email])
    gone = [e for e in emails if results[e] is EntryResult.GONE]
    still = [e for e in emails if results[e] is EntryResult.STILL_LISTED]
    assert gone and still  # really killed half-way through the second batch
    assert set(gone) <= second_batch  # the third batch was never sent
    assert (checked.recorded_ok, checked.gone, checked.still_listed) == (
        FIRST_BATCH, len(gone), len(still),
    )  # fmt: skip
    # Reconciling only asks: nothing is deleted or cancelled by it.
    assert asked and all(r.method in ("GET", "POST") for r in asked)
    assert not any(r.path.endswith("cancel.json") or r.method == "DELETE" for r in asked)
    text = summary.notice_ja
    assert "の状態を確認し、記録を更新しました" in text and "結果不明" not in text, text
    assert f"削除済み {FIRST_BATCH + len(gone)} 件、削除されていない {len(still)} 件" in text
