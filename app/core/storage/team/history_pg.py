"""The fetch history on the team's PostgreSQL server: issue 15's ``HistoryStorage`` Protocol.

A port of the SQLite store (``history/sqlite_store.py``) with the same rules, so a team shares
one history, its 新着 / 他所で削除 marks and its 再発 flags:

* Rows are merged per fetch in one transaction. Two operators fetching the same account at once
  are serialised by a row lock on the account (``SELECT … FOR UPDATE``), so coverage and
  high-water marks never interleave.
* Texts and explanations are stored once (``INSERT … ON CONFLICT DO NOTHING`` then a look-up),
  safe when two operators add the same text together.
* Addresses compare case-insensitively through ``lower(email)`` (SQLite: ``COLLATE NOCASE``).
* Trend buckets are JST months and ISO weeks (Monday), as in SQLite.

History rows are not audit rows: the app may update and delete them (erase, retention).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from app.core.storage.history.interface import (
    LIST_CODE,
    LIST_CODES,
    AccountKey,
    BucketCount,
    Coverage,
    FetchSummary,
    FetchWrite,
    GoneBy,
    HistoryDiskFullError,
    HistoryError,
    HistoryRecovered,
    HistoryRows,
    HistorySchemaTooNewError,
    HistoryStorage,
    Recurrence,
    Return,
    TrendBucket,
    TrendKey,
    reason_to_template,
)
from app.core.storage.history.stored_rows import (
    RETURN_COLUMNS,
    epoch_seconds,
    gone_from_row,
    recurrences_from_rows,
    return_from_row,
)
from app.core.storage.journal_records import JournalError, JournalSchemaTooNewError
from app.core.storage.team.connection import SharedDatabase, pg_connections, run_reconnecting
from app.core.storage.team.migrate import check_version
from app.core.types import Explanation, ListKind

_T = TypeVar("_T")
_JST = "'Asia/Tokyo'"
_BUCKET_SQL = {
    TrendBucket.MONTH: f"to_char(to_timestamp(e.created) AT TIME ZONE {_JST}, 'YYYY-MM')",
    TrendBucket.WEEK: (
        f"to_char(date_trunc('week', to_timestamp(e.created) AT TIME ZONE {_JST}), 'YYYY-MM-DD')"
    ),
}


@dataclass(frozen=True, slots=True)
class HistorySnapshot:
    """A local SQLite history's raw rows (ids are the file's own), for ``import_snapshot``."""

    accounts: tuple[tuple[Any, ...], ...]  # (id, provider, account, subuser, region, practice)
    texts: dict[int, str]
    explanations: dict[int, tuple[str, str, str]]  # id → (category, label, body)
    entries: tuple[tuple[Any, ...], ...]  # account_id … gone_at, as the file's entries table
    coverage: tuple[tuple[Any, ...], ...]
    returns: tuple[tuple[Any, ...], ...]


class PostgresHistoryStore:
    """``HistoryStorage`` on a shared PostgreSQL database. Safe to use from several threads."""

    def __init__(
        self,
        database: SharedDatabase,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        import psycopg

        self._psycopg = psycopg
        self.database = database
        self._conninfo = database.conninfo()
        self._clock = clock
        self._connections = pg_connections(self._conninfo)
        self.recovery_notice: HistoryRecovered | None = None  # a server is never moved aside
        try:
            self._version = self._run(lambda c: check_version(c, database.label))
        except BaseException:  # e.g. a schema newer than this app: nobody will close us
            self.close()
            raise

    # -- connections ---------------------------------------------------------------------------

    def _connection(self) -> Any:
        return self._connections.get()

    def close(self) -> None:
        self._connections.close_all()

    def _run(self, work: Callable[[Any], _T], *, write: bool = False) -> _T:
        psycopg = self._psycopg
        label = self.database.label
        try:
            return run_reconnecting(self._connections, work, write=write)
        except JournalSchemaTooNewError as error:
            raise HistorySchemaTooNewError(
                "共有データベースの取得履歴が新しい版の Todoku で更新されているため、使えません。",
                detail=error.detail,
            ) from None
        except JournalError as error:  # schema absent or older: the administrator upgrades
            raise HistoryError(
                error.message_ja, next_step_ja=error.next_step_ja, detail=error.detail
            ) from None
        except psycopg.errors.DiskFull as error:
            raise HistoryDiskFullError(detail=f"{label}: {error}") from None
        except psycopg.OperationalError as error:
            raise HistoryError(
                "共有データベースに接続できないため、取得履歴を読み書きできませんでした。",
                detail=f"{label}: {type(error).__name__}: {str(error).strip()}",
            ) from None
        except psycopg.Error as error:
            raise HistoryError(
                detail=f"{label}: {type(error).__name__}: {str(error).strip()}"
            ) from None

    def _read(self, sql: str, parameters: Sequence[object] = ()) -> list[Any]:
        return self._run(lambda c: c.execute(sql, parameters).fetchall())

    def schema_version(self) -> int:
        return self._version

    # -- accounts ------------------------------------------------------------------------------

    def _account_id(self, account: AccountKey) -> int | None:
        rows = self._read(
            "SELECT id FROM todoku.history_accounts WHERE provider=%s AND account=%s"
            " AND subuser=%s AND region=%s AND practice=%s",
            _account_tuple(account),
        )
        return int(rows[0][0]) if rows else None

    def accounts(self) -> tuple[AccountKey, ...]:
        rows = self._read(
            "SELECT provider, account, subuser, region, practice FROM todoku.history_accounts"
            " ORDER BY id"
        )
        return tuple(AccountKey(r[0], r[1], r[2], r[3], bool(r[4])) for r in rows)

    # -- fetch bookkeeping ---------------------------------------------------------------------

    def coverage(self, account: AccountKey, lists: Iterable[ListKind]) -> dict[ListKind, Coverage]:
        account_id = self._account_id(account)
        if account_id is None:
            return {}
        wanted = {LIST_CODE[kind] for kind in lists}
        rows = self._read(
            "SELECT list, start_time, end_time, high_water FROM todoku.history_coverage"
            " WHERE account_id=%s",
            (account_id,),
        )
        return {
            LIST_CODES[r[0]]: Coverage(LIST_CODES[r[0]], int(r[1]), int(r[2]), int(r[3]))
            for r in rows
            if r[0] in wanted
        }

    def record_fetch(self, write: FetchWrite) -> FetchSummary:
        return self._run(lambda connection: _Merge(connection, write).run(), write=True)

    def open_range(
        self, account: AccountKey, start: int, end: int, lists: Iterable[ListKind]
    ) -> HistoryRows:
        account_id = self._account_id(account)
        if account_id is None:
            return HistoryRows([], {}, {}, 0)
        codes = sorted({LIST_CODE[kind] for kind in lists})
        rows = self._read(
            # The StoredRow fields (interface.py), domain_id last: the grid reads domains
            # from it without decoding rows.
            "SELECT list, email, created, status_id, reason_id, explanation_id, first_seen,"
            " last_seen, listed_fetch, domain_id FROM todoku.history_entries WHERE account_id=%s"
            " AND created BETWEEN %s AND %s AND gone_at IS NULL AND list = ANY(%s)",
            (account_id, start, end, codes),
        )
        text_ids = {row[3] for row in rows} | {row[4] for row in rows} | {row[9] for row in rows}
        explanation_ids = {row[5] for row in rows if row[5] is not None}
        latest = self._read(
            "SELECT max(id) FROM todoku.history_fetches WHERE account_id=%s", (account_id,)
        )
        return HistoryRows(
            rows,
            self._texts(text_ids),
            self._explanations(explanation_ids),
            int(latest[0][0] or 0),
        )

    def _texts(self, ids: Iterable[int]) -> dict[int, str]:
        wanted = sorted(ids)
        if not wanted:
            return {}
        rows = self._read("SELECT id, text FROM todoku.history_texts WHERE id = ANY(%s)", (wanted,))
        return {int(r[0]): str(r[1]) for r in rows}

    def _explanations(self, ids: Iterable[int]) -> dict[int, Explanation]:
        wanted = sorted(ids)
        if not wanted:
            return {}
        rows = self._read(
            "SELECT id, body FROM todoku.history_explanations WHERE id = ANY(%s)", (wanted,)
        )
        return {int(r[0]): Explanation(**json.loads(r[1])) for r in rows}

    def gone_in_range(
        self, account: AccountKey, start: int, end: int, lists: Iterable[ListKind]
    ) -> list[tuple[ListKind, str, GoneBy, datetime]]:
        account_id = self._account_id(account)
        if account_id is None:
            return []
        codes = sorted({LIST_CODE[kind] for kind in lists})
        rows = self._read(
            "SELECT list, email, gone_by, gone_at FROM todoku.history_entries WHERE account_id=%s"
            " AND created BETWEEN %s AND %s AND gone_at IS NOT NULL AND list = ANY(%s)"
            " ORDER BY gone_at, email",
            (account_id, start, end, codes),
        )
        return [gone_from_row(r) for r in rows]

    # -- 再発 ----------------------------------------------------------------------------------

    _RETURN_SELECT = (
        f"SELECT {RETURN_COLUMNS}"
        " FROM todoku.history_returns r JOIN todoku.history_texts t ON t.id = r.reason_id"
    )

    def recurrences(
        self, account: AccountKey, emails: Iterable[str] | None = None
    ) -> dict[str, Recurrence]:
        account_id = self._account_id(account)
        if account_id is None:
            return {}
        if emails is None:
            rows = self._read(f"{self._RETURN_SELECT} WHERE r.account_id=%s", (account_id,))
        else:
            rows = self._read(
                f"{self._RETURN_SELECT} WHERE r.account_id=%s AND lower(r.email) = ANY(%s)",
                (account_id, sorted({e.lower() for e in emails})),
            )
        return recurrences_from_rows(rows)

    def returns_between(self, account: AccountKey, start: int, end: int) -> tuple[Return, ...]:
        account_id = self._account_id(account)
        if account_id is None:
            return ()
        rows = self._read(
            f"{self._RETURN_SELECT} WHERE r.account_id=%s AND r.returned_at BETWEEN %s AND %s"
            " ORDER BY r.returned_at, r.email",
            (account_id, start, end),
        )
        return tuple(return_from_row(row) for row in rows)

    # -- trends and report ---------------------------------------------------------------------

    def counts(
        self, account: AccountKey, start: int, end: int, bucket: TrendBucket, key: TrendKey
    ) -> list[BucketCount]:
        account_id = self._account_id(account)
        if account_id is None:
            return []
        bucket_sql = _BUCKET_SQL[bucket]
        if key is TrendKey.CATEGORY or key is TrendKey.CAUSE:
            column = "x.category" if key is TrendKey.CATEGORY else "x.label"
            rows = self._read(
                f"SELECT {bucket_sql} AS b, {column}, count(*) FROM todoku.history_entries e"
                " LEFT JOIN todoku.history_explanations x ON x.id = e.explanation_id"
                " WHERE e.account_id=%s AND e.created BETWEEN %s AND %s GROUP BY 1, 2",
                (account_id, start, end),
            )
            return [BucketCount(r[0], r[1] or "", int(r[2])) for r in rows]
        column = "e.domain_id" if key is TrendKey.DOMAIN else "e.list"
        rows = self._read(
            f"SELECT {bucket_sql} AS b, {column}, count(*) FROM todoku.history_entries e"
            " WHERE e.account_id=%s AND e.created BETWEEN %s AND %s GROUP BY 1, 2",
            (account_id, start, end),
        )
        if key is TrendKey.LIST:
            return [BucketCount(r[0], LIST_CODES[r[1]].value, int(r[2])) for r in rows]
        names = self._texts({r[1] for r in rows})
        return [BucketCount(r[0], names.get(r[1], ""), int(r[2])) for r in rows]

    def explanations_by_label(self, account: AccountKey) -> dict[str, Explanation]:
        del account  # explanations are shared text, not account data
        found: dict[str, Explanation] = {}
        for (body,) in self._read("SELECT body FROM todoku.history_explanations ORDER BY id"):
            explanation = Explanation(**json.loads(body))
            found.setdefault(explanation.label_ja, explanation)
        return found

    # -- moving a PC's history in (team/import_local.py) ----------------------------------------

    def import_snapshot(self, snapshot: HistorySnapshot) -> tuple[int, int]:
        """Add a local history's rows the shared history lacks: (entries, returns) added."""
        return self._run(lambda connection: _import_snapshot(connection, snapshot), write=True)

    # -- privacy and upkeep --------------------------------------------------------------------

    def erase_address(self, email: str) -> int:
        address = email.strip()
        if not address:
            return 0

        def work(connection: Any) -> int:
            removed = connection.execute(
                "DELETE FROM todoku.history_entries WHERE lower(email) = lower(%s)", (address,)
            ).rowcount
            connection.execute(
                "DELETE FROM todoku.history_returns WHERE lower(email) = lower(%s)", (address,)
            )
            _scrub_texts(connection, address)
            return int(removed)

        return self._run(work, write=True)

    def purge_older_than(self, cutoff: datetime) -> int:
        seconds = epoch_seconds(cutoff)

        def work(connection: Any) -> int:
            removed = connection.execute(
                "DELETE FROM todoku.history_entries WHERE last_seen < %s", (seconds,)
            ).rowcount
            connection.execute(
                "DELETE FROM todoku.history_returns WHERE noticed_at < %s", (seconds,)
            )
            connection.execute(
                "DELETE FROM todoku.history_fetches WHERE fetched_at < %s", (seconds,)
            )
            return int(removed)

        return self._run(work, write=True)


def _text_ids(connection: Any, texts: Iterable[str]) -> dict[str, int]:
    """Ids of ``texts``, adding those not stored yet (safe when two operators add one at once)."""
    wanted = sorted(set(texts))
    if not wanted:
        return {}
    connection.execute(
        "INSERT INTO todoku.history_texts (text) SELECT unnest(%s::text[])"
        " ORDER BY 1 ON CONFLICT (text) DO NOTHING",
        (wanted,),
    )
    rows = connection.execute(
        "SELECT text, id FROM todoku.history_texts WHERE text = ANY(%s)", (wanted,)
    ).fetchall()
    return {str(r[0]): int(r[1]) for r in rows}


def _import_snapshot(c: Any, snap: HistorySnapshot) -> tuple[int, int]:
    """Insert what the shared history lacks; ids of the file are mapped to the server's."""
    accounts: dict[int, int] = {}
    for local_id, provider, name, subuser, region, practice in snap.accounts:
        key = (provider, name, subuser, region, bool(practice))
        c.execute(
            "INSERT INTO todoku.history_accounts (provider, account, subuser, region, practice)"
            " VALUES (%s,%s,%s,%s,%s) ON CONFLICT DO NOTHING",
            key,
        )
        accounts[int(local_id)] = int(
            c.execute(
                "SELECT id FROM todoku.history_accounts WHERE provider=%s AND account=%s"
                " AND subuser=%s AND region=%s AND practice=%s FOR UPDATE",
                key,
            ).fetchone()[0]
        )
    texts = _text_ids(c, snap.texts.values())
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
        explanation_id = {k: int(by_body[snap.explanations[k][2]]) for k in keys}
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
        entries = 0
        while True:
            entries += len(cursor.fetchall())
            if not cursor.nextset():
                break
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
        returns = 0
        while True:
            returns += len(cursor.fetchall())
            if not cursor.nextset():
                break
        cursor.executemany(
            "INSERT INTO todoku.history_coverage (account_id, list, start_time, end_time,"
            " high_water) VALUES (%s,%s,%s,%s,%s) ON CONFLICT DO NOTHING",
            [(accounts[a], code, start, end, high) for a, code, start, end, high in snap.coverage],
        )
    return entries, returns


