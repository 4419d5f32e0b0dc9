"""After a crash: check what an unfinished deletion really did, and close its record.

Every provider's client asks about each address the deletion never recorded (``is_listed``):
SendGrid's look-up, Amazon SES's ``GetSuppressedDestination``, Customers Mail Cloud's
``blocks/list`` with ``email`` and Infobip's ``GET /email/1/suppressions`` with
``emailAddress``; each answer is recorded ``gone`` or ``still_listed``. A list the provider
cannot be asked about (``can_look_up`` false: CMC's bounces, which no deletion sends anything
for; an Infobip list deleted on a domain the key may not read) is *settled* instead, for an
operation of the account in use: its unrecorded addresses keep the result ``pending`` with
``UNKNOWN_OUTCOME_DETAIL`` (「結果不明」), the record is closed (``reconciled``), which releases
the addresses it claimed, and the operator is told that deleting them again is safe (a repeat is
answered "not found" or accepted again, so it never does harm). Only an operation no live
process holds is touched (``JournalStore.take_over``); see docs/team-mode.md, "A killed deletion
on a provider that cannot look an address up".
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
    """What reconcile asks of a provider. It may also have ``can_look_up(kind, cancel) -> bool``
    (False: that list cannot be asked about one address, and is settled); without it, every
    list can be (SendGrid)."""

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
    # Settled: ``unknown`` of its addresses were on a list the provider cannot be asked about
    # one address, and were recorded 「結果不明」 (safe to delete again); any others were checked.
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
        # A settled operation may have had other lists checked (CMC: blocks checked, bounces
        # settled): it is named in both sentences.
        checked = [op for op in self.operations if not op.settled or op.gone or op.still_listed]
        settled = [op for op in self.operations if op.settled]
        head = "前回の削除が途中で終了しました。"
        if checked:
            names = _names_ja(op.provider_ja for op in checked)
            head += f"{names}の状態を確認し、記録を更新しました。"
        if settled:
            names = _names_ja(op.provider_ja for op in settled)
            head += (
                f"{names}では 1 件ずつ状態を確認できないリストがあるため、"
                "そのリストで送信したか分からない項目を「結果不明」として記録を閉じました。"
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
        still = f"削除されていない {op.still_listed:,} 件、" if op.still_listed else ""
        return (
            f"・{whose}{started} の削除（{op.total:,} 件、削除履歴の記録番号 #{op.operation_id}）:"
            f" 削除済み {op.recorded_ok + op.gone:,} 件、失敗 {op.recorded_failed:,} 件、"
            f"{still}結果不明 {op.unknown:,} 件"
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
    concurrency: int,
    progress: Callable[[Any], None] | None,
    cancel: CancelToken | None,
) -> ReconciledOperation | None:
    """Check (or, for a list that cannot be asked, settle) one operation (None: another
    account's, left for later)."""
    if context is not None and not same_server(operation, context, base_url):
        if operation.practice and context.practice:
            return _close_unverifiable(journal, operation)
        return None
    entries = journal.entries(operation.id)
    pending = [e for e in entries if e.result is EntryResult.PENDING]
    unknowable = {
        kind for kind in {e.list_kind for e in pending} if not _can_look_up(provider, kind, cancel)
    }
    if unknowable and context is None:
        # Without a context the account is unknown: deleting again could go elsewhere.
        return None
    checked = [e for e in pending if e.list_kind not in unknowable]
    unknown = [e for e in pending if e.list_kind in unknowable]
    gone, still = _check(provider, journal, operation.id, checked, concurrency, progress, cancel)
    # Only once every check has an answer: an error above leaves the operation unfinished.
    if unknown:
        _record_unknown(journal, operation.id, unknown)
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
        settled=bool(unknown),
        unknown=len(unknown),
    )


def _can_look_up(provider: ListingProvider, kind: ListKind, cancel: CancelToken | None) -> bool:
    """Whether ``provider`` can be asked whether one address is on ``kind``."""
    if not callable(getattr(provider, "is_listed", None)):
        return False
    ask = getattr(provider, "can_look_up", None)
    return True if ask is None else bool(ask(kind, cancel))


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
    entries = journal.entries(operation.id)
    pending = [e for e in entries if e.result is EntryResult.PENDING]
    # Results first, then the state: a state that releases the claims never lands before them.
    journal.record_results(
        operation.id,
        [
            ResultUpdate(e.list_kind, e.email, EntryResult.PENDING, PRACTICE_GONE_DETAIL)
            for e in pending
        ],
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
        unchecked=len(pending),
        provider_ja=provider_in_journal_label(operation.account_label).label_ja,
    )


def _record_unknown(journal: JournalStore, operation_id: int, unknown: list[EntryRecord]) -> None:
    """Settle addresses on a list the provider cannot be asked about: 「結果不明」 (still
    ``pending``: nothing is claimed that was not learnt). Closing the record next releases
    their claims, so they can be deleted again (harmless if gone)."""
    journal.record_results(
        operation_id,
        [
            ResultUpdate(e.list_kind, e.email, EntryResult.PENDING, UNKNOWN_OUTCOME_DETAIL)
            for e in unknown
        ],
    )
