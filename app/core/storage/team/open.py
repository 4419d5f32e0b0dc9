"""Open the journal the settings (or a ``--database`` URL) name, and check a connection.

The window and todoku-cli both call ``open_journal``: SQLite on this PC by default, the shared
PostgreSQL store when team mode is set. ``check_connection`` is the 接続テスト.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from app.core.storage.journal_records import Operator
from app.core.storage.journal_store import JournalStore
from app.core.storage.team.connection import (
    SharedDatabase,
    database_from_settings,
    with_password,
)

if TYPE_CHECKING:
    from app.core.storage.secrets import SecretStore
    from app.core.storage.settings import AppSettings

OUTBOX_FILE = "team-outbox.sqlite3"
LOCAL_JOURNAL_FILE = "journal.sqlite3"


def open_journal(
    settings: AppSettings,
    data_dir: Path,
    *,
    secrets: SecretStore | None = None,
    database: SharedDatabase | None = None,
    local_path: Path | None = None,
) -> JournalStore:
    """The shared store when ``database`` is given or the settings enable it, else the SQLite
    journal at ``local_path`` (default ``data_dir/journal.sqlite3``)."""
    shared = database or database_from_settings(settings)
    if shared is None:
        from app.core.storage.journal import DeletionJournal

        return DeletionJournal(local_path or data_dir / LOCAL_JOURNAL_FILE)
    from app.core.storage.team.journal_pg import PostgresJournal

    return PostgresJournal(with_password(shared, secrets), outbox_path=data_dir / OUTBOX_FILE)


@dataclass(frozen=True, slots=True)
class ConnectionCheck:
    """What 接続テスト found: who this login is in the team, the schema, unsent writes."""

    operator: Operator
    schema_version: int
    server_label: str
    outbox_waiting: int

    @property
    def summary_ja(self) -> str:
        who = self.operator
        role = who.role.label_ja if who.registered else "未登録（閲覧のみ）"
        text = f"接続できました（{self.server_label}）。担当者: {who.display_name}（{role}）"
        if self.outbox_waiting:
            text += f"。未送信の記録 {self.outbox_waiting} 件を送りました"
        return text


def check_connection(
    database: SharedDatabase, data_dir: Path, *, secrets: SecretStore | None = None
) -> ConnectionCheck:
    """Connect, check the schema version, read this operator's role, send kept writes.

    Raises the same Japanese errors as the store (unreachable, login, schema too new or absent).
    """
    from app.core.storage.team.journal_pg import PostgresJournal

    store = PostgresJournal(with_password(database, secrets), outbox_path=data_dir / OUTBOX_FILE)
    try:
        waiting = store.outbox_count()
        store.flush_outbox()
        return ConnectionCheck(
            store.current_operator(), store.schema_version, database.label, waiting
        )
    finally:
        store.close()
