"""The deletion journal's storage interface: what every backend (SQLite, PostgreSQL) offers.

The deletion use cases (app/core/deletion) and the window talk to the journal only through this
Protocol. ``DeletionJournal`` (journal.py) is the embedded SQLite file of one PC;
``PostgresJournal`` (team/journal_pg.py) is the store a team shares. No SQL outside
app/core/storage. See docs/team-mode.md for the rules each backend keeps.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Protocol

from app.core.storage.journal_records import (
    Claim,
    EntryRecord,
    EntryResult,
    NewEntry,
    OperationMeta,
    OperationQuery,
    OperationRecord,
    OperationState,
    Operator,
    ResultUpdate,
)
from app.core.types import ListKind


class JournalStore(Protocol):
    """The deletion journal. Every method raises ``JournalError`` (or a subclass) on failure.

    Writes are atomic. Audit rows are never changed in place by the shared backend: a result or
    a state is a new row and the newest one counts (records read back look the same on both).
    """

    @property
    def schema_version(self) -> int: ...

    @property
    def shared(self) -> bool:
        """True for the team's shared store (operators, roles and claims across machines)."""
        ...

    def close(self) -> None: ...

    # -- who is using it ---------------------------------------------------------------------
    def current_operator(self) -> Operator:
        """This operator's name and role (SQLite: the OS user, always 削除可)."""
        ...

    # -- writes ------------------------------------------------------------------------------
    def claim_operation(self, meta: OperationMeta, entries: Sequence[NewEntry]) -> Claim:
        """Write the operation and claim its entries before any request is sent.

        Entries that an unfinished operation holds, or that an earlier operation already
        deleted (its result was recorded after the entry's ``created``), are not claimed and come
        back as ``Claim.conflicts``. When nothing is left, no operation is written
        (``operation_id`` is None). Raises ``JournalPermissionError`` for a 閲覧 operator.
        """
        ...

    def create_operation(self, meta: OperationMeta, entries: Sequence[NewEntry]) -> int:
        """Write the operation and every entry without the claim checks (imports, tests)."""
        ...

    def set_state(self, operation_id: int, state: OperationState) -> None: ...

    def record_results(self, operation_id: int, updates: Iterable[ResultUpdate]) -> None:
        """Store results; a final result releases the entry's claim."""
        ...

    # -- an operation in progress, seen from any machine -------------------------------------
    def take_over(self, operation_id: int) -> bool:
        """Hold ``operation_id`` for this process (to run or reconcile it).

        False when a live process holds it (it is still running there, or in this process):
        leave it.
        SQLite: a byte lock of a file beside the journal, so a process of this PC (the window,
        todoku-cli) holds it until it ends. Held until ``release`` or ``close``.
        """
        ...

    def release(self, operation_id: int) -> None: ...

    def ensure_held(self, operation_id: int) -> None:
        """Before more work on an operation this process holds: raise
        ``OperationTakenOverError`` when another machine took it over meanwhile (the shared
        store's lock session ended; a new one could not take the lock back). SQLite: no-op."""
        ...

    # -- reads -------------------------------------------------------------------------------
    def list_operations(
        self, query: OperationQuery | None = None
    ) -> tuple[OperationRecord, ...]: ...

    def operation(self, operation_id: int) -> OperationRecord | None: ...

    def unfinished_operations(self) -> tuple[OperationRecord, ...]: ...

    def entries(
        self, operation_id: int, results: Iterable[EntryResult] | None = None
    ) -> tuple[EntryRecord, ...]: ...

    def successful_deletions(
        self, *, subuser: str, region: str, practice: bool
    ) -> tuple[tuple[ListKind, str, datetime, datetime | None, str], ...]:
        """Every address removed by Todoku for one account: (list, email, when, created, reason),
        oldest first (the fetch history's 再発 reads it)."""
        ...

    def mask_address(self, email: str) -> int:
        """「このアドレスの記録を消す」: keep each audit row, blank the address and its reason."""
        ...
