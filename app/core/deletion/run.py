"""Guided deletion: record the plan, delete list by list recording every result, retry failures."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol, TypeVar

from app.core.cancel import CancelToken
from app.core.deletion.plan import (
    DeleteProgress,
    DeletionContext,
    DeletionPlan,
    PlanItem,
    base_host,
    plan_from_records,
    same_account,
)
from app.core.errors import InvalidInputError, TodokuError
from app.core.storage.journal_records import (
    FAILURE_RESULTS,
    RETRY_RESULTS,
    ClaimConflict,
    EntryResult,
    NewEntry,
    OperationMeta,
    OperationState,
    OperationTakenOverError,
    ResultUpdate,
)
from app.core.storage.journal_store import JournalStore
from app.core.types import ALL_LISTS, UNKNOWN_CREATED, DeleteOutcome, DeleteStatus, ListKind

log = logging.getLogger(__name__)

# Requests per journal write: chunked lists are sent 100 addresses per request by the provider;
# unsubscribes are one request per address, so each result is recorded as it comes.
_BATCH_SIZE = {ListKind.UNSUBSCRIBES: 1}
_DEFAULT_BATCH = 100
CANCELLED_DETAIL = "キャンセルしたため未実行"


class DeletingProvider(Protocol):
    def delete(
        self,
        list_kind: ListKind,
        emails: Sequence[str],
        *,
        progress: Callable[[int, int], None] | None = None,
        cancel: CancelToken | None = None,
    ) -> tuple[DeleteOutcome, ...]: ...


@dataclass(frozen=True, slots=True)
class ListResult:
    list_kind: ListKind
    deleted: int
    not_found: int
    failed: int

    @property
    def succeeded(self) -> int:
        return self.deleted + self.not_found


@dataclass(frozen=True, slots=True)
class DeletionReport:
    """The result of one operation: one outcome per claimed address, in plan order.

    ``conflicts`` are the planned addresses another operation holds or already deleted: they
    were not sent and have no outcome (the window shows ``ClaimConflict.label_ja``, e.g.
    「田中さんが 10:42 に削除済み」). ``operation_id`` is 0 when every address conflicted.
    """

    operation_id: int
    outcomes: tuple[DeleteOutcome, ...]
    cancelled: bool = False
    practice: bool = False
    conflicts: tuple[ClaimConflict, ...] = ()
    provider: str = ""  # the ProviderName value deleted from; "" when not known

    @property
    def failed(self) -> tuple[DeleteOutcome, ...]:
        return tuple(o for o in self.outcomes if o.status is DeleteStatus.FAILED)

    @property
    def succeeded(self) -> tuple[DeleteOutcome, ...]:
        return tuple(o for o in self.outcomes if o.status is not DeleteStatus.FAILED)

    @property
    def removed(self) -> tuple[tuple[ListKind, str], ...]:
        """(list, address) pairs no longer on their list: the rows the window can drop."""
        return tuple((o.list_kind, o.email) for o in self.succeeded)

    @property
    def per_list(self) -> tuple[ListResult, ...]:
        results = []
        for kind in ALL_LISTS:
            mine = [o for o in self.outcomes if o.list_kind is kind]
            if mine:
                results.append(
                    ListResult(
                        kind,
                        deleted=sum(o.status is DeleteStatus.DELETED for o in mine),
                        not_found=sum(o.status is DeleteStatus.NOT_FOUND for o in mine),
                        failed=sum(o.status is DeleteStatus.FAILED for o in mine),
                    )
                )
        return tuple(results)


_STATUS_TO_RESULT = {
    DeleteStatus.DELETED: EntryResult.DELETED,
    DeleteStatus.NOT_FOUND: EntryResult.NOT_FOUND,
    DeleteStatus.FAILED: EntryResult.FAILED,
}


def _new_entry(item: PlanItem) -> NewEntry:
    entry, explanation = item.entry, item.explanation
    return NewEntry(
        list_kind=entry.list_kind,
        email=entry.email,
        created=None if entry.created == UNKNOWN_CREATED else entry.created,
        status=entry.status,
        reason=entry.reason,
        ip=entry.ip,
        explanation_reason=explanation.reason if explanation else "",
        explanation_label=explanation.label_ja if explanation else "",
        explanation_permanent=item.permanent,
    )


def _name_of(provider: DeletingProvider) -> str:
    """The provider's ``ProviderName`` value for the report ("" for a double without one)."""
    return str(getattr(provider, "name", "") or "")


