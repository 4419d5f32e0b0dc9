"""Copying a PC's SQLite fetch history into the shared one, its ids mapped to the server's."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from app.core.storage.history.interface import AccountKey, parked_key
from app.core.storage.team.history_pg_merge import account_tuple
from app.core.storage.team.history_pg_texts import text_ids
from app.core.storage.team.pg_text import pg_text

if TYPE_CHECKING:
    import psycopg


@dataclass(frozen=True, slots=True)
class HistorySnapshot:
    """A local SQLite history's raw rows (ids are the file's own), for ``import_snapshot``."""

    # (id, provider, account, subuser, region, practice, connection stamp or None)
    accounts: tuple[tuple[Any, ...], ...]
    texts: dict[int, str]
    explanations: dict[int, tuple[str, str, str]]  # id → (category, label, body)
    entries: tuple[tuple[Any, ...], ...]  # account_id … gone_at, as the file's entries table
    coverage: tuple[tuple[Any, ...], ...]
    returns: tuple[tuple[Any, ...], ...]


def copy_snapshot(c: Any, snap: HistorySnapshot) -> tuple[int, int]:
    """Insert what the shared history lacks; ids of the file are mapped to the server's."""
    accounts: dict[int, int] = {}
    for local_id, provider, name, subuser, region, practice, stamp in snap.accounts:
        key = (provider, name, subuser, region, bool(practice))
        found, shared = _account_row(c, key, stamp)
        if stamp is not None and shared is not None and shared != stamp:
            # The team fetches this account with another key or endpoint: this PC's rows are
            # another provider account's and go aside, as a fetch would set them aside.
            parked = parked_key(AccountKey(*key), stamp)
            found, _ = _account_row(c, account_tuple(parked), stamp)
        elif stamp is not None and shared is None:
            c.execute(
                "UPDATE todoku.history_accounts SET connection=%s WHERE id=%s", (stamp, found)
            )
        accounts[int(local_id)] = found
    texts = text_ids(c, snap.texts.values())
    text_id = {int(k): texts[v] for k, v in snap.texts.items()}
    explanation_id: dict[int, int] = {}
    if snap.explanations:
        keys = sorted(snap.explanations)
        c.execute(
            "INSERT INTO todoku.history_explanations (category, label, body)"
            " SELECT * FROM unnest(%s::text[], %s::text[], %s::text[])"
            " ON CONFLICT (body) DO NOTHING",
            tuple([snap.explanations[k][i] for k in keys] for i in range(3)),
        )
        by_body = dict(
            c.execute(
                "SELECT body, id FROM todoku.history_explanations WHERE body = ANY(%s)",
                ([snap.explanations[k][2] for k in keys],),
            ).fetchall()
        )
        explanation_id = {k: int(by_body[pg_text(snap.explanations[k][2])]) for k in keys}
    with c.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO todoku.history_entries (account_id, list, email, created, domain_id,"
            " status_id, reason_id, ip_id, explanation_id, first_seen, last_seen, listed_fetch,"
            " gone_by, gone_at) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,0,%s,%s)"
            " ON CONFLICT (account_id, list, lower(email)) DO NOTHING RETURNING 1",
            [
                (accounts[a], code, email, created, text_id[d], text_id[s], text_id[r],
                 text_id[ip], None if x is None else explanation_id[x], first, last, by, at)
                for a, code, email, created, d, s, r, ip, x, first, last, by, at in snap.entries
            ],
            returning=True,
        )  # fmt: skip
        entries = _returned_rows(cursor)
        cursor.executemany(
            "INSERT INTO todoku.history_returns (account_id, list, email, deleted_at,"
            " returned_at, reason_id, noticed_at) VALUES (%s,%s,%s,%s,%s,%s,%s)"
            " ON CONFLICT DO NOTHING RETURNING 1",
            [
                (accounts[a], code, email, deleted, returned, text_id[r], noticed)
                for a, code, email, deleted, returned, r, noticed in snap.returns
            ],
            returning=True,
        )
        returns = _returned_rows(cursor)
        cursor.executemany(
            "INSERT INTO todoku.history_coverage (account_id, list, start_time, end_time,"
            " high_water) VALUES (%s,%s,%s,%s,%s) ON CONFLICT DO NOTHING",
            [(accounts[a], code, start, end, high) for a, code, start, end, high in snap.coverage],
        )
    return entries, returns


def _account_row(c: Any, key: tuple[Any, ...], stamp: str | None) -> tuple[int, str | None]:
    """The server's account row of ``key`` (made with ``stamp`` when new), locked: id, stamp."""
    c.execute(
        "INSERT INTO todoku.history_accounts (provider, account, subuser, region, practice,"
        " connection) VALUES (%s,%s,%s,%s,%s,%s) ON CONFLICT DO NOTHING",
        (*key, stamp),
    )
    row = c.execute(
        "SELECT id, connection FROM todoku.history_accounts WHERE provider=%s AND account=%s"
        " AND subuser=%s AND region=%s AND practice=%s FOR UPDATE",
        key,
    ).fetchone()
    return int(row[0]), row[1]


def _returned_rows(cursor: psycopg.Cursor[Any]) -> int:
    """Rows an ``executemany(..., returning=True)`` inserted (one result set per row given).

    No row given means no result set at all, where ``fetchall`` raises "no result available":
    a history without a single 再発 (or without entries) could not be moved.
    """
    count = 0
    while cursor.pgresult is not None:
        count += len(cursor.fetchall())
        if not cursor.nextset():
            break
    return count