class _Merge:
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
        key = _account_tuple(self.w.account)
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
        return int(row[0])

    def _text_ids(self, texts: Iterable[str]) -> dict[str, int]:
        return _text_ids(self.c, texts)

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
                    entry.email,
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
        existing: dict[tuple[int, str], tuple[int, int, str | None]] = {}
        if staged:
            for row_id, code, email, created, gone_by in self.c.execute(
                "SELECT e.id, e.list, e.email, e.created, e.gone_by FROM todoku.history_entries e"
                " JOIN unnest(%s::smallint[], %s::text[]) AS i(list, email)"
                " ON e.list = i.list AND lower(e.email) = i.email WHERE e.account_id=%s",
                ([s[0] for s in staged], [s[1].lower() for s in staged], account_id),
            ).fetchall():
                existing[(int(code), str(email).lower())] = (int(row_id), int(created), gone_by)
        inserts: list[tuple[Any, ...]] = []
        relisted: list[tuple[Any, ...]] = []
        seen: list[tuple[Any, ...]] = []
        for code, email, created, domain_id, status_id, reason_id, ip_id, expl_id in staged:
            old = existing.get((code, email.lower()))
            if old is None:
                inserts.append(
                    (account_id, code, email, created, domain_id, status_id, reason_id, ip_id,
                     expl_id, self.now, self.now, fetch_id)
                )  # fmt: skip
            elif old[2] is not None or old[1] != created:
                # Back on the list, or listed anew (SendGrid moves ``created`` on a new bounce).
                relisted.append(
                    (email, created, domain_id, status_id, reason_id, ip_id, expl_id, self.now,
                     fetch_id, old[0])
                )  # fmt: skip
            else:
                seen.append((status_id, reason_id, ip_id, expl_id, self.now, old[0]))
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
        """再発: each Todoku deletion of an address later listed again on the same list (the
        same rule as the SQLite store: the listing after deletion i is the one deletion i+1
        removed, or for the last deletion the listing this fetch saw)."""
        by_key: dict[tuple[int, str], list[datetime]] = {}
        for deletion in self.w.deletions:
            key = (LIST_CODE[deletion.list_kind], deletion.email.lower())
            by_key.setdefault(key, []).append(deletion.deleted_at)
        if not by_key:
            return 0
        journal_rows = {
            (LIST_CODE[d.list_kind], d.email.lower(), d.deleted_at): d for d in self.w.deletions
        }
        rows: list[tuple[Any, ...]] = []
        for entry in self.w.entries:
            key = (LIST_CODE[entry.list_kind], entry.email.lower())
            times = sorted(set(by_key.get(key, ())))
            for position, deleted_at in enumerate(times):
                if position + 1 < len(times):
                    later = journal_rows[(*key, times[position + 1])]
                    created, reason = later.created, later.reason
                else:
                    created, reason = entry.created, entry.reason
                if created is None or created <= deleted_at:
                    continue
                rows.append(
                    (key[0], entry.email, epoch_seconds(deleted_at), epoch_seconds(created),
                     reason_to_template(reason, entry.email))
                )  # fmt: skip
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
        newest: dict[int, int] = {}
        for entry in self.w.entries:
            code = LIST_CODE[entry.list_kind]
            newest[code] = max(newest.get(code, 0), epoch_seconds(entry.created))
        for kind in self.w.lists:
            code = LIST_CODE[kind]
            row = self.c.execute(
                "SELECT start_time, end_time, high_water FROM todoku.history_coverage"
                " WHERE account_id=%s AND list=%s",
                (account_id, code),
            ).fetchone()
            asked = self.w.asked_start.get(kind, self.w.range_start)
            start, end, high = self.w.range_start, self.w.range_end, self.w.range_start
            # Contiguous with what is held (asked from inside it): the windows join.
            if row is not None and row[0] <= asked <= row[1] + 1:
                start, end, high = min(row[0], start), max(row[1], end), max(row[2], high)
            high = max(high, newest.get(code, 0))
            self.c.execute(
                "INSERT INTO todoku.history_coverage (account_id, list, start_time, end_time,"
                " high_water) VALUES (%s,%s,%s,%s,%s) ON CONFLICT (account_id, list) DO UPDATE"
                " SET start_time=EXCLUDED.start_time, end_time=EXCLUDED.end_time,"
                " high_water=EXCLUDED.high_water",
                (account_id, code, start, end, high),
            )


