"""A deletion left "running" by a killed process on a provider that cannot look one address up
(Customers Mail Cloud with its cancel API, Infobip, Amazon SES): reconciling with the same
account settles it (「結果不明」, record closed and kept, claims released) and a retry deletes
the unknown addresses again, harmlessly when they are already gone. Against each imitation.

The killed run itself is in tests/cli/test_killed_delete_rerun.py (real SIGKILL); here the
journal is left as such a run leaves it, to reach CMC, which todoku-cli deletes only through an
account with the cancel API turned on.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.deletion.plan import DeletionContext, base_host
from app.core.deletion.reconcile import UNKNOWN_OUTCOME_DETAIL, reconcile_unfinished
from app.core.deletion.run import retry_failed
from app.core.storage.journal import (
    DeletionJournal,
    EntryResult,
    NewEntry,
    OperationMeta,
    OperationState,
    ResultUpdate,
)
from app.core.types import DeleteStatus
from tests.core.providers.harness import HARNESSES

LABELS = {"cmc": "CLI cmc:本番", "infobip": "CLI infobip:本番", "ses": "CLI ses:本番"}


@pytest.mark.parametrize("name", ["cmc", "infobip", "ses"])
def test_a_dead_deletion_is_settled_and_its_addresses_can_be_deleted_again(
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
            # Before: the operation stayed "running" and its claims blocked every later run.
            blocked = journal.claim_operation(meta, [NewEntry(kind, unsent)])
            assert blocked.operation_id is None

            summary = reconcile_unfinished(provider, journal, context=context)

            (settled,) = summary.operations
            assert settled.settled and settled.unknown == 2 and settled.recorded_ok == 1
            assert summary.running_elsewhere_ids == () and summary.error is None
            record = journal.operation(op_id)
            assert record is not None and record.state is OperationState.RECONCILED
            results = {e.email: (e.result, e.detail) for e in journal.entries(op_id)}
            assert results == {  # every address kept, nothing claimed that was not learnt
                landed: (EntryResult.PENDING, UNKNOWN_OUTCOME_DETAIL),
                unsent: (EntryResult.PENDING, UNKNOWN_OUTCOME_DETAIL),
                recorded: (EntryResult.DELETED, ""),
            }
            assert "結果不明 2 件" in summary.notice_ja and f"#{op_id}" in summary.notice_ja

            report = retry_failed(provider, journal, op_id, context=context)
        finally:
            journal.close()
        assert report.conflicts == ()
        assert {o.email for o in report.outcomes} == {landed, unsent}  # not the recorded one
        assert report.failed == ()
        assert {landed, unsent}.isdisjoint(harness.listed(kind))
