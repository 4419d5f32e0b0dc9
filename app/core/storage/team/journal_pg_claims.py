"""Claiming entries on the shared journal, so two operators never delete the same address.

``active_claims`` holds (account, list, address) while an operation may still send a request for
it. Claims are inserted with ``ON CONFLICT DO NOTHING`` in a fixed order (no deadlock between two
operators), *then* an earlier successful deletion is looked for. Under READ COMMITTED that order
is what closes the race: an insert that found a claim gone waited for the holder's commit, so the
next statement sees the holder's result.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from app.core.journal_region import journal_region_spellings
from app.core.storage.journal_records import (
    Claim,
    ClaimConflict,
    ClaimState,
    NewEntry,
    OperationMeta,
    OperationRecord,
    OperationState,
)
from app.core.storage.team.journal_pg_reads import SUCCESS_VALUES
from app.core.storage.team.journal_pg_writes import (
    insert_entries,
    insert_operation_row,
    insert_state,
)
from app.core.storage.team.pg_text import pg_text

RETRIES = 3  # deadlock / serialization retries of a claim


def account_scope(meta: OperationMeta | OperationRecord) -> str:
    """Claims are per account and server: the same address on two accounts is two entries."""
    return _scope(meta, meta.region)


def _scope(meta: OperationMeta | OperationRecord, region: str) -> str:
    return f"{meta.base_host}|{meta.subuser}|{region}|{int(meta.practice)}"


def _older_scopes(meta: OperationMeta) -> list[str]:
    """The account's scope under the region spellings older todoku-cli versions wrote (their
    claims are still held there until those operations end)."""
    regions = journal_region_spellings(meta.region, meta.practice)
    return [_scope(meta, region) for region in regions if region != meta.region]


class NothingClaimed(Exception):
    """Rolls the claim transaction back when every entry conflicted (no empty operation)."""

    def __init__(self, conflicts: tuple[ClaimConflict, ...]) -> None:
        super().__init__("nothing claimed")
        self.conflicts = conflicts


def claim_entries(
    connection: Any, meta: OperationMeta, entries: Sequence[NewEntry], *, default_os_user: str
) -> Claim:
    """A new operation holding every entry nobody else holds or already deleted (one
    transaction); raises ``NothingClaimed`` when that leaves none."""
    scope = account_scope(meta)
    operation_id = insert_operation_row(
        connection, meta, origin=None, default_os_user=default_os_user
    )
    # Keyed as the server holds them: the rows read back (RETURNING, holders) match.
    wanted = {(e.list_kind.value, pg_text(e.email.lower())): e for e in entries}
    claimed: dict[tuple[str, str], NewEntry] = {}
    conflicts: list[ClaimConflict] = []
    remaining = dict(wanted)
    for _ in range(RETRIES):
        if not remaining:
            break
        keys = sorted(remaining)  # one order for everyone: no deadlock
        rows = connection.execute(
            "INSERT INTO todoku.active_claims (scope, list_kind, email_norm, operation_id)"
            " SELECT %s, k, e, %s FROM unnest(%s::text[], %s::text[]) AS v(k, e)"
            " ORDER BY k, e ON CONFLICT DO NOTHING RETURNING list_kind, email_norm",
            (scope, operation_id, [k for k, _ in keys], [e for _, e in keys]),
        ).fetchall()
        for row in rows:
            key = (str(row[0]), str(row[1]))
            claimed[key] = remaining.pop(key)
        held = _holders(connection, [scope], remaining)
        for key, conflict in held.items():
            conflicts.append(conflict)
            remaining.pop(key)
        # What is left was released between the two statements: claim it again.
    for entry in remaining.values():  # still contended after the retries
        conflicts.append(
            ClaimConflict(
                entry.list_kind,
                entry.email,
                ClaimState.IN_PROGRESS,
                0,
                "",
                "",
                datetime.now(UTC),
            )
        )
    # Held under an older spelling of the account's region, or already deleted: let go.
    deleted = {
        **_already_deleted(connection, meta, claimed),
        **_holders(connection, _older_scopes(meta), claimed),
    }
    if deleted:
        connection.execute(
            "DELETE FROM todoku.active_claims WHERE operation_id = %s"
            " AND (list_kind, email_norm) IN"
            " (SELECT * FROM unnest(%s::text[], %s::text[]))",
            (operation_id, [k for k, _ in deleted], [e for _, e in deleted]),
        )
        for key, conflict in deleted.items():
            conflicts.append(conflict)
            claimed.pop(key)
    if not claimed:
        raise NothingClaimed(tuple(conflicts))
    kept = [entry for key, entry in wanted.items() if key in claimed]
    insert_entries(connection, operation_id, kept)
    insert_state(connection, operation_id, OperationState.PENDING, None, None)
    return Claim(operation_id, tuple(kept), tuple(conflicts))


def _holders(
    connection: Any, scopes: list[str], remaining: dict[tuple[str, str], NewEntry]
) -> dict[tuple[str, str], ClaimConflict]:
    if not remaining or not scopes:
        return {}
    keys = list(remaining)
    rows = connection.execute(
        "SELECT c.list_kind, c.email_norm, o.id, o.started_at, o.os_user, o.display_name"
        " FROM todoku.active_claims c JOIN todoku.operations o ON o.id = c.operation_id"
        " WHERE c.scope = ANY(%s) AND (c.list_kind, c.email_norm) IN"
        " (SELECT * FROM unnest(%s::text[], %s::text[]))",
        (scopes, [k for k, _ in keys], [e for _, e in keys]),
    ).fetchall()
    return _conflicts(rows, remaining, ClaimState.IN_PROGRESS)


def _already_deleted(
    connection: Any, meta: OperationMeta, claimed: dict[tuple[str, str], NewEntry]
) -> dict[tuple[str, str], ClaimConflict]:
    """Claimed entries whose listing an earlier operation already removed: the same listing
    (same ``created``, its identity: this holds whatever the clocks say, e.g. a provider
    stamping ``created`` ahead of the PC that recorded the deletion), or any listing
    removed after it was created."""
    dated = [(key, entry) for key, entry in claimed.items() if entry.created is not None]
    if not dated:
        return {}
    rows = connection.execute(
        "SELECT v.k, v.e, d.id, d.at, d.os_user, d.display_name"
        " FROM unnest(%s::text[], %s::text[], %s::timestamptz[]) AS v(k, e, created)"
        " JOIN LATERAL (SELECT o.id, c.updated_at AS at, o.os_user, o.display_name"
        "   FROM todoku.entry_current c JOIN todoku.operations o ON o.id = c.operation_id"
        "   WHERE lower(c.email) = v.e AND c.list_kind = v.k AND o.base_host = %s"
        "   AND o.subuser = %s AND o.region = ANY(%s) AND o.practice = %s"
        "   AND c.result = ANY(%s) AND (c.created = v.created OR c.updated_at >= v.created)"
        "   ORDER BY c.updated_at DESC LIMIT 1) d ON true",
        (
            [key[0] for key, _ in dated],
            [key[1] for key, _ in dated],
            [entry.created for _, entry in dated],
            meta.base_host,
            meta.subuser,
            list(journal_region_spellings(meta.region, meta.practice)),  # older CLI ones too
            meta.practice,
            SUCCESS_VALUES,
        ),
    ).fetchall()
    return _conflicts(rows, claimed, ClaimState.DELETED)


def _conflicts(
    rows: Sequence[Sequence[Any]], entries: dict[tuple[str, str], NewEntry], state: ClaimState
) -> dict[tuple[str, str], ClaimConflict]:
    """Rows of (list, lower-cased address, operation, when, OS user, name) as conflicts."""
    found = {}
    for kind, email_norm, op_id, at, os_user, name in rows:
        entry = entries[(kind, email_norm)]
        found[(kind, email_norm)] = ClaimConflict(
            entry.list_kind, entry.email, state, int(op_id), str(name or os_user), str(os_user), at
        )
    return found
