"""After a crash: check what an unfinished deletion really did, and close its record.

A provider that can look one address up (SendGrid) is asked about each address the deletion
never recorded. CMC, Infobip and Amazon SES cannot: an unfinished deletion of the account in use
is *settled* instead. Its unrecorded addresses keep the result ``pending`` with
``UNKNOWN_OUTCOME_DETAIL`` (「結果不明」), the record is closed (``reconciled``), which releases
the addresses it claimed, and the operator is told that deleting them again is safe: on these
services deleting an address that is already gone is answered "not found" (SES, CMC) or accepted
again (Infobip), so a second request never does harm. Only an operation no live process holds is
touched (``JournalStore.take_over``); see docs/team-mode.md, "A killed deletion on a provider
that cannot look an address up".
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Protocol

from app.core.accounts import ProviderName, before_particle_ja, provider_in_journal_label
from app.core.cancel import CancelToken
from app.core.dates import JST
from app.core.deletion.plan import DeleteProgress, DeletionContext, same_server
from app.core.errors import CancelledError, TodokuError
from app.core.storage.journal_records import (
    EntryRecord,
    EntryResult,
    OperationRecord,
    OperationState,
    ResultUpdate,
)
from app.core.storage.journal_store import JournalStore
from app.core.types import ListKind

log = logging.getLogger(__name__)


class ListingProvider(Protocol):
    def is_listed(self, kind: ListKind, email: str, cancel: CancelToken | None = None) -> bool: ...


@dataclass(frozen=True, slots=True)
class ReconciledOperation:
    """What an unfinished operation turned out to have done."""

    operation_id: int
    started_at: datetime
    total: int
    recorded_ok: int  # results recorded before the interruption (deleted / not found)
    recorded_failed: int
    gone: int  # unrecorded, but no longer on the list: the delete went through
    still_listed: int  # unrecorded and still on the list: can be retried
    unchecked: int  # could not be checked (error, or a practice server that is gone)
    provider_ja: str = ProviderName.SENDGRID.label_ja  # whose lists it was made on
    # Settled without a check (the provider cannot look one address up); ``unknown`` of its
    # addresses were recorded 「結果不明」: safe to delete again.
    settled: bool = False
    unknown: int = 0
    display_name: str = ""  # the shared store: who started it (named in the notice)


@dataclass(frozen=True, slots=True)
class ReconcileSummary:
    operations: tuple[ReconciledOperation, ...] = ()
    skipped_operation_ids: tuple[int, ...] = ()  # made with another account: left for later
    # Shared store: still running on another machine (its process holds it): left alone.
    running_elsewhere_ids: tuple[int, ...] = ()
    error: TodokuError | None = field(default=None, compare=False)

    @property
    def notice_ja(self) -> str:
        """The text of the "前回の削除が途中で終了しました" notice (empty: nothing to say)."""
        if not self.operations:
            return ""
        checked = [op for op in self.operations if not op.settled]
        settled = [op for op in self.operations if op.settled]
        head = "前回の削除が途中で終了しました。"
        if checked:
            names = _names_ja(op.provider_ja for op in checked)
            head += f"{names}の状態を確認し、記録を更新しました。"
        if settled:
            names = _names_ja(op.provider_ja for op in settled)
            head += (
                f"{names}では 1 件ずつ状態を確認できないため、"
                "送信したか分からない項目を「結果不明」として記録を閉じました。"
            )
        lines = [head, *(_operation_line_ja(op) for op in self.operations)]
        if any(op.still_listed or op.recorded_failed for op in self.operations):
            lines.append(
                "削除されていない項目は「削除履歴」で確認できます。必要ならもう一度削除してください。"
            )
        if any(op.unknown for op in settled):
            lines.append(
                "結果不明のアドレスは、もう一度削除して問題ありません（すでにリストにないものは"
                "「リストになし」になります）。この削除が押さえていたアドレスは解放しました。"
            )
        if self.error is not None:
            lines.append(f"一部を確認できませんでした: {self.error.message_ja}")
        return "\n".join(lines)


def _operation_line_ja(op: ReconciledOperation) -> str:
    """「・2026/12/07 10:42 の削除（2 件）: 削除済み 1 件、…」 for one operation."""
    whose = f"{op.display_name}さんの" if op.display_name else ""
    started = _started_ja(op.started_at)
    if op.settled:
        return (
            f"・{whose}{started} の削除（{op.total:,} 件、削除履歴の記録番号 #{op.operation_id}）:"
            f" 削除済み {op.recorded_ok:,} 件、失敗 {op.recorded_failed:,} 件、"
            f"結果不明 {op.unknown:,} 件"
        )
    done, left = op.recorded_ok + op.gone, op.still_listed + op.recorded_failed
    line = f"・{whose}{started} の削除（{op.total:,} 件）: 削除済み {done:,} 件、"
    line += f"削除されていない {left:,} 件"
    if op.unchecked:
        line += f"、確認できなかった {op.unchecked:,} 件"
    return line


def _started_ja(started_at: datetime) -> str:
    return started_at.astimezone(JST).strftime("%Y/%m/%d %H:%M")


def _names_ja(names: Iterable[str]) -> str:
    """``SendGrid ``, ``カスタマーズメールクラウド``, ``SendGrid・Infobip ``: ready for 「の」."""
    return before_particle_ja("・".join(dict.fromkeys(names)))


PRACTICE_GONE_DETAIL = "練習用サーバーが終了したため確認できません"
UNKNOWN_OUTCOME_DETAIL = (
    "結果不明: 削除の途中で処理が終了したため、送信したか分かりません。"
    "もう一度削除して問題ありません"
)


def reconcile_unfinished(
    provider: ListingProvider,
    journal: JournalStore,
    *,
    context: DeletionContext | None = None,
    progress: Callable[[Any], None] | None = None,
    on_page: Callable[[Any], None] | None = None,
    cancel: CancelToken | None = None,
    concurrency: int = 4,
) -> ReconcileSummary:
    """Check every unfinished operation's unrecorded addresses against the list.

    With ``context``, only operations made with the same account and server are checked; other
    live operations are left for when that account is in use. Practice operations from an
    earlier practice server (whose data died with it) are closed as unchecked. A provider error
    stops the check: what was checked is kept, the rest stays unfinished for the next start.
    Up to ``concurrency`` look-ups run at once (the provider's HTTP client is thread-safe; its
    own fetch pages the same way); results are recorded by the calling thread only.
    """
    del on_page  # nothing to stream
    base_url = str(getattr(provider, "base_url", ""))
    # CMC, Infobip and SES cannot look one address up: their operations are settled instead.
    can_look_up = callable(getattr(provider, "is_listed", None))
    shared = journal.shared
    reconciled: list[ReconciledOperation] = []
    skipped: list[int] = []
    elsewhere: list[int] = []
    error: TodokuError | None = None
    for operation in journal.unfinished_operations():
        # A live process holds what it runs (the shared store: any machine): never touched.
        if not journal.take_over(operation.id):
            elsewhere.append(operation.id)
            continue
        try:
            outcome = _reconcile_one(
                provider,
                journal,
                operation,
                context,
                base_url,
                can_look_up,
                concurrency,
                progress,
                cancel,
            )
        except CancelledError:
            raise
        except TodokuError as failure:
            log.warning("reconcile of operation %d stopped: %s", operation.id, failure)
            error = failure
            break
        finally:
            journal.release(operation.id)
        if outcome is None:
            skipped.append(operation.id)
        else:
            if shared:
                outcome = replace(outcome, display_name=operation.display_name)
            reconciled.append(outcome)
    return ReconcileSummary(
        tuple(reconciled),
        tuple(skipped),
        running_elsewhere_ids=tuple(elsewhere),
        error=error,
    )


def _reconcile_one(
    provider: ListingProvider,
    journal: JournalStore,
    operation: OperationRecord,
    context: DeletionContext | None,
    base_url: str,
    can_look_up: bool,
    concurrency: int,
    progress: Callable[[Any], None] | None,
    cancel: CancelToken | None,
) -> ReconciledOperation | None:
    """Check or settle one operation (None: another account's, left for later)."""
    if context is not None and not same_server(operation, context, base_url):
        if operation.practice and context.practice:
            return _close_unverifiable(journal, operation)
        return None
    if not can_look_up:
        # Without a context the account is unknown: deleting again could go elsewhere.
        return None if context is None else _settle_unknown(journal, operation)
    entries = journal.entries(operation.id)
    pending = [e for e in entries if e.result is EntryResult.PENDING]
    gone, still = _check(provider, journal, operation.id, pending, concurrency, progress, cancel)
    journal.set_state(operation.id, OperationState.RECONCILED)
    return ReconciledOperation(
        operation.id,
        operation.started_at,
        operation.total,
        recorded_ok=sum(e.result.succeeded for e in entries),
        recorded_failed=sum(e.result is EntryResult.FAILED for e in entries),
        gone=gone,
        still_listed=still,
        unchecked=0,
        provider_ja=provider_in_journal_label(operation.account_label).label_ja,
    )


_RECORD_EVERY = 25  # look-ups per journal write


def _check(
    provider: ListingProvider,
    journal: JournalStore,
    operation_id: int,
    pending: list[EntryRecord],
    concurrency: int,
    progress: Callable[[Any], None] | None,
    cancel: CancelToken | None,
) -> tuple[int, int]:
    """Look up every pending address; record still_listed / gone. Returns (gone, still)."""
    inner = cancel.child() if cancel is not None else CancelToken()
    updates: list[ResultUpdate] = []
    gone = still = done = 0
    with ThreadPoolExecutor(max(1, concurrency), thread_name_prefix="reconcile") as pool:
        futures = {
            pool.submit(provider.is_listed, entry.list_kind, entry.email, inner): entry
            for entry in pending
        }
        try:
            for future in as_completed(futures):
                entry = futures[future]
                listed = future.result()  # re-raises the look-up's TodokuError
                result = EntryResult.STILL_LISTED if listed else EntryResult.GONE
                updates.append(ResultUpdate(entry.list_kind, entry.email, result))
                gone += result is EntryResult.GONE
                still += result is EntryResult.STILL_LISTED
                done += 1
                if len(updates) >= _RECORD_EVERY:
                    journal.record_results(operation_id, updates)
                    updates = []
                if progress is not None:
                    progress(DeleteProgress(done, len(pending), entry.list_kind))
        except BaseException:
            inner.cancel()  # the other look-ups stop before sending
            for future in futures:
                future.cancel()
            raise
        finally:
            journal.record_results(operation_id, updates)  # keep what was learnt
    return gone, still


def _close_unverifiable(journal: JournalStore, operation: OperationRecord) -> ReconciledOperation:
    return _close_pending(journal, operation, PRACTICE_GONE_DETAIL, unknown=False)


def _settle_unknown(journal: JournalStore, operation: OperationRecord) -> ReconciledOperation:
    """Close a dead operation whose provider cannot be asked: what it never recorded becomes
    「結果不明」 (still ``pending``: nothing is claimed that was not learnt), and closing it
    releases its claims, so the same addresses can be deleted again (harmless if gone)."""
    return _close_pending(journal, operation, UNKNOWN_OUTCOME_DETAIL, unknown=True)


def _close_pending(
    journal: JournalStore, operation: OperationRecord, detail: str, *, unknown: bool
) -> ReconciledOperation:
    entries = journal.entries(operation.id)
    pending = [e for e in entries if e.result is EntryResult.PENDING]
    # Results first, then the state: a state that releases the claims never lands before them.
    journal.record_results(
        operation.id,
        [ResultUpdate(e.list_kind, e.email, EntryResult.PENDING, detail) for e in pending],
    )
    journal.set_state(operation.id, OperationState.RECONCILED)
    return ReconciledOperation(
        operation.id,
        operation.started_at,
        operation.total,
        recorded_ok=sum(e.result.succeeded for e in entries),
        recorded_failed=sum(e.result is EntryResult.FAILED for e in entries),
        gone=0,
        still_listed=0,
        unchecked=0 if unknown else len(pending),
        provider_ja=provider_in_journal_label(operation.account_label).label_ja,
        settled=unknown,
        unknown=len(pending) if unknown else 0,
    )
