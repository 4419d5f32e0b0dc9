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

The merge of a fetch (``history_pg_merge.py``), the import of a PC's history
(``history_pg_import.py``) and the stored-once texts (``history_pg_texts.py``) live beside this
module; ``PostgresHistoryStore`` holds the connections, the error mapping and the reads.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

from app.core.storage.history.account_fold import fold_accounts
from app.core.storage.history.connection_switch import switch_connection
from app.core.storage.history.interface import (
    LIST_CODE,
    LIST_CODES,
    AccountKey,
    BucketCount,
    ConnectionSwitch,
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
)
from app.core.storage.history.stored_rows import (
    RETURN_COLUMNS,
    epoch_seconds,
    gone_from_row,
    recurrences_from_rows,
    return_from_row,
)
from app.core.storage.journal_records import (
    SHARED_SETTINGS_WHERE,
    JournalError,
    JournalSchemaTooNewError,
    SharedStoreUnavailableError,
)
from app.core.storage.team.connection import (
    SharedDatabase,
    pg_connections,
    run_reconnecting,
    unavailable,
)
from app.core.storage.team.history_pg_import import HistorySnapshot, copy_snapshot
from app.core.storage.team.history_pg_merge import POSTGRES_DIALECT as _DIALECT
from app.core.storage.team.history_pg_merge import FetchMerge, account_tuple
from app.core.storage.team.history_pg_texts import scrub_texts
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


# The server, not this PC's disk: what the operator (or the administrator) can check.
_UNREACHABLE_NEXT = (
    "取得した一覧はそのまま使えます。ネットワーク（VPN など）がつながっているか、"
    f"共有データベースのサーバーが動いているか、{SHARED_SETTINGS_WHERE}の"
    "ホスト・ポート・ユーザーを確認してください。"
)


def _unreachable(label: str, error: BaseException) -> HistoryError:
    """The history's error for a server that cannot be reached, refused the login or went away."""
    journal_side = unavailable(label, error)  # tells a refused login from a missing server
    login = journal_side.message_ja != SharedStoreUnavailableError.default_message_ja
    return HistoryError(
        journal_side.message_ja
        if login
        else "共有データベースに接続できないため、取得履歴を読み書きできませんでした。",
        next_step_ja=(
            "取得した一覧はそのまま使えます。" + journal_side.next_step_ja
            if login
            else _UNREACHABLE_NEXT
        ),
        detail=f"{label}: {type(error).__name__}: {str(error).strip()}",
    )


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
            raise _unreachable(label, error) from None
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
            account_tuple(account),
        )
        return int(rows[0][0]) if rows else None

    def accounts(self) -> tuple[AccountKey, ...]:
        rows = self._read(
            "SELECT provider, account, subuser, region, practice FROM todoku.history_accounts"
            " ORDER BY id"
        )
        return tuple(AccountKey(r[0], r[1], r[2], r[3], bool(r[4])) for r in rows)

    def adopt_spellings(self, account: AccountKey, older: Sequence[AccountKey]) -> int:
        # The older account rows are locked first (FOR UPDATE), then the current one, as a
        # fetch locks its own: a fetch of either key waits for the fold, or the fold for it.
        return self._run(
            lambda connection: fold_accounts(connection, _DIALECT, account, older), write=True
        )

    def use_connection(self, account: AccountKey, connection: str) -> ConnectionSwitch:
        # The account row is locked (FOR UPDATE) as a fetch's merge locks it: a merge of the
        # other connection waits, then finds the stamp changed (HistoryConnectionChangedError).
        return self._run(
            lambda db: switch_connection(db, _DIALECT, account, connection), write=True
        )

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
        return self._run(lambda connection: FetchMerge(connection, write).run(), write=True)

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
        return self._run(lambda connection: copy_snapshot(connection, snapshot), write=True)

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
            scrub_texts(connection, address)
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


def _conforms(store: PostgresHistoryStore) -> HistoryStorage:
    """Never called: makes mypy check that the store implements the Protocol."""
    return store
