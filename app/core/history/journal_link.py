"""The deletion journal as history needs it, and 「このアドレスの記録を消す」 across stores."""

from __future__ import annotations

from dataclasses import dataclass

from app.core.classify.cache import ExplanationCache
from app.core.storage.history.interface import AccountKey, Deletion, HistoryStorage
from app.core.storage.journal_store import JournalStore


def journal_deletions(
    journal: JournalStore, account: AccountKey, *, region: str | None = None
) -> tuple[Deletion, ...]:
    """Successful deletes of ``account`` (same subuser, region and practice flag), oldest first.

    The journal names accounts by subuser and region; two parent accounts with different API
    keys but the same region are told apart only by the history's account name. ``region`` is
    the journal's spelling of it (``app.core.journal_region``) when the history account keeps
    another (todoku-cli files every history account under its ``--region``).
    """
    return tuple(
        Deletion(kind, email, deleted_at, created, reason)
        for kind, email, deleted_at, created, reason in journal.successful_deletions(
            subuser=account.subuser,
            region=account.region if region is None else region,
            practice=account.practice,
        )
    )


@dataclass(frozen=True, slots=True)
class ErasedCounts:
    history_rows: int
    journal_rows_masked: int
    cache_rows: int


def erase_address(
    email: str,
    *,
    history: HistoryStorage | None = None,
    journal: JournalStore | None = None,
    cache: ExplanationCache | None = None,
) -> ErasedCounts:
    """Erase ``email`` from history (rows, 再発, reason texts) and the explanation cache; in the
    deletion journal, mask it: the audit rows stay (what was deleted when, by whom, with which
    result) but no longer name the recipient. See docs/history.md."""
    return ErasedCounts(
        history.erase_address(email) if history is not None else 0,
        journal.mask_address(email) if journal is not None else 0,
        cache.forget_text(email) if cache is not None else 0,
    )