def _scrub_texts(connection: Any, address: str) -> None:
    """Replace the address inside stored texts (reasons quoting it in another case)."""
    pattern = re.compile(re.escape(address), re.IGNORECASE)
    like = "%" + address.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    for text_id, text in connection.execute(
        "SELECT id, text FROM todoku.history_texts WHERE text ILIKE %s", (like,)
    ).fetchall():
        cleaned = pattern.sub("<消去済み>", text)
        twin = connection.execute(
            "SELECT id FROM todoku.history_texts WHERE text=%s", (cleaned,)
        ).fetchone()
        if twin is None:
            connection.execute(
                "UPDATE todoku.history_texts SET text=%s WHERE id=%s", (cleaned, text_id)
            )
            continue
        # The cleaned text exists already: point every user at it, drop this one.
        for table, column in (
            ("history_entries", "reason_id"),
            ("history_entries", "status_id"),
            ("history_returns", "reason_id"),
        ):
            connection.execute(
                f"UPDATE todoku.{table} SET {column}=%s WHERE {column}=%s", (twin[0], text_id)
            )
        connection.execute("DELETE FROM todoku.history_texts WHERE id=%s", (text_id,))


def _account_tuple(account: AccountKey) -> tuple[str, str, str, str, bool]:
    return (account.provider, account.account, account.subuser, account.region, account.practice)


def _conforms(store: PostgresHistoryStore) -> HistoryStorage:
    """Never called: makes mypy check that the store implements the Protocol."""
    return store
