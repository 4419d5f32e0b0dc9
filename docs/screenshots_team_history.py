"""Screenshots of 削除履歴… in team mode (docs/team-mode.md) at 1366×768 and 1280×800: the
window while the shared journal is read by a job (a server gone silent: the progress line and
キャンセル), and the dialog opened with what the job read. Called by docs/screenshots_team.py
with its throw-away PostgreSQL server."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtWidgets import QApplication

from app.core.classify import LazyClassifier
from app.core.storage.journal_records import (
    EntryResult,
    NewEntry,
    OperationMeta,
    OperationState,
    ResultUpdate,
)
from app.core.storage.secrets import MemorySecretStore
from app.core.storage.settings import AppSettings, SettingsStore
from app.core.storage.team.connection import parse_database_url
from app.core.storage.team.journal_pg import PostgresJournal
from app.core.types import ListKind
from app.paths import resources_dir
from app.sandbox.postgres_server import PostgresServer
from app.ui.connection.controller import in_process_practice_sandbox
from app.ui.controller import MainController
from app.ui.delete.history_dialog import HistoryDialog
from app.ui.main_window import MainWindow
from app.ui.persist import UiState
from docs.screenshots_accounts import save, wait, wait_until
from tests.helpers.silent_relay import SilentRelay

SIZES = ((1366, 768, ""), (1280, 800, "-1280"))
OPERATIONS = (
    ("住民から連絡あり", ("hasegawa.yui@minato-bussan.co.jp", "k.ito@example-city.lg.jp")),
    ("月次の整理", ("taro+newsletter@gmail.com", "akiko_yamamoto.703@au.com", "info@shop.jp")),
)


def _record_operations(url: str) -> None:
    store = PostgresJournal(parse_database_url(url))
    try:
        created = datetime(2026, 11, 3, 1, 2, 3, tzinfo=UTC)
        for note, emails in OPERATIONS:
            meta = OperationMeta(
                "本番",
                "",
                "global",
                "api.sendgrid.com",
                False,
                note,
                os_user="tanaka",
                display_name="田中",
            )
            entries = [NewEntry(ListKind.BOUNCES, e, created, "5.1.1", "550 5.1.1") for e in emails]
            operation_id = store.create_operation(meta, entries)
            store.record_results(
                operation_id,
                [ResultUpdate(ListKind.BOUNCES, e, EntryResult.DELETED) for e in emails],
            )
            store.set_state(operation_id, OperationState.DONE)
    finally:
        store.close()


def capture_team_history(root: Path, server: PostgresServer) -> None:
    _record_operations(server.url("tanaka", "todoku"))
    relay = SilentRelay(server.port)
    store = SettingsStore(root / "team-history" / "settings.json")
    store.save(
        AppSettings(
            shared_db_enabled=True,
            shared_db_host="127.0.0.1",
            shared_db_port=relay.port,
            shared_db_name="todoku",
            shared_db_user="tanaka",
            shared_db_sslmode="disable",
        )
    )
    dialogs: list[HistoryDialog] = []

    def run_history(dialog: HistoryDialog) -> int:
        dialog.show()  # 1000×640: the same on both screen sizes
        wait(400)
        save(dialog, "team-history-dialog")
        dialogs.append(dialog)
        return 0

    controller = MainController(
        settings_store=store,
        secrets=MemorySecretStore(),
        classify=LazyClassifier(rules_dir=resources_dir() / "rules"),
        sandbox_factory=in_process_practice_sandbox,
        journal_path=root / "team-history" / "journal.sqlite3",
        data_dir=root / "team-history",
        run_history_dialog=run_history,
    )
    window = MainWindow(controller, UiState(), log_path=str(root / "todoku.log"))
    window.show()
    try:
        wait_until(lambda: controller.deletion.journal is not None)
        window.range_bar.fetch_button.click()
        wait_until(lambda: not controller.fetch.is_running() and controller.model.total > 0)
        wait_until(lambda: not controller.runner.active_jobs)
        controller.deletion.open_history(window)  # the server answers: the dialog opens
        wait_until(lambda: bool(dialogs))
        relay.go_silent()
        controller.deletion.open_history(window)  # now it waits for an answer
        for width, height, suffix in SIZES:
            window.resize(width, height)
            wait(600)
            save(window, f"team-window-history-reading{suffix}")
    finally:
        relay.close()
    wait_until(lambda: not controller.runner.active_jobs)
    window.close()
    controller.close_storage()
    QApplication.processEvents()
