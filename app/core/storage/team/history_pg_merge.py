"""One fetch merged into the shared history: 新着, 再発, 他所で削除 and coverage."""

from __future__ import annotations

import json
from collections.abc import Iterable
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
from app.core.storage.team.history_pg_texts import text_ids
from app.core.storage.team.pg_text import pg_text
from app.core.types import Explanation


class FetchMerge:
    """One fetch merged into history inside the caller's transaction (as the SQLite store)."""

    def __init__(self, connection: Any, write: FetchWrite) -> None:
        self.c = connection
        self.w = write
        self.now = epoch_seconds(write.fetched_at)

    def run(self) -> FetchSummary:
        w, c = self.w, self.c
        account_id = self._account()
        fetch_id = int(
            c.execute(
                "INSERT INTO todoku.history_fetches (account_id, fetched_at, range_start,"
                " range_end, full_pass, lists, entries, new, requests)"
                " VALUES (%s,%s,%s,%s,%s,%s,%s,0,%s) RETURNING id",
                (
                    account_id,
                    self.now,
                    w.range_start,
                    w.range_end,
                    w.full,
                    ",".join(kind.value for kind in w.lists),
                    len(w.entries),
                    w.requests,
                ),
            ).fetchone()[0]
        )
        gone_todoku = self._apply_deletions(account_id)
        staged = self._stage()
        new = self._merge(account_id, fetch_id, staged)
        returned = self._record_returns(account_id)
        gone_elsewhere = self._mark_missing(account_id, staged)
        self._update_coverage(account_id)
        c.execute("UPDATE todoku.history_fetches SET new=%s WHERE id=%s", (new, fetch_id))
        return FetchSummary(fetch_id, new, returned, gone_elsewhere, gone_todoku)

    def _account(self) -> int:
        key = account_tuple(self.w.account)
        self.c.execute(
            "INSERT INTO todoku.history_accounts (provider, account, subuser, region, practice)"
            " VALUES (%s,%s,%s,%s,%s) ON CONFLICT DO NOTHING",
            key,
        )
        # The row lock serialises two operators' merges of the same account.
        row = self.c.execute(
            "SELECT id FROM todoku.history_accounts WHERE provider=%s AND account=%s"
            " AND subuser=%s AND region=%s AND practice=%s FOR UPDATE",
            key,
        ).fetchone()
        check_connection(self.c, POSTGRES_DIALECT, int(row[0]), self.w.connection)
        return int(row[0])

    def _text_ids(self, texts: Iterable[str]) -> dict[str, int]:
        return text_ids(self.c, texts)

    def _explanation_ids(self, explanations: Iterable[Explanation]) -> dict[str, int]:
        bodies: dict[str, Explanation] = {
            json.dumps(asdict(x), ensure_ascii=False, sort_keys=True): x for x in explanations
        }
        if not bodies:
            return {}
        keys = sorted(bodies)
        self.c.execute(
            "INSERT INTO todoku.history_explanations (category, label, body)"
            " SELECT * FROM unnest(%s::text[], %s::text[], %s::text[]) ORDER BY 3"
            " ON CONFLICT (body) DO NOTHING",
            ([bodies[k].category for k in keys], [bodies[k].label_ja for k in keys], keys),
        )
        rows = self.c.execute(
            "SELECT body, id FROM todoku.history_explanations WHERE body = ANY(%s)", (keys,)
        ).fetchall()
        return {str(r[0]): int(r[1]) for r in rows}

    def _apply_deletions(self, account_id: int) -> int:
        """Close rows the journal says Todoku deleted after the fetch that last saw them."""
        deletions = self.w.deletions
        if not deletions:
            return 0
        # Per row, the earliest deletion at or after the fetch that last saw it (the SQLite
        # store applies them oldest first; the first that matches closes the row).
        cursor = self.c.execute(
            "UPDATE todoku.history_entries e SET gone_by='todoku', gone_at=d.at"
            " FROM (SELECT x.id, min(v.at) AS at FROM todoku.history_entries x"
            " JOIN unnest(%s::smallint[], %s::text[], %s::bigint[]) AS v(list, email, at)"
            " ON x.list = v.list AND lower(x.email) = v.email"
            " WHERE x.account_id=%s AND x.gone_at IS NULL AND x.last_seen <= v.at"
            " GROUP BY x.id) AS d WHERE e.id = d.id",
            (
                [LIST_CODE[d.list_kind] for d in deletions],
                [d.email.lower() for d in deletions],
                [epoch_seconds(d.deleted_at) for d in deletions],
                account_id,
            ),
        )
        return int(cursor.rowcount)

    def _stage(self) -> list[tuple[Any, ...]]:
        w = self.w
        explanation_ids: dict[str, int] = {}
        bodies: list[str | None] = []
        if w.explanations is not None:
            explanation_ids = self._explanation_ids(w.explanations)
            bodies = [
                json.dumps(asdict(x), ensure_ascii=False, sort_keys=True) for x in w.explanations
            ]
        templates = [reason_to_template(e.reason, e.email) for e in w.entries]
        ids = self._text_ids(
            [*(e.domain for e in w.entries), *(e.status for e in w.entries), *templates,
             *(e.ip for e in w.entries)]
        )  # fmt: skip
        staged: list[tuple[Any, ...]] = []
        for index, entry in enumerate(w.entries):
            body = bodies[index] if bodies else None
            staged.append(
                (
                    LIST_CODE[entry.list_kind],
                    pg_text(entry.email),  # as stored: matched against the rows read back
                    epoch_seconds(entry.created),
                    ids[entry.domain],
                    ids[entry.status],
                    ids[templates[index]],
                    ids[entry.ip],
                    explanation_ids[body] if body is not None else None,
                )
            )
        return staged

    def _merge(self, account_id: int, fetch_id: int, staged: list[tuple[Any, ...]]) -> int:
        existing: Stored = {}
        if staged:
            for row_id, code, email, created, gone_by in self.c.execute(
                "SELECT e.id, e.list, e.email, e.created, e.gone_by FROM todoku.history_entries e"
                " JOIN unnest(%s::smallint[], %s::text[]) AS i(list, email)"
                " ON e.list = i.list AND lower(e.email) = i.email WHERE e.account_id=%s",
                ([s[0] for s in staged], [s[1].lower() for s in staged], account_id),
            ).fetchall():
                existing[(int(code), str(email).lower())] = (int(row_id), int(created), gone_by)
        plan = plan_merge(staged, existing, account_id, fetch_id, self.now)
        inserts, relisted, seen = plan.inserts, plan.relisted, plan.seen
        with self.c.cursor() as cursor:
            if inserts:
                cursor.executemany(
                    "INSERT INTO todoku.history_entries (account_id, list, email, created,"
                    " domain_id, status_id, reason_id, ip_id, explanation_id, first_seen,"
                    " last_seen, listed_fetch) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)",
                    inserts,
                )
            if relisted:
                cursor.executemany(
                    "UPDATE todoku.history_entries SET email=%s, created=%s, domain_id=%s,"
                    " status_id=%s, reason_id=%s, ip_id=%s, explanation_id=%s, last_seen=%s,"
                    " listed_fetch=%s, gone_by=NULL, gone_at=NULL WHERE id=%s",
                    relisted,
                )
            if seen:
                cursor.executemany(
                    "UPDATE todoku.history_entries SET status_id=%s, reason_id=%s, ip_id=%s,"
                    " explanation_id=%s, last_seen=%s WHERE id=%s",
                    seen,
                )
        return len(inserts) + len(relisted)

    def _record_returns(self, account_id: int) -> int:
        """再発: each Todoku deletion of an address later listed again on the same list
        (``relistings``, as the SQLite store)."""
        rows = relistings(self.w)
        if not rows:
            return 0
        ids = self._text_ids(row[4] for row in rows)
        cursor = self.c.execute(
            "INSERT INTO todoku.history_returns (account_id, list, email, deleted_at,"
            " returned_at, reason_id, noticed_at) SELECT %s, * , %s FROM unnest(%s::smallint[],"
            " %s::text[], %s::bigint[], %s::bigint[], %s::bigint[]) ON CONFLICT DO NOTHING",
            (
                account_id,
                self.now,
                [r[0] for r in rows],
                [r[1] for r in rows],
                [r[2] for r in rows],
                [r[3] for r in rows],
                [ids[r[4]] for r in rows],
            ),
        )
        return int(cursor.rowcount)

    def _mark_missing(self, account_id: int, staged: list[tuple[Any, ...]]) -> int:
        """他所で削除: rows inside a window the provider was fully asked for, but not returned."""
        marked = 0
        for kind in self.w.lists:
            code = LIST_CODE[kind]
            start = self.w.asked_start.get(kind, self.w.range_start)
            returned = sorted({s[1].lower() for s in staged if s[0] == code})
            cursor = self.c.execute(
                "UPDATE todoku.history_entries SET gone_by='elsewhere', gone_at=%s"
                " WHERE account_id=%s AND list=%s AND created BETWEEN %s AND %s"
                " AND gone_at IS NULL AND NOT (lower(email) = ANY(%s))",
                (self.now, account_id, code, start, self.w.range_end, returned),
            )
            marked += int(cursor.rowcount)
        return marked

    def _update_coverage(self, account_id: int) -> None:
        newest = newest_created(self.w)
        for kind in self.w.lists:
            code = LIST_CODE[kind]
            row = self.c.execute(
                "SELECT start_time, end_time, high_water FROM todoku.history_coverage"
                " WHERE account_id=%s AND list=%s",
                (account_id, code),
            ).fetchone()
            start, end, high = joined_window(row, self.w, kind, newest)
            self.c.execute(
                "INSERT INTO todoku.history_coverage (account_id, list, start_time, end_time,"
                " high_water) VALUES (%s,%s,%s,%s,%s) ON CONFLICT (account_id, list) DO UPDATE"
                " SET start_time=EXCLUDED.start_time, end_time=EXCLUDED.end_time,"
                " high_water=EXCLUDED.high_water",
                (account_id, code, start, end, high),
            )


def account_tuple(account: AccountKey) -> tuple[str, str, str, str, bool]:
    return (account.provider, account.account, account.subuser, account.region, account.practice)


# How the statements shared with SQLite (account_fold.py, connection_switch.py) are spelt.
POSTGRES_DIALECT = Dialect(
    mark="%s",
    accounts="todoku.history_accounts",
    entries="todoku.history_entries",
    returns="todoku.history_returns",
    coverage="todoku.history_coverage",
    fetches="todoku.history_fetches",
    insert_ignore="INSERT INTO",
    ignore_tail=" ON CONFLICT DO NOTHING",
    lock=" FOR UPDATE",
    same_email="lower({a}.email) = lower({b}.email)",  # as the unique indexes compare them
    key=account_tuple,
)
