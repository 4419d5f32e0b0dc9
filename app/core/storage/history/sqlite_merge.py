"""One fetch merged into the SQLite history: 新着, 再発, 他所で削除 and coverage."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import asdict
from typing import Any

from app.core.storage.history.account_fold import Dialect
from app.core.storage.history.connection_switch import check_connection
from app.core.storage.history.interface import (
    LIST_CODE,
    AccountKey,
    FetchSummary,
    FetchWrite,
    reason_to_template,
)
from app.core.storage.history.merge_plan import (
    Stored,
    joined_window,
    newest_created,
    plan_merge,
)
from app.core.storage.history.relistings import relistings
from app.core.storage.history.stored_rows import epoch_seconds
from app.core.types import Explanation


class FetchMerge:
    """One fetch merged into history inside the caller's transaction."""

    def __init__(self, connection: sqlite3.Connection, write: FetchWrite) -> None:
        self.c = connection
        self.w = write
        self.now = epoch_seconds(write.fetched_at)
        self.text_ids: dict[str, int] = {}
        self.explanation_ids: dict[str, int] = {}

    def run(self) -> FetchSummary:
        w, c = self.w, self.c
        account_id = self._account()
        fetch_id = int(
            c.execute(
                "INSERT INTO fetches (account_id, fetched_at, range_start, range_end, full, lists,"
                " entries, new, requests) VALUES (?,?,?,?,?,?,?,0,?)",
                (
                    account_id,
                    self.now,
                    w.range_start,
                    w.range_end,
                    int(w.full),
                    ",".join(kind.value for kind in w.lists),
                    len(w.entries),
                    w.requests,
                ),
            ).lastrowid
            or 0
        )
        gone_todoku = self._apply_deletions(account_id)
        incoming = self._stage(account_id)
        new = self._merge(account_id, fetch_id, incoming)
        returned = self._record_returns(account_id)
        gone_elsewhere = self._mark_missing(account_id)
        self._update_coverage(account_id)
        c.execute("UPDATE fetches SET new=? WHERE id=?", (new, fetch_id))
        c.execute("DROP TABLE temp.incoming")
        return FetchSummary(fetch_id, new, returned, gone_elsewhere, gone_todoku)

    def _account(self) -> int:
        key = account_tuple(self.w.account)
        self.c.execute(
            "INSERT OR IGNORE INTO accounts (provider, account, subuser, region, practice)"
            " VALUES (?,?,?,?,?)",
            key,
        )
        row = self.c.execute(
            "SELECT id FROM accounts WHERE provider=? AND account=? AND subuser=? AND region=?"
            " AND practice=?",
            key,
        ).fetchone()
        check_connection(self.c, SQLITE_DIALECT, int(row[0]), self.w.connection)
        return int(row[0])

    def _text_id(self, text: str) -> int:
        found = self.text_ids.get(text)
        if found is None:
            row = self.c.execute("SELECT id FROM texts WHERE text=?", (text,)).fetchone()
            if row is None:
                found = int(
                    self.c.execute("INSERT INTO texts (text) VALUES (?)", (text,)).lastrowid or 0
                )
            else:
                found = int(row[0])
            self.text_ids[text] = found
        return found

    def _explanation_id(self, explanation: Explanation) -> int:
        body = json.dumps(asdict(explanation), ensure_ascii=False, sort_keys=True)
        found = self.explanation_ids.get(body)
        if found is None:
            row = self.c.execute("SELECT id FROM explanations WHERE body=?", (body,)).fetchone()
            if row is None:
                found = int(
                    self.c.execute(
                        "INSERT INTO explanations (category, label, body) VALUES (?,?,?)",
                        (explanation.category, explanation.label_ja, body),
                    ).lastrowid
                    or 0
                )
            else:
                found = int(row[0])
            self.explanation_ids[body] = found
        return found

    def _apply_deletions(self, account_id: int) -> int:
        """Close rows the journal says Todoku deleted after the fetch that last saw them."""
        rows = [
            (
                epoch_seconds(d.deleted_at),
                account_id,
                LIST_CODE[d.list_kind],
                d.email,
                epoch_seconds(d.deleted_at),
            )
            for d in self.w.deletions
        ]
        before = self.c.total_changes
        self.c.executemany(
            "UPDATE entries SET gone_by='todoku', gone_at=? WHERE account_id=? AND list=?"
            " AND email=? COLLATE NOCASE AND gone_at IS NULL AND last_seen <= ?",
            rows,
        )
        return self.c.total_changes - before

    def _stage(self, account_id: int) -> list[tuple[Any, ...]]:
        """The fetched entries as rows, also copied into temp.incoming for set-based steps."""
        w = self.w
        explanations = w.explanations
        staged: list[tuple[Any, ...]] = []
        for index, entry in enumerate(w.entries):
            explanation_id = (
                self._explanation_id(explanations[index]) if explanations is not None else None
            )
            staged.append(
                (
                    LIST_CODE[entry.list_kind],
                    entry.email,
                    epoch_seconds(entry.created),
                    self._text_id(entry.domain),
                    self._text_id(entry.status),
                    self._text_id(reason_to_template(entry.reason, entry.email)),
                    self._text_id(entry.ip),
                    explanation_id,
                )
            )
        self.c.execute("DROP TABLE IF EXISTS temp.incoming")
        self.c.execute(
            "CREATE TEMP TABLE incoming (list INTEGER, email TEXT, created INTEGER,"
            " domain_id INTEGER, status_id INTEGER, reason_id INTEGER, ip_id INTEGER,"
            " explanation_id INTEGER)"
        )
        self.c.executemany("INSERT INTO temp.incoming VALUES (?,?,?,?,?,?,?,?)", staged)
        self.c.execute("CREATE INDEX temp.incoming_key ON incoming (list, email COLLATE NOCASE)")
        del account_id
        return staged

    def _merge(self, account_id: int, fetch_id: int, staged: list[tuple[Any, ...]]) -> int:
        existing: Stored = {}
        for row_id, code, email, created, gone_by in self.c.execute(
            # CROSS JOIN keeps the fetched rows as the outer loop: with a plain JOIN the
            # planner scanned every entry of history when the tail was small (0.2 s per
            # million rows for an incremental fetch that returned nothing).
            "SELECT e.id, e.list, e.email, e.created, e.gone_by FROM temp.incoming i"
            " CROSS JOIN entries e ON e.account_id=? AND e.list=i.list"
            " AND e.email=i.email COLLATE NOCASE",
            (account_id,),
        ):
            existing[(code, email.lower())] = (row_id, created, gone_by)
        plan = plan_merge(staged, existing, account_id, fetch_id, self.now)
        self.c.executemany(
            "INSERT INTO entries (account_id, list, email, created, domain_id, status_id,"
            " reason_id, ip_id, explanation_id, first_seen, last_seen, listed_fetch)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            plan.inserts,
        )
        self.c.executemany(
            "UPDATE entries SET email=?, created=?, domain_id=?, status_id=?, reason_id=?,"
            " ip_id=?, explanation_id=?, last_seen=?, listed_fetch=?, gone_by=NULL,"
            " gone_at=NULL WHERE id=?",
            plan.relisted,
        )
        self.c.executemany(
            "UPDATE entries SET status_id=?, reason_id=?, ip_id=?, explanation_id=?, last_seen=?"
            " WHERE id=?",
            plan.seen,
        )
        return len(plan.inserts) + len(plan.relisted)

    def _record_returns(self, account_id: int) -> int:
        """再発: each Todoku deletion of an address later listed again on the same list
        (``relistings``)."""
        rows = [
            (account_id, code, email, deleted_at, returned_at, self._text_id(template), self.now)
            for code, email, deleted_at, returned_at, template in relistings(self.w)
        ]
        before = self.c.total_changes
        self.c.executemany(
            "INSERT OR IGNORE INTO returns (account_id, list, email, deleted_at, returned_at,"
            " reason_id, noticed_at) VALUES (?,?,?,?,?,?,?)",
            rows,
        )
        return self.c.total_changes - before

    def _mark_missing(self, account_id: int) -> int:
        """他所で削除: rows inside a window the provider was fully asked for, but not returned."""
        before = self.c.total_changes
        for kind in self.w.lists:
            start = self.w.asked_start.get(kind, self.w.range_start)
            self.c.execute(
                "UPDATE entries SET gone_by='elsewhere', gone_at=? WHERE account_id=? AND list=?"
                " AND created BETWEEN ? AND ? AND gone_at IS NULL AND NOT EXISTS (SELECT 1 FROM"
                " temp.incoming i WHERE i.list=entries.list AND i.email=entries.email"
                " COLLATE NOCASE)",
                (self.now, account_id, LIST_CODE[kind], start, self.w.range_end),
            )
        return self.c.total_changes - before

    def _update_coverage(self, account_id: int) -> None:
        newest = newest_created(self.w)
        for kind in self.w.lists:
            code = LIST_CODE[kind]
            row = self.c.execute(
                "SELECT start_time, end_time, high_water FROM coverage"
                " WHERE account_id=? AND list=?",
                (account_id, code),
            ).fetchone()
            start, end, high = joined_window(row, self.w, kind, newest)
            self.c.execute(
                "INSERT OR REPLACE INTO coverage (account_id, list, start_time, end_time,"
                " high_water) VALUES (?,?,?,?,?)",
                (account_id, code, start, end, high),
            )


def account_tuple(account: AccountKey) -> tuple[str, str, str, str, int]:
    return (
        account.provider,
        account.account,
        account.subuser,
        account.region,
        int(account.practice),
    )


# How the statements shared with PostgreSQL (account_fold.py, connection_switch.py) are spelt.
SQLITE_DIALECT = Dialect(
    mark="?",
    accounts="accounts",
    entries="entries",
    returns="returns",
    coverage="coverage",
    fetches="fetches",
    insert_ignore="INSERT OR IGNORE INTO",
    ignore_tail="",
    lock="",
    same_email="{a}.email = {b}.email COLLATE NOCASE",  # as the unique indexes compare them
    key=account_tuple,
)
