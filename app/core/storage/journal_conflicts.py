"""Claims on the SQLite deletion journal: who already holds or deleted an entry on this PC."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

from app.core.journal_region import journal_region_spellings
from app.core.storage.journal_records import (
    SUCCESS_RESULTS,
    ClaimConflict,
    ClaimState,
    NewEntry,
    OperationMeta,
)
from app.core.storage.journal_rows import parse_stamp, stamp


def _same_account(regions: int) -> str:
    """The account's rows, under any of its ``regions`` spellings (see app/core/journal_region)."""
    return (
        " JOIN operations o ON o.id = e.operation_id WHERE e.list_kind = ? AND e.email = ?"
        " COLLATE NOCASE AND o.base_host = ? AND o.subuser = ? AND o.practice = ?"
        f" AND o.region IN ({','.join('?' * regions)})"
    )


def sqlite_conflict(
    connection: sqlite3.Connection, meta: OperationMeta, entry: NewEntry
) -> ClaimConflict | None:
    """Who already holds or deleted ``entry`` in this journal (None: free to claim)."""
    regions = journal_region_spellings(meta.region, meta.practice)
    same_account = _same_account(len(regions))
    account = (
        entry.list_kind.value,
        entry.email,
        meta.base_host,
        meta.subuser,
        int(meta.practice),
        *regions,
    )
    row = connection.execute(
        "SELECT o.id, o.started_at, o.os_user, o.display_name FROM operation_entries e"
        f"{same_account} AND e.result = 'pending' AND o.state IN ('pending', 'running')"
        " ORDER BY o.id LIMIT 1",
        account,
    ).fetchone()
    state = ClaimState.IN_PROGRESS
    if row is None and entry.created is not None:
        # Already removed: the same listing (same ``created``: its identity, whatever the
        # clocks say), or any listing deleted after it was created. The identity test is what
        # holds when the provider's clock runs ahead of this PC's (created > deleted at).
        marks = ",".join("?" * len(SUCCESS_RESULTS))
        created = stamp(entry.created)
        row = connection.execute(
            "SELECT o.id, e.updated_at, o.os_user, o.display_name FROM operation_entries e"
            f"{same_account} AND e.result IN ({marks})"
            " AND (e.created = ? OR e.updated_at >= ?)"
            " ORDER BY e.updated_at DESC LIMIT 1",
            (*account, *sorted(r.value for r in SUCCESS_RESULTS), created, created),
        ).fetchone()
        state = ClaimState.DELETED
    if row is None:
        return None
    return ClaimConflict(
        entry.list_kind,
        entry.email,
        state,
        int(row[0]),
        str(row[3] or row[2]),
        str(row[2]),
        parse_stamp(row[1]) or datetime.min.replace(tzinfo=UTC),
    )
