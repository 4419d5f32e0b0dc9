"""Turning history rows into records, the same for every backend (SQLite, PostgreSQL): the
stores differ in SQL dialect, not in what a returned row means."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from app.core.storage.history.interface import (
    LIST_CODES,
    GoneBy,
    Recurrence,
    Return,
    expand_reason,
    stamp,
)
from app.core.types import ListKind

_NEVER = datetime.min.replace(tzinfo=UTC)

# The columns every backend's 再発 query selects, in this order.
RETURN_COLUMNS = "r.list, r.email, r.deleted_at, r.returned_at, t.text, r.noticed_at"


def epoch_seconds(moment: datetime) -> int:
    """Stored times are whole epoch seconds."""
    return int(moment.timestamp())


def return_from_row(row: Sequence[Any]) -> Return:
    """One row of RETURN_COLUMNS."""
    return Return(
        list_kind=LIST_CODES[row[0]],
        email=row[1],
        deleted_at=stamp(row[2]) or _NEVER,
        returned_at=stamp(row[3]) or _NEVER,
        reason=expand_reason(row[4], row[1]),
        noticed_at=stamp(row[5]) or _NEVER,
    )


def recurrences_from_rows(rows: Iterable[Sequence[Any]]) -> dict[str, Recurrence]:
    """Rows of RETURN_COLUMNS grouped per address (lower case), oldest deletion first."""
    grouped: dict[str, list[Return]] = {}
    for row in rows:
        item = return_from_row(row)
        grouped.setdefault(item.email.lower(), []).append(item)
    return {
        key: Recurrence(items[0].email, tuple(sorted(items, key=lambda r: r.deleted_at)))
        for key, items in grouped.items()
    }


def gone_from_row(row: Sequence[Any]) -> tuple[ListKind, str, GoneBy, datetime]:
    """One row of (list, email, gone_by, gone_at)."""
    return LIST_CODES[row[0]], row[1], GoneBy(row[2]), datetime.fromtimestamp(row[3], tz=UTC)
