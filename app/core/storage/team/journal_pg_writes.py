"""SQL that writes the shared journal's append-only rows: operations, entries, states, results.

A result or a state is a new row (``entry_results``, ``operation_states``), never an update; a
final one also releases what the operation still claims, in the same statement.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from app.core.storage.journal_records import (
    EntryRecord,
    EntryResult,
    NewEntry,
    OperationMeta,
    OperationState,
)

_FINAL_STATES = (OperationState.DONE, OperationState.RECONCILED)


def insert_operation_row(
    connection: Any,
    meta: OperationMeta,
    *,
    origin: str | None,
    default_os_user: str,
    started_at: datetime | None = None,
) -> int:
    row = connection.execute(
        "INSERT INTO todoku.operations (started_at, os_user, display_name, account_label,"
        " subuser, region, base_host, practice, note, retry_of, origin)"
        " VALUES (coalesce(%s, now()), %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
        " ON CONFLICT (origin) DO NOTHING RETURNING id",
        (
            started_at,
            meta.os_user or default_os_user,
            meta.display_name,
            meta.account_label,
            meta.subuser,
            meta.region,
            meta.base_host,
            meta.practice,
            meta.note,
            meta.retry_of,
            origin,
        ),
    ).fetchone()
    return 0 if row is None else int(row[0])


def insert_entries(connection: Any, operation_id: int, entries: Sequence[NewEntry]) -> None:
    columns = list(zip(*(_entry_values(seq, e) for seq, e in enumerate(entries)), strict=True))
    if not columns:
        return
    connection.execute(
        "INSERT INTO todoku.operation_entries (operation_id, seq, list_kind, email, created,"
        " status, reason, ip, explanation_reason, explanation_label, explanation_permanent)"
        " SELECT %s, * FROM unnest(%s::int[], %s::text[], %s::text[], %s::timestamptz[],"
        " %s::text[], %s::text[], %s::text[], %s::text[], %s::text[], %s::bool[])",
        (operation_id, *(list(column) for column in columns)),
    )


def insert_state(
    connection: Any,
    operation_id: int,
    state: OperationState,
    observed_at: datetime | None,
    client_key: str | None,
) -> None:
    # One statement (a data-modifying CTE runs to completion): atomic without BEGIN/COMMIT
    # round trips. A final state also releases what the operation still claims.
    # An operation never leaves a final state: a non-final one arriving after it is a write the
    # outbox kept while the server was away, sent after another operator reconciled the
    # operation. Stored, it would make the operation unfinished again (the newest row wins).
    final = state in _FINAL_STATES
    connection.execute(
        "WITH state AS (INSERT INTO todoku.operation_states"
        " (operation_id, state, observed_at, client_key)"
        " SELECT %s::bigint, %s::text, %s::timestamptz, %s::uuid"
        " WHERE %s OR NOT EXISTS (SELECT 1 FROM todoku.operation_states f"
        " WHERE f.operation_id = %s AND f.state = ANY(%s::text[]))"
        " ON CONFLICT (client_key) DO NOTHING RETURNING 1)"
        " DELETE FROM todoku.active_claims WHERE operation_id = %s AND %s",
        (
            operation_id,
            state.value,
            observed_at,
            client_key,
            final,
            operation_id,
            [done.value for done in _FINAL_STATES],
            operation_id,
            final,
        ),
    )


def apply_state(connection: Any, payload: dict[str, Any]) -> None:
    insert_state(
        connection,
        int(payload["operation_id"]),
        OperationState(payload["state"]),
        datetime.fromisoformat(payload["observed_at"]),
        payload["client_key"],
    )


def apply_results(connection: Any, payload: dict[str, Any]) -> None:
    operation_id = int(payload["operation_id"])
    rows: list[list[str]] = payload["rows"]
    columns = [list(column) for column in zip(*rows, strict=True)]
    final = [row[2] != EntryResult.PENDING.value for row in rows]
    norms = [row[1].lower() for row in rows]
    # One statement: the results, and the release of the claims of final ones.
    connection.execute(
        "WITH v AS (SELECT * FROM unnest(%s::text[], %s::text[], %s::text[], %s::text[],"
        " %s::timestamptz[], %s::uuid[], %s::text[], %s::bool[])"
        " AS v(kind, email, result, detail, observed_at, client_key, norm, final)),"
        " results AS (INSERT INTO todoku.entry_results"
        " (entry_id, result, detail, observed_at, client_key)"
        " SELECT e.id, v.result, v.detail, v.observed_at, v.client_key FROM v"
        " JOIN todoku.operation_entries e ON e.operation_id = %s AND e.list_kind = v.kind"
        " AND e.email = v.email ON CONFLICT (client_key) DO NOTHING RETURNING 1)"
        " DELETE FROM todoku.active_claims c USING v WHERE c.operation_id = %s"
        " AND v.final AND c.list_kind = v.kind AND c.email_norm = v.norm",
        (*columns, norms, final, operation_id, operation_id),
    )


# A kept write of the outbox, by its kind, applied on a connection.
APPLY: dict[str, Callable[[Any, dict[str, Any]], None]] = {
    "state": apply_state,
    "results": apply_results,
}


def _entry_values(seq: int, entry: NewEntry) -> tuple[object, ...]:
    return (
        seq,
        entry.list_kind.value,
        entry.email,
        entry.created,
        entry.status,
        entry.reason,
        entry.ip,
        entry.explanation_reason,
        entry.explanation_label,
        entry.explanation_permanent,
    )


def as_new_entry(entry: EntryRecord) -> NewEntry:
    return NewEntry(
        entry.list_kind,
        entry.email,
        entry.created,
        entry.status,
        entry.reason,
        entry.ip,
        entry.explanation_reason,
        entry.explanation_label,
        entry.explanation_permanent,
    )
