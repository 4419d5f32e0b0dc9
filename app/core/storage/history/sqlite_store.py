"""SqliteHistoryStore: the history in one SQLite file (WAL) next to the deletion journal."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime
from operator import itemgetter
from pathlib import Path
from typing import Any, TypeVar

from app.core.storage.history import sqlite_schema
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
    HistoryError,
    HistoryRecovered,
    HistoryRows,
    Recurrence,
    Return,
    TrendBucket,
    TrendKey,
)
from app.core.storage.history.sqlite_merge import SQLITE_DIALECT as _DIALECT
from app.core.storage.history.sqlite_merge import FetchMerge, account_tuple
from app.core.storage.history.stored_rows import (
    RETURN_COLUMNS,
    epoch_seconds,
    gone_from_row,
    recurrences_from_rows,
    return_from_row,
)
from app.core.storage.thread_connections import ThreadConnections
from app.core.types import Explanation, ListKind

HISTORY_FILE = "history.sqlite3"
_BUSY_TIMEOUT_S = 10.0
_JST_OFFSET_S = 9 * 3600
_CHUNK = 500  # ids per IN (...) list: well under SQLite's variable limit
_Result = TypeVar("_Result")

_BUCKET_SQL = {
    TrendBucket.MONTH: f"strftime('%Y-%m', e.created + {_JST_OFFSET_S}, 'unixepoch')",
    # The Monday of the JST week: 'weekday 0' moves to the coming Sunday, then back six days.
    TrendBucket.WEEK: f"date(e.created + {_JST_OFFSET_S}, 'unixepoch', 'weekday 0', '-6 days')",
}


# Fields of an open_range row (a StoredRow).
_STATUS, _REASON, _EXPLANATION, _DOMAIN = itemgetter(3), itemgetter(4), itemgetter(5), itemgetter(9)


class SqliteHistoryStore:
    """The ``HistoryStorage`` of one user's machine. Safe to use from several threads.

    Each thread has its own connection; WAL lets the GUI thread read while a worker writes.
    ``max_bytes`` caps the file (SQLite answers "disk full" beyond it, as a real full disk
    does); None means no cap. ``read_only`` (a report) never creates, repairs, upgrades or
    writes the file, so a history in a folder the user may only read still opens; a write
    then fails with ``HistoryPermissionError``.
    """

    def __init__(
        self,
        path: Path,
        *,
        max_bytes: int | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        read_only: bool = False,
    ) -> None:
        self.path = Path(path)
        self._read_only = read_only
        self._max_bytes = max_bytes
        self._clock = clock
        self._connections = ThreadConnections(self._open_connection)
        self.recovery_notice: HistoryRecovered | None = None
        try:
            if read_only:
                sqlite_schema.inspect_read_only(self.path, _BUSY_TIMEOUT_S)
                self._connection()
                return
            self.path.parent.mkdir(parents=True, exist_ok=True)
            try:
                sqlite_schema.inspect(self.path, _BUSY_TIMEOUT_S)
            except sqlite_schema.BadFile as bad:
                self.recovery_notice = sqlite_schema.move_aside(self.path, str(bad), clock())
            connection = self._connection()
            connection.execute("PRAGMA journal_mode=WAL")  # persistent: stored in the file
            sqlite_schema.migrate(connection, self.path)
        except sqlite3.Error as error:
            self.close()
            raise _history_error(error, self.path) from error
        except OSError as error:
            # The data folder is a file, cannot be created or the file cannot be set aside: a
            # HistoryError like any other, so no caller (the CLI's fetch) shows a traceback.
            self.close()
            raise sqlite_schema.os_history_error(error, self.path) from error
        except HistoryError:
            self.close()
            raise

    # -- connections ---------------------------------------------------------------------------

    def _connection(self) -> sqlite3.Connection:
        return self._connections.get()

    def _open_connection(self) -> sqlite3.Connection:
        if self._read_only:
            return sqlite_schema.connect_read_only(self.path, _BUSY_TIMEOUT_S)
        connection = sqlite_schema.connect(self.path, _BUSY_TIMEOUT_S)
        if self._max_bytes is not None:
            page_size = int(connection.execute("PRAGMA page_size").fetchone()[0])
            connection.execute(f"PRAGMA max_page_count={max(1, self._max_bytes // page_size)}")
        return connection

    def close(self) -> None:
        self._connections.close_all()

    def _write(self, work: Callable[[sqlite3.Connection], _Result]) -> _Result:
        connection = self._connection()
        try:
            connection.execute("BEGIN IMMEDIATE")
            try:
                result = work(connection)
                connection.execute("COMMIT")
            except BaseException:
                if connection.in_transaction:
                    connection.execute("ROLLBACK")
                raise
            return result
        except sqlite3.Error as error:
            raise _history_error(error, self.path) from error

    def _read(self, sql: str, parameters: Sequence[object] = ()) -> list[Any]:
        try:
            return self._connection().execute(sql, parameters).fetchall()
        except sqlite3.Error as error:
            raise _history_error(error, self.path) from error

    def schema_version(self) -> int:
        return int(self._read("PRAGMA user_version")[0][0])

    # -- accounts ------------------------------------------------------------------------------

    def _account_id(self, account: AccountKey) -> int | None:
        row = (
            self._connection()
            .execute(
                "SELECT id FROM accounts WHERE provider=? AND account=? AND subuser=?"
                " AND region=? AND practice=?",
                account_tuple(account),
            )
            .fetchone()
        )
        return None if row is None else int(row[0])

    def _read_account(self, account: AccountKey) -> int | None:
        try:
            return self._account_id(account)
        except sqlite3.Error as error:
            raise _history_error(error, self.path) from error

    def accounts(self) -> tuple[AccountKey, ...]:
        rows = self._read(
            "SELECT provider, account, subuser, region, practice FROM accounts ORDER BY id"
        )
        return tuple(AccountKey(r[0], r[1], r[2], r[3], bool(r[4])) for r in rows)

    def adopt_spellings(self, account: AccountKey, older: Sequence[AccountKey]) -> int:
        # One BEGIN IMMEDIATE transaction: no fetch of either key writes meanwhile.
        return self._write(lambda connection: fold_accounts(connection, _DIALECT, account, older))

    def use_connection(self, account: AccountKey, connection: str) -> ConnectionSwitch:
        return self._write(lambda db: switch_connection(db, _DIALECT, account, connection))

    # -- fetch bookkeeping ---------------------------------------------------------------------

    def coverage(self, account: AccountKey, lists: Iterable[ListKind]) -> dict[ListKind, Coverage]:
        account_id = self._read_account(account)
        if account_id is None:
            return {}
        wanted = {LIST_CODE[kind] for kind in lists}
        rows = self._read(
            "SELECT list, start_time, end_time, high_water FROM coverage WHERE account_id=?",
            (account_id,),
        )
        return {
            LIST_CODES[r[0]]: Coverage(LIST_CODES[r[0]], int(r[1]), int(r[2]), int(r[3]))
            for r in rows
            if r[0] in wanted
        }

    def record_fetch(self, write: FetchWrite) -> FetchSummary:
        return self._write(lambda connection: FetchMerge(connection, write).run())

    def open_range(
        self, account: AccountKey, start: int, end: int, lists: Iterable[ListKind]
    ) -> HistoryRows:
        account_id = self._read_account(account)
        if account_id is None:
            return HistoryRows([], {}, {}, 0)
        codes = sorted({LIST_CODE[kind] for kind in lists})
        sql = (
            "SELECT list, email, created, status_id, reason_id, explanation_id, first_seen,"
            " last_seen, listed_fetch, domain_id FROM entries WHERE account_id=?"
            " AND created BETWEEN ? AND ? AND gone_at IS NULL"
        )
        if len(codes) < len(LIST_CODES):
            sql += f" AND list IN ({','.join(str(code) for code in codes)})"
        rows = self._read(sql, (account_id, start, end))
        latest = self._read("SELECT MAX(id) FROM fetches WHERE account_id=?", (account_id,))
        return HistoryRows(
            rows, self._texts_of(rows), self._explanations_of(rows), int(latest[0][0] or 0)
        )

    # Statuses, reason templates, domains and explanations are a few hundred to a few thousand
    # distinct ids. When their table is small beside the rows read, reading it whole is cheaper
    # than collecting the ids row by row (each pass over 150k rows costs ~8 ms).
    def _texts_of(self, rows: list[Any]) -> dict[int, str]:
        if self._small_beside("texts", len(rows)):
            return dict(self._read("SELECT id, text FROM texts"))
        return self._texts(
            set(map(_STATUS, rows)) | set(map(_REASON, rows)) | set(map(_DOMAIN, rows))
        )

    def _explanations_of(self, rows: list[Any]) -> dict[int, Explanation]:
        if self._small_beside("explanations", len(rows)):
            return {
                int(explanation_id): Explanation(**json.loads(body))
                for explanation_id, body in self._read("SELECT id, body FROM explanations")
            }
        return self._explanations(set(map(_EXPLANATION, rows)) - {None})

    def _small_beside(self, table: str, rows: int) -> bool:
        # MAX(id) bounds the row count and is one index step (the rowid's b-tree).
        highest = self._read(f"SELECT MAX(id) FROM {table}")[0][0] or 0  # a fixed name
        return rows >= 64 and highest * 8 <= rows

    def _texts(self, ids: Iterable[int]) -> dict[int, str]:
        texts: dict[int, str] = {}
        for chunk in _chunks(sorted(ids)):
            marks = ",".join("?" * len(chunk))
            texts.update(self._read(f"SELECT id, text FROM texts WHERE id IN ({marks})", chunk))
        return texts

    def _explanations(self, ids: Iterable[int]) -> dict[int, Explanation]:
        found: dict[int, Explanation] = {}
        for chunk in _chunks(sorted(ids)):
            marks = ",".join("?" * len(chunk))
            for explanation_id, body in self._read(
                f"SELECT id, body FROM explanations WHERE id IN ({marks})", chunk
            ):
                found[int(explanation_id)] = Explanation(**json.loads(body))
        return found

    def gone_in_range(
        self, account: AccountKey, start: int, end: int, lists: Iterable[ListKind]
    ) -> list[tuple[ListKind, str, GoneBy, datetime]]:
        account_id = self._read_account(account)
        if account_id is None:
            return []
        codes = {LIST_CODE[kind] for kind in lists}
        rows = self._read(
            "SELECT list, email, gone_by, gone_at FROM entries WHERE account_id=?"
            " AND created BETWEEN ? AND ? AND gone_at IS NOT NULL ORDER BY gone_at, email",
            (account_id, start, end),
        )
        return [gone_from_row(r) for r in rows if r[0] in codes]

    # -- 再発 ----------------------------------------------------------------------------------

    _RETURN_SELECT = f"SELECT {RETURN_COLUMNS} FROM returns r JOIN texts t ON t.id = r.reason_id"

    def recurrences(
        self, account: AccountKey, emails: Iterable[str] | None = None
    ) -> dict[str, Recurrence]:
        account_id = self._read_account(account)
        if account_id is None:
            return {}
        rows: list[Any] = []
        if emails is None:
            rows = self._read(f"{self._RETURN_SELECT} WHERE r.account_id=?", (account_id,))
        else:
            for chunk in _chunks(sorted({e.lower() for e in emails})):
                marks = ",".join("?" * len(chunk))
                rows += self._read(
                    f"{self._RETURN_SELECT} WHERE r.account_id=? AND lower(r.email) IN ({marks})",
                    (account_id, *chunk),
                )
        return recurrences_from_rows(rows)

    def returns_between(self, account: AccountKey, start: int, end: int) -> tuple[Return, ...]:
        account_id = self._read_account(account)
        if account_id is None:
            return ()
        rows = self._read(
            f"{self._RETURN_SELECT} WHERE r.account_id=? AND r.returned_at BETWEEN ? AND ?"
            " ORDER BY r.returned_at, r.email",
            (account_id, start, end),
        )
        return tuple(return_from_row(row) for row in rows)

    # -- trends and report ---------------------------------------------------------------------

    def counts(
        self, account: AccountKey, start: int, end: int, bucket: TrendBucket, key: TrendKey
    ) -> list[BucketCount]:
        account_id = self._read_account(account)
        if account_id is None:
            return []
        bucket_sql = _BUCKET_SQL[bucket]
        if key is TrendKey.CATEGORY or key is TrendKey.CAUSE:
            column = "x.category" if key is TrendKey.CATEGORY else "x.label"
            sql = (
                f"SELECT {bucket_sql} AS b, {column}, COUNT(*) FROM entries e"
                " LEFT JOIN explanations x ON x.id = e.explanation_id"
                " WHERE e.account_id=? AND e.created BETWEEN ? AND ? GROUP BY b, 2"
            )
            rows = self._read(sql, (account_id, start, end))
            return [BucketCount(r[0], r[1] or "", int(r[2])) for r in rows]
        column = "e.domain_id" if key is TrendKey.DOMAIN else "e.list"
        sql = (
            f"SELECT {bucket_sql} AS b, {column}, COUNT(*) FROM entries e"
            " WHERE e.account_id=? AND e.created BETWEEN ? AND ? GROUP BY b, 2"
        )
        rows = self._read(sql, (account_id, start, end))
        if key is TrendKey.LIST:
            return [BucketCount(r[0], LIST_CODES[r[1]].value, int(r[2])) for r in rows]
        names = self._texts({r[1] for r in rows})
        return [BucketCount(r[0], names.get(r[1], ""), int(r[2])) for r in rows]

    def explanations_by_label(self, account: AccountKey) -> dict[str, Explanation]:
        del account  # explanations are shared text, not account data
        found: dict[str, Explanation] = {}
        for (body,) in self._read("SELECT body FROM explanations ORDER BY id"):
            explanation = Explanation(**json.loads(body))
            found.setdefault(explanation.label_ja, explanation)
        return found

    # -- privacy and upkeep --------------------------------------------------------------------

    def erase_address(self, email: str) -> int:
        address = email.strip()
        if not address:
            return 0

        def work(connection: sqlite3.Connection) -> int:
            # Freed pages are zeroed, so the address does not linger in the file's free space.
            connection.execute("PRAGMA secure_delete=ON")
            removed = connection.execute(
                "DELETE FROM entries WHERE email = ? COLLATE NOCASE", (address,)
            ).rowcount
            connection.execute("DELETE FROM returns WHERE email = ? COLLATE NOCASE", (address,))
            _scrub_texts(connection, address)
            return int(removed)

        try:
            return self._write(work)
        finally:
            self._connection().execute("PRAGMA secure_delete=OFF")

    def purge_older_than(self, cutoff: datetime) -> int:
        seconds = epoch_seconds(cutoff)

        def work(connection: sqlite3.Connection) -> int:
            removed = connection.execute(
                "DELETE FROM entries WHERE last_seen < ?", (seconds,)
            ).rowcount
            connection.execute("DELETE FROM returns WHERE noticed_at < ?", (seconds,))
            connection.execute("DELETE FROM fetches WHERE fetched_at < ?", (seconds,))
            return int(removed)

        return self._write(work)

    def size_bytes(self) -> int:
        """The file's size (pages in use × page size; the WAL is not counted)."""
        pages = int(self._read("PRAGMA page_count")[0][0])
        return pages * int(self._read("PRAGMA page_size")[0][0])


def _scrub_texts(connection: sqlite3.Connection, address: str) -> None:
    """Replace the address inside stored texts (reasons quoting it in another case)."""
    pattern = re.compile(re.escape(address), re.IGNORECASE)
    like = "%" + address.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    for text_id, text in connection.execute(
        "SELECT id, text FROM texts WHERE text LIKE ? ESCAPE '\\'", (like,)
    ).fetchall():
        cleaned = pattern.sub("<消去済み>", text)
        twin = connection.execute("SELECT id FROM texts WHERE text=?", (cleaned,)).fetchone()
        if twin is None:
            connection.execute("UPDATE texts SET text=? WHERE id=?", (cleaned, text_id))
            continue
        # The cleaned text exists already: point every user at it, drop this one.
        for table, column in (
            ("entries", "reason_id"),
            ("entries", "status_id"),
            ("returns", "reason_id"),
        ):
            connection.execute(
                f"UPDATE {table} SET {column}=? WHERE {column}=?", (twin[0], text_id)
            )
        connection.execute("DELETE FROM texts WHERE id=?", (text_id,))


def _chunks(items: Sequence[Any]) -> Iterator[list[Any]]:
    for first in range(0, len(items), _CHUNK):
        yield list(items[first : first + _CHUNK])


_history_error = sqlite_schema.history_error
