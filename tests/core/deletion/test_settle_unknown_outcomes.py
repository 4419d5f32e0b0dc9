"""A deletion left "running" by a killed process on Customers Mail Cloud (with its cancel API),
Infobip or Amazon SES: reconciling with the same account asks the provider about each address
the run never recorded and records what the list says (a request that landed: ``gone``; one
never sent: ``still_listed``), and a retry deletes only what is still listed. Only a list the
provider cannot be asked about one address (CMC's bounces; Infobip bounces deleted on a domain
the key may not read) is still settled: 「結果不明」, record closed and kept, claims released.
Against each imitation.

The killed runs themselves are in tests/core/deletion/test_killed_esp_deletion_is_checked.py
and tests/cli/test_killed_delete_rerun.py (real SIGKILL); here the journal is left as such a
run leaves it, with one request that landed unrecorded and one never sent.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.deletion.plan import DeletionContext, base_host
from app.core.deletion.reconcile import UNKNOWN_OUTCOME_DETAIL, reconcile_unfinished
from app.core.deletion.run import retry_failed
from app.core.providers.infobip import InfobipProvider
from app.core.storage.journal import (
    DeletionJournal,
    EntryResult,
    NewEntry,
    OperationMeta,
    OperationState,
    ResultUpdate,
)
from app.core.types import DeleteStatus, ListKind
from app.sandbox import infobip_server
from app.sandbox.esp_practice import PRACTICE_DOMAINS
from tests.core.providers.harness import HARNESSES, dataset

LABELS = {"cmc": "CLI cmc:本番", "infobip": "CLI infobip:本番", "ses": "CLI ses:本番"}


@pytest.mark.parametrize("name", ["cmc", "infobip", "ses"])
def test_a_dead_deletion_is_checked_and_only_what_is_still_listed_is_retried(
    name: str, tmp_path: Path
) -> None:
    with HARNESSES[name]() as harness, harness.make() as provider:
        kind = harness.delete_kind
        landed, unsent, recorded = sorted(harness.listed(kind))[:3]
        context = DeletionContext(LABELS[name], base_url=harness.sandbox.base_url)
        journal = DeletionJournal(tmp_path / "journal.sqlite3")
        try:
            meta = OperationMeta(LABELS[name], base_host=base_host(harness.sandbox.base_url))
            op_id = journal.create_operation(
                meta, [NewEntry(kind, e) for e in (landed, unsent, recorded)]
            )
            journal.set_state(op_id, OperationState.RUNNING)
            # What the killed run got done: one result recorded, one request that landed at
            # the provider without its result being recorded, one never sent.
            (first,) = provider.delete(kind, [recorded])
            assert first.status is DeleteStatus.DELETED
            journal.record_results(op_id, [ResultUpdate(kind, recorded, EntryResult.DELETED)])
            provider.delete(kind, [landed])
            blocked = journal.claim_operation(meta, [NewEntry(kind, unsent)])
            assert blocked.operation_id is None  # the dead run still holds its addresses

            summary = reconcile_unfinished(provider, journal, context=context)

            (checked,) = summary.operations
            # Before: settled, both unrecorded addresses 「結果不明」 (pending).
            assert not checked.settled and checked.unknown == 0
            assert (checked.recorded_ok, checked.gone, checked.still_listed) == (1, 1, 1)
            assert summary.running_elsewhere_ids == () and summary.error is None
            record = journal.operation(op_id)
            assert record is not None and record.state is OperationState.RECONCILED
            results = {e.email: e.result for e in journal.entries(op_id)}
            assert results == {
                landed: EntryResult.GONE,
                unsent: EntryResult.STILL_LISTED,
                recorded: EntryResult.DELETED,
            }
            text = summary.notice_ja
            assert "の状態を確認し、記録を更新しました" in text, text
            assert "削除済み 2 件、削除されていない 1 件" in text and "結果不明" not in text, text

            report = retry_failed(provider, journal, op_id, context=context)
        finally:
            journal.close()
        assert report.conflicts == () and report.failed == ()
        assert [o.email for o in report.outcomes] == [unsent]  # only what is still listed
        assert unsent not in harness.listed(kind)


def test_a_list_that_cannot_be_asked_is_settled_and_the_rest_checked(tmp_path: Path) -> None:
    """A CMC operation holding a bounce (history: CMC cannot be asked about one address, and
    no deletion sends anything for it) and a block whose cancel landed unrecorded."""
    with HARNESSES["cmc"]() as harness, harness.make() as provider:
        bounce = sorted(harness.listed(ListKind.BOUNCES))[0]
        block = sorted(harness.listed(ListKind.BLOCKS))[0]
        meta = OperationMeta(LABELS["cmc"], base_host=base_host(harness.sandbox.base_url))
        journal = DeletionJournal(tmp_path / "journal.sqlite3")
        try:
            entries = [NewEntry(ListKind.BOUNCES, bounce), NewEntry(ListKind.BLOCKS, block)]
            op_id = journal.create_operation(meta, entries)
            journal.set_state(op_id, OperationState.RUNNING)
            provider.delete(ListKind.BLOCKS, [block])
            context = DeletionContext(LABELS["cmc"], base_url=harness.sandbox.base_url)

            summary = reconcile_unfinished(provider, journal, context=context)

            (op,) = summary.operations
            assert (op.settled, op.unknown, op.gone, op.still_listed) == (True, 1, 1, 0)
            results = {e.email: (e.result, e.detail) for e in journal.entries(op_id)}
            assert results == {
                bounce: (EntryResult.PENDING, UNKNOWN_OUTCOME_DETAIL),
                block: (EntryResult.GONE, ""),
            }
            record = journal.operation(op_id)
            assert record is not None and record.state is OperationState.RECONCILED
            text = summary.notice_ja
            assert "カスタマーズメールクラウドの状態を確認し、記録を更新しました" in text, text
            assert "カスタマーズメールクラウドでは 1 件ずつ状態を確認できないリスト" in text, text
            assert f"#{op_id}" in text and "削除済み 1 件" in text and "結果不明 1 件" in text
            assert "もう一度削除して問題ありません" in text
            # The claims are released: the addresses can be deleted (or guided) again.
            again = journal.claim_operation(meta, entries)
            assert again.operation_id is not None and again.conflicts == ()
        finally:
            journal.close()


def test_infobip_deletions_on_a_domain_the_key_cannot_read_are_settled(tmp_path: Path) -> None:
    first, second = sorted(PRACTICE_DOMAINS)[:2]
    full = dict(infobip_server.FULL_ACCESS)
    keys = {"k": {first: full, second: {**full, "readBounces": False}}}
    with infobip_server.InfobipSandbox(dataset(), keys=keys) as sandbox:
        emails = sorted(sandbox.emails("BOUNCE"))[:2]
        meta = OperationMeta(LABELS["infobip"], base_host=base_host(sandbox.base_url))
        journal = DeletionJournal(tmp_path / "journal.sqlite3")
        try:
            op_id = journal.create_operation(meta, [NewEntry(ListKind.BOUNCES, e) for e in emails])
            journal.set_state(op_id, OperationState.RUNNING)
            context = DeletionContext(LABELS["infobip"], base_url=sandbox.base_url)
            with InfobipProvider(sandbox.base_url, "k", retry_backoff_s=0.01) as provider:
                summary = reconcile_unfinished(provider, journal, context=context)
            (op,) = summary.operations
            assert (op.settled, op.unknown, op.gone, op.still_listed) == (True, 2, 0, 0)
            assert all(e.detail == UNKNOWN_OUTCOME_DETAIL for e in journal.entries(op_id))
            # Only the domains were read: no address was asked of a domain it cannot read.
            paths = {r.path for r in sandbox.request_log}
            assert paths == {"/email/1/suppressions/domains"}
        finally:
            journal.close()


def test_a_failed_look_up_leaves_the_deletion_for_the_next_check(tmp_path: Path) -> None:
    """SES answering with something that is not its own (here a 404 naming no
    ``NotFoundException``): nothing is recorded gone, nothing settled, the operation stays
    unfinished with its claims; the next reconcile checks it."""
    with HARNESSES["ses"]() as harness, harness.make(max_retries=1) as provider:
        kind = harness.delete_kind
        emails = sorted(harness.listed(kind))[:2]
        meta = OperationMeta(LABELS["ses"], base_host=base_host(harness.sandbox.base_url))
        context = DeletionContext(LABELS["ses"], base_url=harness.sandbox.base_url)
        journal = DeletionJournal(tmp_path / "journal.sqlite3")
        try:
            op_id = journal.create_operation(meta, [NewEntry(kind, e) for e in emails])
            journal.set_state(op_id, OperationState.RUNNING)
            provider.delete(kind, emails[:1])
            harness.sandbox.fail_next(1, 404)  # the first look-up's answer
            failed = reconcile_unfinished(provider, journal, context=context, concurrency=1)
            assert failed.operations == () and failed.error is not None
            record = journal.operation(op_id)
            assert record is not None and record.state is OperationState.RUNNING
            assert {e.result for e in journal.entries(op_id)} == {EntryResult.PENDING}
            assert all(e.detail == "" for e in journal.entries(op_id))

            later = reconcile_unfinished(provider, journal, context=context)
            (op,) = later.operations
            assert (op.gone, op.still_listed, op.settled) == (1, 1, False)
        finally:
            journal.close()