def delete_with_record(
    provider: DeletingProvider,
    journal: JournalStore,
    plan: DeletionPlan,
    *,
    context: DeletionContext,
    progress: Callable[[Any], None] | None = None,
    on_page: Callable[[Any], None] | None = None,
    cancel: CancelToken | None = None,
    retry_of: int | None = None,
) -> DeletionReport:
    """Record the plan, then delete list by list, recording each batch's results as they come.

    Nothing is sent before the operation and all its entries are claimed in the journal; if
    that write fails, ``JournalError`` is raised and no request is made. Addresses another
    operation holds or already deleted are left out (``DeletionReport.conflicts``).
    ``progress`` receives ``DeleteProgress``; ``on_page`` receives each recorded batch as
    ``tuple[DeleteOutcome, ...]`` (so a window can drop deleted rows as they go). On cancel the
    addresses not yet sent are reported as failed with ``CANCELLED_DETAIL`` (they can be retried).
    """
    if plan.total == 0:
        raise InvalidInputError("削除するアドレスが選ばれていません。")
    base_url = context.base_url or str(getattr(provider, "base_url", ""))
    provider_name = _name_of(provider)
    meta = OperationMeta(
        account_label=context.account_label,
        subuser=context.subuser,
        region=context.region,
        base_host=base_host(base_url),
        practice=context.practice,
        note=context.note.strip(),
        retry_of=retry_of,
    )
    claim = journal.claim_operation(meta, [_new_entry(item) for item in plan.items])
    if claim.operation_id is None:
        log.info("delete: every address is held or already deleted by another operation")
        return DeletionReport(
            0, (), practice=context.practice, conflicts=claim.conflicts, provider=provider_name
        )
    operation_id = claim.operation_id
    taken = {(entry.list_kind, entry.email) for entry in claim.claimed}
    plan = DeletionPlan(
        tuple(
            replace(lp, items=kept)
            for lp in plan.lists
            if (kept := tuple(i for i in lp.items if (i.entry.list_kind, i.entry.email) in taken))
        ),
        plan.provider,
    )
    # Held while it runs: another machine's reconcile leaves a live operation alone.
    journal.take_over(operation_id)
    try:
        return _run_claimed(
            provider,
            journal,
            plan,
            operation_id,
            claim.conflicts,
            context,
            progress,
            on_page,
            cancel,
        )
    finally:
        journal.release(operation_id)


