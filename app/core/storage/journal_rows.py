"""The SQLite deletion journal's stored values: UTC time stamps as text, and rows as records."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from typing import Any

from app.core.storage.journal_records import (
    EntryRecord,
    EntryResult,
    OperationRecord,
    OperationState,
)
from app.core.types import ListKind


def stamp(moment: datetime) -> str:
    # One fixed format in UTC, so text order is time order (sorting and range search in SQL).
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_stamp(text: str | None) -> datetime | None:
    if not text:
        return None
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


# Columns are selected under the record's field names; only fields stored as text or integers
# of another type are converted.
def operation_from_row(row: sqlite3.Row) -> OperationRecord:
    return OperationRecord(
        **_as_stored(row, "started_at", "finished_at", "practice", "state"),
        started_at=parse_stamp(row["started_at"]) or datetime.min.replace(tzinfo=UTC),
        finished_at=parse_stamp(row["finished_at"]),
        practice=bool(row["practice"]),
        state=OperationState(row["state"]),
    )


def entry_from_row(row: sqlite3.Row) -> EntryRecord:
    return EntryRecord(
        **_as_stored(row, "list_kind", "created", "explanation_permanent", "result", "updated_at"),
        list_kind=ListKind(row["list_kind"]),
        created=parse_stamp(row["created"]),
        explanation_permanent=bool(row["explanation_permanent"]),
        result=EntryResult(row["result"]),
        updated_at=parse_stamp(row["updated_at"]) or datetime.min.replace(tzinfo=UTC),
    )


def _as_stored(row: sqlite3.Row, *converted: str) -> dict[str, Any]:
    return {name: value for name, value in dict(row).items() if name not in converted}
