"""Child process of the team outbox kill -9 tests (tests/core/deletion/test_team_outbox_crash.py).

Usage:
  python outbox_child.py keep URL OUTBOX OPENED GO
      Opens the shared journal with its outbox, starts an operation (two bounces, running) and
      writes its id to OPENED; once GO exists (the parent has stopped the server), records one
      result and the state "interrupted": both are kept in the outbox. Then waits to be killed.
  python outbox_child.py flush URL OUTBOX
      Opens the shared journal, which sends what the outbox kept, and exits.
"""

from __future__ import annotations

import contextlib
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from app.core.storage.journal_records import (
    EntryResult,
    NewEntry,
    OperationMeta,
    OperationState,
    ResultUpdate,
    SharedStoreUnavailableError,
)
from app.core.storage.team.connection import parse_database_url
from app.core.storage.team.journal_pg import PostgresJournal
from app.core.types import ListKind

CREATED = datetime(2026, 11, 3, tzinfo=UTC)
EMAILS = ("kept@example.jp", "other@example.jp")


def keep(url: str, outbox: str, opened: str, go: str) -> None:
    journal = PostgresJournal(parse_database_url(url), outbox_path=Path(outbox))
    entries = [NewEntry(ListKind.BOUNCES, email, CREATED) for email in EMAILS]
    operation_id = journal.create_operation(OperationMeta("outbox-test"), entries)
    journal.set_state(operation_id, OperationState.RUNNING)
    Path(opened).write_text(str(operation_id), encoding="utf-8")
    while not Path(go).exists():
        time.sleep(0.02)
    deleted = ResultUpdate(ListKind.BOUNCES, EMAILS[0], EntryResult.DELETED)
    with contextlib.suppress(SharedStoreUnavailableError):
        journal.record_results(operation_id, [deleted])
    with contextlib.suppress(SharedStoreUnavailableError):
        journal.set_state(operation_id, OperationState.INTERRUPTED)
    print("kept", flush=True)
    time.sleep(600)  # the parent kills this process here


def flush(url: str, outbox: str) -> None:
    PostgresJournal(parse_database_url(url), outbox_path=Path(outbox)).close()
    print("flushed", flush=True)


if __name__ == "__main__":
    if sys.argv[1] == "keep":
        keep(*sys.argv[2:6])
    else:
        flush(*sys.argv[2:4])
