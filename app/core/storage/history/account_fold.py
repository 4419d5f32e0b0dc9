"""Rows of an account filed under an older key moved under its current key, in the caller's
transaction: the same statements for SQLite and PostgreSQL (``Dialect`` says how they differ).

Why and which keys: ``app/core/history/account_region.py``. What the fold keeps:

* entries: the union; an address both keys hold on the same list keeps the row seen last (its
  newest knowledge: listing, 他所で削除 / Todoku で削除 mark), first seen when either first saw
  it, and, when both rows are the same listing (same ``created``), the earlier fetch that
  listed it: a listing one key knew is not 新着 because the other saw it later;
* fetches and 再発 records: all of them (a 再発 both hold is kept once), so the latest fetch of
  either history decides 新着 afterwards;
* coverage: a list only one key had keeps its window; a list both had loses it, so the next
  fetch of that list is a full pass. Each window was complete for its own rows only; joined,
  a row one key saw and the other later missed would stay listed, never marked 他所で削除.

The older account row is deleted at the end; a second fold finds nothing to do.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from app.core.storage.history.interface import AccountKey


@dataclass(frozen=True, slots=True)
class Dialect:
    mark: str  # the parameter placeholder
    accounts: str
    entries: str
    returns: str
    coverage: str
    fetches: str
    insert_ignore: str  # INSERT … that leaves an existing row alone: "{table} (cols) VALUES"
    ignore_tail: str
    lock: str  # appended to a SELECT of account rows: holds them until the transaction ends
    same_email: str  # {a} and {b} name one address (compared as the unique index does)
    key: Callable[[AccountKey], tuple[Any, ...]]  # the key as the accounts table stores it


_WHERE_KEY = "provider=? AND account=? AND subuser=? AND region=? AND practice=?"


def fold_accounts(c: Any, d: Dialect, account: AccountKey, older: Sequence[AccountKey]) -> int:
    """Move every row of the ``older`` keys under ``account``; how many older keys held rows."""

    def run(sql: str, parameters: Sequence[Any] = ()) -> Any:
        return c.execute(sql.replace("?", d.mark), parameters)

    def find(key: AccountKey) -> int | None:
        row = run(f"SELECT id FROM {d.accounts} WHERE {_WHERE_KEY}{d.lock}", d.key(key)).fetchone()
        return None if row is None else int(row[0])

    sources = [found for found in map(find, older) if found is not None]
    if not sources:
        return 0
    run(
        f"{d.insert_ignore} {d.accounts} (provider, account, subuser, region, practice)"
        f" VALUES (?,?,?,?,?){d.ignore_tail}",
        d.key(account),
    )
    target = find(account)
    assert target is not None  # inserted just now, or there already
    for source in sources:
        _fold(run, d, source, target)
    return len(sources)


def _fold(run: Callable[..., Any], d: Dialect, source: int, target: int) -> None:
    same = d.same_email.format(a="t", b="s")
    both = f"t.account_id=? AND t.list=s.list AND {same}"
    # First seen and the fetch that listed the same listing: the earlier of the two rows, on
    # both (whichever stays).
    twin = f"o.account_id=? AND o.list=k.list AND {d.same_email.format(a='o', b='k')}"
    for kept, other in ((source, target), (target, source)):
        run(
            f"UPDATE {d.entries} AS k SET first_seen = COALESCE((SELECT o.first_seen FROM"
            f" {d.entries} AS o WHERE {twin} AND o.first_seen < k.first_seen), k.first_seen),"
            f" listed_fetch = COALESCE((SELECT o.listed_fetch FROM {d.entries} AS o WHERE {twin}"
            " AND o.created = k.created AND o.listed_fetch < k.listed_fetch), k.listed_fetch)"
            " WHERE k.account_id=?",
            (other, other, kept),
        )
    # An address both hold: the row seen last stays (the target's on a tie).
    run(
        f"DELETE FROM {d.entries} AS s WHERE s.account_id=? AND EXISTS (SELECT 1 FROM"
        f" {d.entries} AS t WHERE {both} AND t.last_seen >= s.last_seen)",
        (source, target),
    )
    run(
        f"DELETE FROM {d.entries} AS t WHERE t.account_id=? AND EXISTS (SELECT 1 FROM"
        f" {d.entries} AS s WHERE s.account_id=? AND s.list=t.list AND {same})",
        (target, source),
    )
    run(f"UPDATE {d.entries} SET account_id=? WHERE account_id=?", (target, source))
    run(
        f"DELETE FROM {d.returns} AS s WHERE s.account_id=? AND EXISTS (SELECT 1 FROM"
        f" {d.returns} AS t WHERE {both} AND t.deleted_at = s.deleted_at)",
        (source, target),
    )
    run(f"UPDATE {d.returns} SET account_id=? WHERE account_id=?", (target, source))
    shared = [
        int(row[0])
        for row in run(
            f"SELECT s.list FROM {d.coverage} AS s JOIN {d.coverage} AS t ON t.list = s.list"
            " WHERE s.account_id=? AND t.account_id=?",
            (source, target),
        ).fetchall()
    ]
    for code in shared:
        run(
            f"DELETE FROM {d.coverage} WHERE account_id IN (?,?) AND list=?",
            (source, target, code),
        )
    run(f"UPDATE {d.coverage} SET account_id=? WHERE account_id=?", (target, source))
    run(f"UPDATE {d.fetches} SET account_id=? WHERE account_id=?", (target, source))
    run(f"DELETE FROM {d.accounts} WHERE id=?", (source,))
