"""「このPCの記録を共有データベースへ移す」: copy this PC's SQLite journal into the shared store.

One-time and idempotent: each operation is stored with an ``origin`` (the local journal's random
identity and the operation's number) that is unique on the server, so running it again, or
after an interruption, copies only what is missing. The local file is left as it is (it stays
the record of what this PC did; the app simply stops writing to it in team mode). Times, the OS
user and the name of each operation are kept as recorded locally; the server adds who moved it
(``db_user``). Requires a 削除可 operator (moved rows are deletions too).

The fetch history moves the same way once the history store (issue 15) has landed: see
docs/team-mode.md.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from app.core.storage.journal import DeletionJournal
from app.core.storage.journal_records import OperationQuery
from app.core.storage.team.journal_pg import PostgresJournal

_ALL = 1_000_000_000


@dataclass(frozen=True, slots=True)
class MoveSummary:
    moved: int  # operations copied now
    already_there: int  # copied by an earlier run


def move_local_journal(
    local: DeletionJournal,
    shared: PostgresJournal,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> MoveSummary:
    """Copy every operation of ``local`` not yet in ``shared`` (oldest first)."""
    identity = local.identity
    operations = sorted(local.list_operations(OperationQuery(limit=_ALL)), key=lambda op: op.id)
    moved = already = 0
    for done, operation in enumerate(operations, 1):
        origin = f"sqlite:{identity}:{operation.id}"
        if shared.import_operation(origin, operation, local.entries(operation.id)):
            moved += 1
        else:
            already += 1
        if progress is not None:
            progress(done, len(operations))
    return MoveSummary(moved, already)
