"""The shared journal's reads: SELECTs over the newest audit rows, mapped to journal records."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from app.core.journal_region import journal_region_spellings
from app.core.storage.journal_records import (
    SUCCESS_RESULTS,
    UNFINISHED_STATES,
    EntryRecord,
    EntryResult,
    OperationQuery,
    OperationRecord,
    OperationState,
)
from app.core.types import ListKind

SUCCESS_VALUES = sorted(result.value for result in SUCCESS_RESULTS)

_OPERATION_SELECT = (
    "SELECT o.id, o.started_at, o.finished_at, o.os_user, o.account_label, o.subuser,"
    " o.region, o.base_host, o.practice, o.note, o.state, o.retry_of,"
    " count(e.id) AS total,"
    " count(e.id) FILTER (WHERE e.result IN ('deleted', 'not_found', 'gone')) AS succeeded,"
    " count(e.id) FILTER (WHERE e.result IN ('failed', 'still_listed')) AS failed,"
    " count(e.id) FILTER (WHERE e.result = 'pending') AS pending,"
    " o.display_name"
    " FROM todoku.operation_current o LEFT JOIN todoku.entry_current e"
    " ON e.operation_id = o.id"
)
_GROUP = (
    " GROUP BY o.id, o.started_at, o.finished_at, o.os_user, o.account_label, o.subuser,"
    " o.region, o.base_host, o.practice, o.note, o.state, o.retry_of, o.display_name"
)


def list_operations(connection: Any, query: OperationQuery | None) -> tuple[OperationRecord, ...]:
    query = query or OperationQuery()
    clauses: list[str] = []
    parameters: list[object] = []
    pattern = query.contains_pattern
    if pattern:
        clauses.append(
            "(o.note ILIKE %s OR o.account_label ILIKE %s OR o.os_user ILIKE %s"
            " OR o.display_name ILIKE %s OR EXISTS (SELECT 1 FROM todoku.operation_entries x"
            " WHERE x.operation_id = o.id AND x.email ILIKE %s))"
        )
        parameters += [pattern] * 5
    first, after = query.started_bounds()
    if first is not None:
        clauses.append("o.started_at >= %s")
        parameters.append(first)
    if after is not None:
        clauses.append("o.started_at < %s")
        parameters.append(after)
    where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
    sql = f"{_OPERATION_SELECT}{where}{_GROUP} ORDER BY o.started_at DESC, o.id DESC LIMIT %s"
    parameters.append(max(1, query.limit))
    return tuple(_operation(row) for row in connection.execute(sql, parameters).fetchall())


def operation(connection: Any, operation_id: int) -> OperationRecord | None:
    sql = f"{_OPERATION_SELECT} WHERE o.id = %s{_GROUP}"
    rows = connection.execute(sql, (operation_id,)).fetchall()
    return _operation(rows[0]) if rows else None


def unfinished_operations(connection: Any) -> tuple[OperationRecord, ...]:
    sql = f"{_OPERATION_SELECT} WHERE o.state = ANY(%s){_GROUP} ORDER BY o.id"
    states = [state.value for state in UNFINISHED_STATES]
    return tuple(_operation(row) for row in connection.execute(sql, (states,)).fetchall())


def entries(
    connection: Any, operation_id: int, results: Iterable[EntryResult] | None
) -> tuple[EntryRecord, ...]:
    sql = (
        "SELECT operation_id, seq, list_kind, email, created, status, reason, ip,"
        " explanation_reason, explanation_label, explanation_permanent, result, detail,"
        " updated_at FROM todoku.entry_current WHERE operation_id = %s"
    )
    parameters: list[object] = [operation_id]
    if results is not None:
        sql += " AND result = ANY(%s)"
        parameters.append([result.value for result in results])
    sql += " ORDER BY seq"
    return tuple(_entry(row) for row in connection.execute(sql, parameters).fetchall())


def successful_deletions(
    connection: Any, *, subuser: str, region: str, practice: bool
) -> tuple[tuple[ListKind, str, datetime, datetime | None, str], ...]:
    rows = connection.execute(
        "SELECT e.list_kind, e.email, e.updated_at, e.created, e.reason"
        " FROM todoku.entry_current e JOIN todoku.operations o ON o.id = e.operation_id"
        " WHERE o.subuser = %s AND o.region = ANY(%s) AND o.practice = %s"
        " AND e.result = ANY(%s) ORDER BY e.updated_at",
        # Every spelling of the account's region: older CLI records too.
        (subuser, list(journal_region_spellings(region, practice)), practice, SUCCESS_VALUES),
    ).fetchall()
    return tuple((ListKind(r[0]), str(r[1]), r[2], r[3], str(r[4])) for r in rows)


def _operation(row: Sequence[Any]) -> OperationRecord:
    return OperationRecord(
        id=int(row[0]),
        started_at=row[1],
        finished_at=row[2],
        os_user=str(row[3]),
        account_label=str(row[4]),
        subuser=str(row[5]),
        region=str(row[6]),
        base_host=str(row[7]),
        practice=bool(row[8]),
        note=str(row[9]),
        state=OperationState(row[10]),
        retry_of=None if row[11] is None else int(row[11]),
        total=int(row[12]),
        succeeded=int(row[13]),
        failed=int(row[14]),
        pending=int(row[15]),
        display_name=str(row[16]),
    )


def _entry(row: Sequence[Any]) -> EntryRecord:
    return EntryRecord(
        operation_id=int(row[0]),
        seq=int(row[1]),
        list_kind=ListKind(row[2]),
        email=str(row[3]),
        created=row[4],
        status=str(row[5]),
        reason=str(row[6]),
        ip=str(row[7]),
        explanation_reason=str(row[8]),
        explanation_label=str(row[9]),
        explanation_permanent=bool(row[10]),
        result=EntryResult(row[11]),
        detail=str(row[12]),
        updated_at=row[13],
    )
