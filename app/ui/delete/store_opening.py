"""Opening the shared journal and resending its kept rows, as jobs off the GUI thread.

A PostgreSQL store connects over the network: an unreachable server holds a connect for up to
``CONNECT_TIMEOUT_S`` (10 s), and psycopg's connections are per thread, so everything the window
needs from a freshly opened shared store (who this operator is, the rows kept on this PC, the
operations a crash left unfinished) is read here, on the job's thread, and handed back whole.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.core.storage.journal_records import OperationRecord, Operator
    from app.core.storage.journal_store import JournalStore


@dataclass(frozen=True, slots=True)
class OpenedStore:
    journal: JournalStore
    operator: Operator | None
    outbox_waiting: int
    unfinished: tuple[OperationRecord, ...]


def outbox_count(journal: JournalStore) -> int:
    """Rows kept on this PC for the shared store (0 for the SQLite journal, which has none)."""
    count = getattr(journal, "outbox_count", None)
    return int(count()) if callable(count) else 0


def open_store(opener: Callable[[], JournalStore], **_: Any) -> OpenedStore:
    """Job work: open the store and read what the window shows about it (closed again on error)."""
    journal = opener()
    try:
        operator = journal.current_operator() if journal.shared else None
        return OpenedStore(
            journal, operator, outbox_count(journal), journal.unfinished_operations()
        )
    except BaseException:
        journal.close()
        raise


def resend_kept(journal: JournalStore, **_: Any) -> int:
    """Job work: send the rows the outbox kept; returns how many still wait."""
    flush = getattr(journal, "flush_outbox", None)
    if callable(flush):
        flush()
    return outbox_count(journal)
