"""An account's history tied to the connection it was fetched with, in the caller's transaction:
the same statements for SQLite and PostgreSQL (``account_fold.Dialect`` says how they differ).

Each account row carries the stamp of its connection (``connection``: endpoint and
credentials, digested: app/core/history/connection_stamp.py). When a fetch comes with another
stamp, the account's rows are another provider account's: merged with this fetch they would
be shown as its rows (an incremental fetch asks only for the tail) and a full pass would mark
every one of them 他所で削除. So the row is renamed to ``parked_key(account, its stamp)``
(entries, coverage, fetches and 再発 follow its id) and the account starts empty, or gets back
the history this stamp had before it was set aside. Nothing is deleted.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from app.core.storage.history.account_fold import Dialect, fold_accounts
from app.core.storage.history.interface import (
    AccountKey,
    ConnectionSwitch,
    HistoryConnectionChangedError,
    parked_key,
)

_WHERE_KEY = "provider=? AND account=? AND subuser=? AND region=? AND practice=?"


def switch_connection(c: Any, d: Dialect, account: AccountKey, connection: str) -> ConnectionSwitch:
    """Make ``account``'s rows the ones fetched with ``connection``; what was found."""

    def run(sql: str, parameters: Sequence[Any] = ()) -> Any:
        return c.execute(sql.replace("?", d.mark), parameters)

    found = _row(run, d, account)
    if found is not None:
        current_id, current = found
        if current == connection:
            return ConnectionSwitch.SAME
        if current is None:
            # Fetched before stamps existed: nothing tells whose rows they are. Taken as this
            # connection's (the connection it was used with, unless it changed in the very
            # upgrade); docs/history.md, "Connection identity".
            run(f"UPDATE {d.accounts} SET connection=? WHERE id=?", (connection, current_id))
            return ConnectionSwitch.ADOPTED
        _park(run, c, d, account, current_id, current)
    aside = parked_key(account, connection)
    back = _row(run, d, aside)
    if back is not None and back[1] == connection:
        run(f"UPDATE {d.accounts} SET account=? WHERE id=?", (account.account, back[0]))
        return ConnectionSwitch.RESTORED
    # The account row now, with this stamp: a fetch of the previous connection still running
    # finds it taken when it records (``check_connection``), instead of recreating the row.
    run(
        f"{d.insert_ignore} {d.accounts} (provider, account, subuser, region, practice,"
        f" connection) VALUES (?,?,?,?,?,?){d.ignore_tail}",
        (*d.key(account), connection),
    )
    return ConnectionSwitch.FIRST if found is None else ConnectionSwitch.CHANGED


def check_connection(c: Any, d: Dialect, account_id: int, connection: str | None) -> None:
    """In ``record_fetch``, with the account row locked: the fetch's stamp is the account's (a
    new row, or one from before stamps, takes it); else another connection took the account
    while this fetch ran, and its rows are not this fetch's to merge with."""
    if connection is None:
        return
    row = c.execute(
        f"SELECT connection FROM {d.accounts} WHERE id={d.mark}", (account_id,)
    ).fetchone()
    if row[0] is None:
        c.execute(
            f"UPDATE {d.accounts} SET connection={d.mark} WHERE id={d.mark}",
            (connection, account_id),
        )
    elif row[0] != connection:
        raise HistoryConnectionChangedError(
            detail="the account's history belongs to another connection now"
        )


def _row(run: Callable[..., Any], d: Dialect, key: AccountKey) -> tuple[int, str | None] | None:
    row = run(
        f"SELECT id, connection FROM {d.accounts} WHERE {_WHERE_KEY}{d.lock}", d.key(key)
    ).fetchone()
    return None if row is None else (int(row[0]), row[1])


def _park(
    run: Callable[..., Any], c: Any, d: Dialect, account: AccountKey, row_id: int, stamp: str
) -> None:
    aside = parked_key(account, stamp)
    if _row(run, d, aside) is None:
        run(f"UPDATE {d.accounts} SET account=? WHERE id=?", (aside.account, row_id))
    else:
        # Only after a PC's history was moved onto a shared one that had set this connection
        # aside already: the same connection's rows, united as older spellings are.
        fold_accounts(c, d, aside, [account])
