"""`--database postgresql://…` and opening the journal for todoku-cli (team mode).

Shared by `delete`, `fetch` and `report`: with
``--database`` the shared store is used; without it, the app's settings decide (共有データベース
turned on), else the SQLite journal of this PC. The password comes from the URL, ``PGPASSWORD``
or the OS keyring — never from a file. psycopg is imported only when a shared store is opened.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.core.storage.history.interface import HistoryStorage
    from app.core.storage.journal_store import JournalStore
    from app.core.storage.team.connection import SharedDatabase

DATABASE_HELP = (
    "共有データベース postgresql://ユーザー名@ホスト:5432/データベース名"
    "（パスワードは環境変数 PGPASSWORD か OS の資格情報ストア。既定: 設定に従う）"
)


def add_database_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--database", metavar="URL", default=None, help=DATABASE_HELP)


def database_from_args(args: argparse.Namespace) -> SharedDatabase | None:
    """The shared store of ``--database``, else the one the settings turn on, else None."""
    from app.core.storage.team.connection import database_from_settings, parse_database_url

    url = getattr(args, "database", None)
    if url:
        return parse_database_url(url)
    from app.cli.settings_file import load_cli_settings

    # A damaged file is refused: it may turn the shared store on, and a deletion recorded
    # only on this PC would escape the other operators' claims.
    return database_from_settings(load_cli_settings())


def open_cli_journal(args: argparse.Namespace, local_path: Path) -> JournalStore:
    """The journal a CLI command writes to (shared store, or the SQLite file ``local_path``)."""
    database = None if getattr(args, "journal", None) else database_from_args(args)
    if database is None:
        from app.core.storage.journal import DeletionJournal

        return DeletionJournal(local_path)
    from app.core.storage.secrets import KeyringSecretStore
    from app.core.storage.team.connection import with_password
    from app.core.storage.team.journal_pg import PostgresJournal
    from app.core.storage.team.open import OUTBOX_FILE
    from app.paths import user_paths

    return PostgresJournal(
        with_password(database, KeyringSecretStore()),
        outbox_path=user_paths().data_dir / OUTBOX_FILE,
    )


def open_cli_history(
    args: argparse.Namespace, local_path: Path, *, read_only: bool = False
) -> HistoryStorage:
    """The fetch history a CLI command reads and writes (shared store, or the SQLite file).

    ``read_only`` (a report): the SQLite file is opened read-only, so a history in a folder the
    user may only read (a backup, another user's folder) still gives its report."""
    database = None if getattr(args, "history", None) else database_from_args(args)
    if database is None:
        from app.core.storage.history.sqlite_store import SqliteHistoryStore

        return SqliteHistoryStore(local_path, read_only=read_only)
    from app.core.storage.secrets import KeyringSecretStore
    from app.core.storage.team.connection import with_password
    from app.core.storage.team.history_pg import PostgresHistoryStore

    return PostgresHistoryStore(with_password(database, KeyringSecretStore()))
