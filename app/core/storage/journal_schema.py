"""The SQLite deletion journal's tables: its migrations and the version check that runs them."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Callable
from pathlib import Path

from app.core.storage.journal_records import JournalError, JournalSchemaTooNewError

SCHEMA_VERSION = 2


def _migrate_to_1(connection: sqlite3.Connection) -> None:
    # Statement by statement: executescript() would COMMIT the migration's transaction.
    script = """
        CREATE TABLE operations (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            started_at TEXT NOT NULL,
            finished_at TEXT,
            os_user TEXT NOT NULL,
            account_label TEXT NOT NULL,
            subuser TEXT NOT NULL,
            region TEXT NOT NULL,
            base_host TEXT NOT NULL,
            practice INTEGER NOT NULL,
            note TEXT NOT NULL,
            state TEXT NOT NULL,
            retry_of INTEGER REFERENCES operations(id)
        );
        CREATE INDEX operations_started ON operations(started_at);
        CREATE INDEX operations_state ON operations(state);
        CREATE TABLE operation_entries (
            id INTEGER PRIMARY KEY,
            operation_id INTEGER NOT NULL REFERENCES operations(id),
            seq INTEGER NOT NULL,
            list_kind TEXT NOT NULL,
            email TEXT NOT NULL,
            created TEXT,
            status TEXT NOT NULL,
            reason TEXT NOT NULL,
            ip TEXT NOT NULL,
            explanation_reason TEXT NOT NULL,
            explanation_label TEXT NOT NULL,
            explanation_permanent INTEGER NOT NULL,
            result TEXT NOT NULL,
            detail TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            UNIQUE (operation_id, list_kind, email)
        );
        CREATE INDEX operation_entries_email ON operation_entries(email COLLATE NOCASE);
        """
    for statement in script.split(";"):
        if statement.strip():
            connection.execute(statement)


def _migrate_to_2(connection: sqlite3.Connection) -> None:
    # The name the team sees (team mode); rows written before it show the OS user.
    connection.execute("ALTER TABLE operations ADD COLUMN display_name TEXT NOT NULL DEFAULT ''")
    # Which journal a row came from once it is moved to a shared store (the file may move).
    connection.execute("CREATE TABLE journal_identity (uid TEXT NOT NULL)")
    connection.execute("INSERT INTO journal_identity VALUES (?)", (str(uuid.uuid4()),))


# Migration N+1 is MIGRATIONS[N]; each runs inside the transaction that bumps the version.
MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (_migrate_to_1, _migrate_to_2)


def migrate(connection: sqlite3.Connection, path: Path) -> None:
    """Bring the file to this app's schema in one transaction; refuse a newer or foreign one."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        connection.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER)")
        row = connection.execute("SELECT version FROM schema_version").fetchone()
        version = 0 if row is None else row[0]
        if not isinstance(version, int) or version < 0:
            # Another program's database with a table of that name: never migrate it.
            raise JournalError(
                "このファイルは Todoku の削除履歴ではないため、開けません。",
                next_step_ja="削除履歴のファイル（--journal）の場所を確認してください。",
                detail=f"schema_version {version!r} ({path})",
            )
        if version > len(MIGRATIONS):
            raise JournalSchemaTooNewError(
                "削除履歴のファイルが新しい版の Todoku で作られているため、開けません。",
                next_step_ja="Todoku を最新版に更新してください。",
                detail=f"schema {version} > {len(MIGRATIONS)} ({path})",
            )
        for migration in MIGRATIONS[version:]:
            migration(connection)
        if row is None:
            connection.execute("INSERT INTO schema_version VALUES (?)", (len(MIGRATIONS),))
        else:
            connection.execute("UPDATE schema_version SET version = ?", (len(MIGRATIONS),))
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise
