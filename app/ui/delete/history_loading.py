"""Reading 削除履歴 from the shared store in a job, so the dialog opens with its data.

On the team's PostgreSQL server a read goes over the network: a slow server, or one that takes
connections but never answers, would hold the GUI thread (a new connection waits up to
``CONNECT_TIMEOUT_S``). The job reads what the dialog shows first — the operations of the
default search and the addresses of the newest one — and hands them over whole.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from app.core.errors import CancelledError
from app.ui.delete import deletion_texts as texts

if TYPE_CHECKING:
    from app.core.cancel import CancelToken
    from app.core.storage.journal_records import EntryRecord, OperationQuery, OperationRecord
    from app.core.storage.journal_store import JournalStore


@dataclass(frozen=True, slots=True)
class HistorySnapshot:
    """What the dialog shows on opening: the search's operations, and the entries read so far
    (by operation id: the first listed one)."""

    query: OperationQuery
    operations: tuple[OperationRecord, ...]
    entries: dict[int, tuple[EntryRecord, ...]] = field(default_factory=dict)


def read_history(
    journal: JournalStore,
    query: OperationQuery,
    *,
    progress: Callable[[Any], None],
    cancel: CancelToken,
    **_: Any,
) -> HistorySnapshot:
    """Job work: the operations ``query`` finds, then the entries of the first of them.
    Cancel is seen between the two reads (a read already sent waits for its answer)."""
    progress(texts.HISTORY_READING)
    operations = journal.list_operations(query)
    if cancel.cancelled:
        raise CancelledError(texts.HISTORY_READ_CANCELLED)
    entries: dict[int, tuple[EntryRecord, ...]] = {}
    if operations:
        progress(texts.HISTORY_READING_ENTRIES.format(id=operations[0].id))
        entries[operations[0].id] = journal.entries(operations[0].id)
    if cancel.cancelled:
        raise CancelledError(texts.HISTORY_READ_CANCELLED)
    return HistorySnapshot(query, operations, entries)