def _run_claimed(
    provider: DeletingProvider,
    journal: JournalStore,
    plan: DeletionPlan,
    operation_id: int,
    conflicts: tuple[ClaimConflict, ...],
    context: DeletionContext,
    progress: Callable[[Any], None] | None,
    on_page: Callable[[Any], None] | None,
    cancel: CancelToken | None,
) -> DeletionReport:
    journal.set_state(operation_id, OperationState.RUNNING)
    log.info("delete operation %d: %d addresses", operation_id, plan.total)
    outcomes: dict[tuple[ListKind, str], DeleteOutcome] = {}
    done = 0
    cancelled = False
    try:
        for list_plan in plan.lists:
            kind = list_plan.list_kind
            emails = list_plan.emails
            size = _BATCH_SIZE.get(kind, _DEFAULT_BATCH)
            for start in range(0, len(emails), size):
                if cancel is not None and cancel.cancelled:
                    cancelled = True
                    break
                batch = emails[start : start + size]
                # The shared store's lock session may have ended since the last batch; if
                # another PC took the operation over meanwhile, no further request goes out.
                journal.ensure_held(operation_id)
                results = provider.delete(kind, batch, cancel=cancel)
                journal.record_results(
                    operation_id,
                    [
                        ResultUpdate(kind, o.email, _STATUS_TO_RESULT[o.status], o.detail)
                        for o in results
                    ],
                )
                for outcome in results:
                    outcomes[(kind, outcome.email)] = outcome
                done += len(batch)
                if on_page is not None:
                    on_page(results)
                if progress is not None:
                    progress(DeleteProgress(done, plan.total, kind))
            if cancelled:
                break
        if cancel is not None and cancel.cancelled:
            cancelled = True
        journal.ensure_held(operation_id)  # closing the record is the holder's to do
        not_sent = [
            DeleteOutcome(
                item.entry.list_kind, item.entry.email, DeleteStatus.FAILED, CANCELLED_DETAIL
            )
            for item in plan.items
            if (item.entry.list_kind, item.entry.email) not in outcomes
        ]
        if not_sent:
            journal.record_results(
                operation_id,
                [
                    ResultUpdate(o.list_kind, o.email, EntryResult.FAILED, o.detail)
                    for o in not_sent
                ],
            )
            outcomes.update({(o.list_kind, o.email): o for o in not_sent})
        journal.set_state(operation_id, OperationState.DONE)
    except OperationTakenOverError:
        # Another PC is reconciling it now: its record is theirs to close (a state written
        # here would reopen it); what this process recorded stays.
        log.warning("delete operation %d stopped: taken over by another machine", operation_id)
        raise
    except BaseException:
        # Requests may have been sent whose results are unknown: leave them pending and let
        # reconcile_unfinished check the list. (A killed process never gets here; its operation
        # stays "running", which reconcile_unfinished treats the same way.)
        log.exception("delete operation %d stopped by an error", operation_id)
        try:
            journal.set_state(operation_id, OperationState.INTERRUPTED)
        except TodokuError:
            log.exception("could not mark operation %d interrupted", operation_id)
        raise
    ordered = tuple(outcomes[(item.entry.list_kind, item.entry.email)] for item in plan.items)
    report = DeletionReport(
        operation_id, ordered, cancelled=cancelled, practice=context.practice,
        conflicts=conflicts, provider=_name_of(provider),
    )  # fmt: skip
    log.info(
        "delete operation %d done: %d ok, %d failed%s",
        operation_id,
        len(report.succeeded),
        len(report.failed),
        " (cancelled)" if cancelled else "",
    )
    return report


def retry_failed(
    provider: DeletingProvider,
    journal: JournalStore,
    operation_id: int,
    *,
    context: DeletionContext,
    progress: Callable[[Any], None] | None = None,
    on_page: Callable[[Any], None] | None = None,
    cancel: CancelToken | None = None,
) -> DeletionReport:
    """Delete again the addresses of ``operation_id`` that failed (or were still listed, or
    whose outcome a settled record left unknown).

    The retry is a new operation in the journal (``retry_of`` points at the original).
    """
    original = journal.operation(operation_id)
    if original is None:
        raise InvalidInputError(f"削除の記録（#{operation_id}）が見つかりません。")
    if not same_account(original, context, str(getattr(provider, "base_url", ""))):
        raise InvalidInputError(
            "この削除は別のアカウントまたは接続先で行われたため、ここからは再試行できません。",
            next_step_ja="削除したときと同じアカウント（練習モードかどうかも同じ）に切り替えてください。",
        )
    # A closed record's pending entries are outcomes never learnt (「結果不明」); an unfinished
    # one's may still be in flight, so only its failures go again.
    wanted = FAILURE_RESULTS if original.unfinished else RETRY_RESULTS
    plan = plan_from_records(journal.entries(operation_id, wanted))
    if plan.total == 0:
        raise InvalidInputError("再試行する項目はありません。")
    note = context.note.strip() or f"#{operation_id} の再試行"
    return delete_with_record(
        provider,
        journal,
        plan,
        context=DeletionContext(
            context.account_label,
            context.subuser,
            context.region,
            context.practice,
            note,
            context.base_url,
        ),
        progress=progress,
        on_page=on_page,
        cancel=cancel,
        retry_of=operation_id,
    )


_Result = TypeVar("_Result")


def run_with_provider(
    make_provider: Callable[[], Any], work: Callable[..., _Result], *args: Any, **kwargs: Any
) -> _Result:
    """Build a provider on the calling (worker) thread, run ``work(provider, *args, **kwargs)``,
    close the provider. Lets a Job run ``delete_with_record``, ``retry_failed`` or
    ``reconcile_unfinished`` with its own client (a client is used by one thread only)."""
    provider = make_provider()
    try:
        return work(provider, *args, **kwargs)
    finally:
        provider.close()
