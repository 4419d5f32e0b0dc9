"""Create or migrate the shared schema (``todoku-cli db upgrade``) and check its version.

Run by an administrator whose login is a member of ``todoku_owner``; the objects are created
under that role (``SET ROLE``) so they do not belong to a person. Each migration runs in one
transaction with the version bump; a transaction-level advisory lock keeps two upgrades from
racing. Idempotent: at the current version nothing happens.
"""

from __future__ import annotations

from typing import Any

from app.core.storage.journal_records import JournalError, JournalSchemaTooNewError
from app.core.storage.team.connection import SharedDatabase, unavailable
from app.core.storage.team.schema import (
    APP_ROLE,
    GRANTS,
    MIGRATIONS,
    OWNER_ROLE,
    SCHEMA,
    SCHEMA_VERSION,
)

_UPGRADE_LOCK = 0x746F646B  # "todk": one upgrade at a time

NOT_INITIALISED = "共有データベースに Todoku の表がまだありません。"


def read_version(connection: Any) -> int:
    """The schema version in the database (0: never upgraded)."""
    row = connection.execute("SELECT to_regclass('todoku.schema_version') IS NOT NULL").fetchone()
    if not row[0]:
        return 0
    row = connection.execute("SELECT version FROM todoku.schema_version").fetchone()
    return 0 if row is None else int(row[0])


def check_version(connection: Any, label: str) -> int:
    """Refuse a schema this app does not know, or one never created (Japanese messages)."""
    version = read_version(connection)
    if version > SCHEMA_VERSION:
        raise JournalSchemaTooNewError(
            "共有データベースが新しい版の Todoku で更新されているため、この版では使えません。",
            next_step_ja="Todoku を最新版に更新してください。データベースには手を加えていません。",
            detail=f"schema {version} > {SCHEMA_VERSION} ({label})",
        )
    if version < SCHEMA_VERSION:
        raise JournalError(
            NOT_INITIALISED if version == 0 else "共有データベースの形式が古いままです。",
            next_step_ja=(
                "管理者が todoku-cli db upgrade --database postgresql://… を実行してください。"
            ),
            detail=f"schema {version} < {SCHEMA_VERSION} ({label})",
        )
    return version


def upgrade(database: SharedDatabase) -> tuple[int, int]:
    """Bring the schema to this app's version. Returns (version before, version after)."""
    import psycopg

    try:
        connection = psycopg.connect(database.conninfo(), autocommit=True)
    except psycopg.OperationalError as error:
        raise unavailable(database.label, error) from None
    try:
        with connection.transaction():
            connection.execute("SELECT pg_advisory_xact_lock(%s)", (_UPGRADE_LOCK,))
            _become_owner(connection, database.label)
            before = read_version(connection)
            if before > SCHEMA_VERSION:
                check_version(connection, database.label)  # raises the "too new" message
            connection.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
            connection.execute(
                "CREATE TABLE IF NOT EXISTS todoku.schema_version (version integer NOT NULL)"
            )
            for migration in MIGRATIONS[before:]:
                connection.execute(migration)
            connection.execute("DELETE FROM todoku.schema_version")
            connection.execute("INSERT INTO todoku.schema_version VALUES (%s)", (SCHEMA_VERSION,))
            connection.execute(GRANTS)
        return before, SCHEMA_VERSION
    except psycopg.errors.InsufficientPrivilege as error:
        raise JournalError(
            "共有データベースを作成・更新する権限がありません。",
            next_step_ja=(
                f"{OWNER_ROLE} のメンバーである管理者のユーザーで実行してください"
                "（todoku-cli db roles が作成用の SQL を表示します）。"
            ),
            detail=f"{database.label}: {str(error).strip()}",
        ) from None
    except psycopg.OperationalError as error:
        raise unavailable(database.label, error) from None
    except psycopg.Error as error:
        raise JournalError(
            "共有データベースを更新できませんでした。",
            next_step_ja="詳細を管理者に伝えてください。データベースは変更されていません。",
            detail=f"{database.label}: {type(error).__name__}: {str(error).strip()}",
        ) from None
    finally:
        connection.close()


def _become_owner(connection: Any, label: str) -> None:
    roles = {
        row[0]
        for row in connection.execute(
            "SELECT rolname FROM pg_roles WHERE rolname IN (%s, %s)", (OWNER_ROLE, APP_ROLE)
        ).fetchall()
    }
    if roles != {OWNER_ROLE, APP_ROLE}:
        raise JournalError(
            "共有データベースに Todoku のロールがありません。",
            next_step_ja="先に todoku-cli db roles が表示する SQL を管理者が実行してください。",
            detail=f"{label}: missing {sorted({OWNER_ROLE, APP_ROLE} - roles)}",
        )
    connection.execute(f"SET LOCAL ROLE {OWNER_ROLE}")
