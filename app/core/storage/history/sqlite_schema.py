"""The SQLite history file: schema, forward migrations, and what to do with a bad file.

Identity: ``PRAGMA application_id`` marks the file as Todoku's history, ``PRAGMA user_version``
holds the schema version (both live in the file header, so they can be read without trusting
any table). A file that is not SQLite, fails ``quick_check``, or is another program's database
is renamed (never deleted) and a new file is started; a file from a newer Todoku is refused
untouched.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from app.core.storage.history.interface import (
    HistoryDiskFullError,
    HistoryError,
    HistoryInUseError,
    HistoryNotAFileError,
    HistoryPermissionError,
    HistoryRecovered,
    HistorySchemaTooNewError,
)
from app.core.storage.sqlite_files import NotARegularFile, read_only_uri, regular_file_header
from app.core.storage.sqlite_verdicts import is_busy, is_corrupt, is_disk_full, is_permission

log = logging.getLogger(__name__)

APPLICATION_ID = 0x546F4869  # "ToHi": Todoku history
SQLITE_HEADER = b"SQLite format 3\x00"


def _migrate_to_1(connection: sqlite3.Connection) -> None:
    statements = (
        """CREATE TABLE accounts (
            id INTEGER PRIMARY KEY,
            provider TEXT NOT NULL, account TEXT NOT NULL, subuser TEXT NOT NULL,
            region TEXT NOT NULL, practice INTEGER NOT NULL,
            UNIQUE (provider, account, subuser, region, practice))""",
        # Reason templates, statuses, IPs and domains, each stored once.
        "CREATE TABLE texts (id INTEGER PRIMARY KEY, text TEXT NOT NULL UNIQUE)",
        """CREATE TABLE explanations (
            id INTEGER PRIMARY KEY, category TEXT NOT NULL, label TEXT NOT NULL,
            body TEXT NOT NULL UNIQUE)""",
        """CREATE TABLE fetches (
            id INTEGER PRIMARY KEY, account_id INTEGER NOT NULL REFERENCES accounts(id),
            fetched_at INTEGER NOT NULL, range_start INTEGER NOT NULL,
            range_end INTEGER NOT NULL, full INTEGER NOT NULL, lists TEXT NOT NULL,
            entries INTEGER NOT NULL, new INTEGER NOT NULL, requests INTEGER NOT NULL)""",
        """CREATE TABLE coverage (
            account_id INTEGER NOT NULL, list INTEGER NOT NULL,
            start_time INTEGER NOT NULL, end_time INTEGER NOT NULL, high_water INTEGER NOT NULL,
            PRIMARY KEY (account_id, list)) WITHOUT ROWID""",
        # One row per (account, list, address): the address's current or last listing.
        """CREATE TABLE entries (
            id INTEGER PRIMARY KEY,
            account_id INTEGER NOT NULL, list INTEGER NOT NULL, email TEXT NOT NULL,
            created INTEGER NOT NULL, domain_id INTEGER NOT NULL, status_id INTEGER NOT NULL,
            reason_id INTEGER NOT NULL, ip_id INTEGER NOT NULL, explanation_id INTEGER,
            first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL,
            listed_fetch INTEGER NOT NULL, gone_by TEXT, gone_at INTEGER)""",
        "CREATE UNIQUE INDEX entries_key ON entries (account_id, list, email COLLATE NOCASE)",
        "CREATE INDEX entries_created ON entries (account_id, created)",
    )
    for statement in statements:
        connection.execute(statement)


def _migrate_to_2(connection: sqlite3.Connection) -> None:
    # 再発 (added in schema 2): one row per Todoku deletion that was followed by a new listing.
    connection.execute(
        """CREATE TABLE returns (
            id INTEGER PRIMARY KEY, account_id INTEGER NOT NULL, list INTEGER NOT NULL,
            email TEXT NOT NULL, deleted_at INTEGER NOT NULL, returned_at INTEGER NOT NULL,
            reason_id INTEGER NOT NULL, noticed_at INTEGER NOT NULL,
            UNIQUE (account_id, list, email COLLATE NOCASE, deleted_at))"""
    )
    connection.execute("CREATE INDEX returns_returned ON returns (account_id, returned_at)")


def _migrate_to_3(connection: sqlite3.Connection) -> None:
    # The retention purge after each fetch (DELETE … WHERE last_seen < ?) scanned every row
    # without it: ~0.15 s per million rows on every fetch, old rows or not.
    connection.execute("CREATE INDEX entries_last_seen ON entries (last_seen)")
    # 他所で削除 rows of a range (read after each fetch): a partial index holds only the few
    # rows no longer listed, instead of reading every row of the range to find them.
    connection.execute(
        "CREATE INDEX entries_gone ON entries (account_id, created) WHERE gone_at IS NOT NULL"
    )


def _migrate_to_4(connection: sqlite3.Connection) -> None:
    # The stamp of the connection (endpoint and credentials, digested: never a key) each
    # account's rows were fetched with; NULL for rows from before (connection_switch.py).
    connection.execute("ALTER TABLE accounts ADD COLUMN connection TEXT")


# Migration N+1 is MIGRATIONS[N]; each runs inside the transaction that bumps user_version.
MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (
    _migrate_to_1,
    _migrate_to_2,
    _migrate_to_3,
    _migrate_to_4,
)
SCHEMA_VERSION = len(MIGRATIONS)


class BadFile(Exception):
    """The file is not a usable Todoku history (corrupt or foreign): move it aside."""


def history_error(error: sqlite3.Error, path: Path) -> HistoryError:
    """The Japanese error for an SQLite failure on the history file."""
    detail = f"{type(error).__name__}: {error} ({path})"
    if is_disk_full(error):
        return HistoryDiskFullError(detail=detail)
    if is_permission(error):
        return HistoryPermissionError(detail=detail)
    if is_busy(error):
        return HistoryInUseError(detail=detail)
    return HistoryError(detail=detail)


def os_history_error(error: OSError, path: Path) -> HistoryError:
    """The Japanese error for a file-system failure (open, mkdir, rename) on the history."""
    detail = f"{type(error).__name__}: {error} ({path})"
    if isinstance(error, PermissionError):
        return HistoryPermissionError(detail=detail)
    return HistoryError(detail=detail)


def connect(path: Path, timeout_s: float) -> sqlite3.Connection:
    connection = sqlite3.connect(
        path, timeout=timeout_s, isolation_level=None, check_same_thread=False
    )
    # FULL: a committed fetch survives a power cut, not only a killed process.
    connection.execute("PRAGMA synchronous=FULL")
    return connection


def _read_only_uri(path: Path) -> str:
    """The URI that reads ``path`` without writing anything, wherever it lies.

    A WAL-mode file needs its ``-shm`` index even to be read; SQLite cannot make one in a folder
    this user may not write, and refuses (SQLITE_READONLY_CANTINIT, "attempt to write a
    readonly database"). There, with no ``-wal`` holding data, the file alone is the whole
    history, and ``immutable=1`` reads it without the index (https://www.sqlite.org/wal.html,
    "Read-Only Databases"; https://www.sqlite.org/uri.html). Should a user with more rights
    change it meanwhile, the read may fail (a Japanese error), which a report can afford.
    """
    companion = path.with_name(path.name + "-shm")
    wal = path.with_name(path.name + "-wal")
    index_unavailable = not companion.exists() and not os.access(path.parent, os.W_OK)
    wal_empty = not wal.exists() or wal.stat().st_size == 0
    return read_only_uri(path, immutable=index_unavailable and wal_empty)


def connect_read_only(path: Path, timeout_s: float) -> sqlite3.Connection:
    """A connection that cannot write (SQLite refuses any change with SQLITE_READONLY)."""
    return sqlite3.connect(
        _read_only_uri(path),
        uri=True,
        timeout=timeout_s,
        isolation_level=None,
        check_same_thread=False,
    )


def inspect_read_only(path: Path, timeout_s: float) -> None:
    """``inspect`` for read-only use (a report): a bad, missing, empty or older file is refused,
    never repaired, moved or upgraded, since each of those writes."""
    try:
        inspect(path, timeout_s)
    except BadFile as bad:
        raise HistoryError(
            "取得履歴のファイルが壊れているか、Todoku のものではないため、読み取れません。",
            next_step_ja=(
                "読み取りだけの操作ではファイルに手を加えません。アプリか todoku-cli fetch で"
                "開くと、元のファイルを残したまま新しく作り直します。"
            ),
            detail=f"{bad} ({path})",
        ) from bad
    if not path.exists():
        raise HistoryError(
            "取得履歴のファイルがありません。",
            next_step_ja="先に todoku-cli fetch（またはアプリ）で取得してください。",
            detail=str(path),
        )
    try:
        connection = connect_read_only(path, timeout_s)
        try:
            version = int(connection.execute("PRAGMA user_version").fetchone()[0])
        finally:
            connection.close()
    except sqlite3.Error as error:
        raise history_error(error, path) from error
    if version != SCHEMA_VERSION:
        raise HistoryError(
            "取得履歴のファイルが空か古い形式のため、読み取りだけでは開けません。",
            next_step_ja="アプリか todoku-cli fetch で一度開くと、新しい形式に更新されます。",
            detail=f"schema {version} < {SCHEMA_VERSION} ({path})",
        )


def inspect(path: Path, timeout_s: float) -> None:
    """Raise ``BadFile`` for a corrupt or foreign file, ``HistorySchemaTooNewError`` for a newer
    one, ``HistoryNotAFileError`` for a device, pipe, socket or folder (never read or moved);
    return quietly for a missing, empty or sound file. Writes nothing."""
    try:
        header = regular_file_header(path, len(SQLITE_HEADER))
    except NotARegularFile as error:
        raise HistoryNotAFileError(detail=str(error)) from error
    except OSError as error:
        raise os_history_error(error, path) from error
    if header is None:
        return
    if not header:
        return  # an empty file: SQLite starts a database in it
    if header != SQLITE_HEADER:
        raise BadFile(f"not an SQLite file: header {header[:16]!r}")
    try:
        connection = sqlite3.connect(_read_only_uri(path), uri=True, timeout=timeout_s)
        try:
            app_id = int(connection.execute("PRAGMA application_id").fetchone()[0])
            version = int(connection.execute("PRAGMA user_version").fetchone()[0])
            tables = int(connection.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()[0])
            if app_id != APPLICATION_ID and tables:
                raise BadFile(f"foreign database: application_id={app_id:#x}, {tables} objects")
            if app_id == APPLICATION_ID and version > SCHEMA_VERSION:
                raise HistorySchemaTooNewError(
                    detail=f"schema {version} > {SCHEMA_VERSION} ({path})"
                )
            check = str(connection.execute("PRAGMA quick_check").fetchone()[0])
            if check != "ok":
                raise BadFile(f"quick_check: {check[:300]}")
        finally:
            connection.close()
    except sqlite3.DatabaseError as error:
        if is_corrupt(error):
            raise BadFile(f"{type(error).__name__}: {error}") from error
        raise history_error(error, path) from error


def move_aside(path: Path, reason: str, now: datetime | None = None) -> HistoryRecovered:
    """Rename the file (and its WAL/SHM companions) next to itself; return the notice."""
    moment = (now or datetime.now(UTC)).strftime("%Y%m%d-%H%M%S")
    aside = path.with_name(f"{path.name}.broken-{moment}")
    suffix = 1
    while aside.exists():
        suffix += 1
        aside = path.with_name(f"{path.name}.broken-{moment}-{suffix}")
    try:
        path.replace(aside)
        for companion in ("-wal", "-shm"):
            extra = path.with_name(path.name + companion)
            if extra.exists():
                extra.replace(aside.with_name(aside.name + companion))
    except OSError as error:
        failed = os_history_error(error, path)
        failed.detail = f"{reason}; move aside failed: {failed.detail}"
        raise failed from error
    log.warning("history file unusable (%s); moved to %s", reason, aside.name)
    return HistoryRecovered(detail=f"{reason}; 退避先: {aside}")


def migrate(connection: sqlite3.Connection, path: Path) -> None:
    """Bring the schema to SCHEMA_VERSION in one transaction (a failure leaves it unchanged)."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        version = int(connection.execute("PRAGMA user_version").fetchone()[0])
        if version > SCHEMA_VERSION:  # another process upgraded it since inspect()
            raise HistorySchemaTooNewError(detail=f"schema {version} > {SCHEMA_VERSION} ({path})")
        for migration in MIGRATIONS[version:]:
            migration(connection)
        if version < SCHEMA_VERSION:
            connection.execute(f"PRAGMA application_id={APPLICATION_ID}")
            connection.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise
