"""Screenshots of team mode (issue 18, docs/team-mode.md) at 1366×768 and 1280×800:
the 共有データベース dialog after a 接続テスト, the window of a 閲覧 operator (deletion off,
who is connected in the status bar), and the delete result listing addresses another operator
had deleted first (「田中さんが 10:42 に削除済み」), and the window while the shared store is
still connecting (a server that never answers) and after it could not connect.

Needs Debian's ``postgresql`` package (a throw-away server on loopback, as the tests use) and a
real X server (see docs/screenshots.py, which calls ``capture_team``):
    Xvfb :94 -screen 0 1366x768x24 & DISPLAY=:94 python docs/screenshots_team.py
"""

from __future__ import annotations

import socket
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS.parent))

from app.core.classify import LazyClassifier  # noqa: E402
from app.core.deletion.run import DeletionReport  # noqa: E402
from app.core.storage.journal_records import ClaimConflict, ClaimState  # noqa: E402
from app.core.storage.secrets import MemorySecretStore  # noqa: E402
from app.core.storage.settings import AppSettings, SettingsStore  # noqa: E402
from app.core.types import DeleteOutcome, DeleteStatus, ListKind  # noqa: E402
from app.paths import resources_dir  # noqa: E402
from app.sandbox.postgres_server import PostgresServer, make_team_database  # noqa: E402
from app.ui.connection.controller import in_process_practice_sandbox  # noqa: E402
from app.ui.controller import MainController  # noqa: E402
from app.ui.delete.delete_result import DeleteResultDialog  # noqa: E402
from app.ui.main_window import MainWindow  # noqa: E402
from app.ui.models.entry_table import Column  # noqa: E402
from app.ui.persist import UiState  # noqa: E402
from docs.screenshots_accounts import save, wait, wait_until  # noqa: E402

SIZES = ((1366, 768, ""), (1280, 800, "-1280"))


def conflict_report() -> DeletionReport:
    """What the second operator sees when 田中 deleted two of the addresses a moment earlier."""
    at = datetime.now(UTC) - timedelta(minutes=7)

    def conflict(email: str) -> ClaimConflict:
        return ClaimConflict(ListKind.BOUNCES, email, ClaimState.DELETED, 41, "田中", "tanaka", at)

    return DeletionReport(
        operation_id=42,
        outcomes=(
            DeleteOutcome(
                ListKind.BOUNCES, "hasegawa.yui@minato-bussan.co.jp", DeleteStatus.DELETED
            ),
        ),
        practice=True,
        conflicts=(conflict("taro+newsletter@gmail.com"), conflict("akiko_yamamoto.703@au.com")),
    )


def capture_team(root: Path) -> None:
    server = PostgresServer().start()
    try:
        make_team_database(
            server, "todoku", {"tanaka": ("田中", "delete"), "sato": ("佐藤", "view")}
        )
        _capture(root, server)
        from docs.screenshots_team_history import capture_team_history

        capture_team_history(root, server)
    finally:
        server.stop()
    _capture_unreachable(root)


def _capture_unreachable(root: Path) -> None:
    """A listening socket nobody answers: 接続中…, then (socket closed) 接続できません."""
    silent = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    store = SettingsStore(root / "unreachable" / "settings.json")
    store.save(
        AppSettings(
            shared_db_enabled=True,
            shared_db_host="127.0.0.1",
            shared_db_port=silent.getsockname()[1],
            shared_db_name="todoku",
            shared_db_user="tanaka",
            shared_db_sslmode="disable",
        )
    )
    controller = MainController(
        settings_store=store,
        secrets=MemorySecretStore(),
        classify=LazyClassifier(rules_dir=resources_dir() / "rules"),
        sandbox_factory=in_process_practice_sandbox,
        journal_path=root / "unreachable" / "journal.sqlite3",
        data_dir=root / "unreachable",
    )
    window = MainWindow(controller, UiState(), log_path=str(root / "todoku.log"))
    window.show()
    try:
        wait_until(lambda: controller.deletion.connecting)
        window.range_bar.fetch_button.click()
        wait_until(lambda: not controller.fetch.is_running() and controller.model.total > 0)
        for width, height, suffix in SIZES:
            window.resize(width, height)
            wait(400)
            save(window, f"team-window-connecting{suffix}")
    finally:
        silent.close()
    wait_until(lambda: not controller.deletion.connecting)
    for width, height, suffix in SIZES:
        window.resize(width, height)
        wait(400)
        save(window, f"team-window-unreachable{suffix}")
    wait_until(lambda: not controller.runner.active_jobs)
    window.close()
    controller.close_storage()
    QApplication.processEvents()


def _capture(root: Path, server: PostgresServer) -> None:
    store = SettingsStore(root / "team-settings.json")
    store.save(
        AppSettings(
            shared_db_enabled=True,
            shared_db_host="127.0.0.1",
            shared_db_port=server.port,
            shared_db_name="todoku",
            shared_db_user="sato",
            shared_db_sslmode="disable",  # the throw-away server has no certificate
        )
    )
    secrets = MemorySecretStore()

    def show_result(report: DeletionReport, parent) -> bool:
        return False

    controller = MainController(
        settings_store=store,
        secrets=secrets,
        classify=LazyClassifier(rules_dir=resources_dir() / "rules"),
        sandbox_factory=in_process_practice_sandbox,
        journal_path=root / "team-journal.sqlite3",
        data_dir=root,
        show_delete_result=show_result,
    )
    window = MainWindow(controller, UiState(), log_path=str(root / "todoku.log"))
    window.show()
    wait_until(lambda: controller.deletion.journal is not None)
    window.range_bar.fetch_button.click()
    wait_until(lambda: not controller.fetch.is_running() and controller.model.total > 0)
    wait_until(lambda: not controller.runner.active_jobs)
    model = window.model
    for row in (0, 2, 3):
        model.setData(
            model.index(row, Column.CHECK), Qt.CheckState.Checked, Qt.ItemDataRole.CheckStateRole
        )
    for width, height, suffix in SIZES:
        window.resize(width, height)
        wait(400)
        save(window, f"team-window-view-only{suffix}")

    team = controller.team
    for width, height, suffix in SIZES:
        dialog = team.make_dialog(window)
        dialog.password_edit.setText("example-password")
        dialog.show()
        dialog.test_button.click()
        wait_until(lambda: not team.is_running())
        wait(300)
        dialog.move(
            window.x() + (width - dialog.width()) // 2, window.y() + (height - dialog.height()) // 3
        )
        save(dialog, f"team-settings{suffix}")
        team.detach()
        dialog.close()
        dialog.deleteLater()

    result = DeleteResultDialog(conflict_report(), window)
    result.show()
    wait(300)
    save(result, "team-delete-conflicts")
    result.close()
    window.close()
    controller.close_storage()
    QApplication.processEvents()


def main() -> int:
    app = QApplication.instance() or QApplication(sys.argv)
    from app.ui.qt_japanese import install_qt_japanese

    install_qt_japanese(app)  # Qt's own buttons as the operators see them
    root = Path(tempfile.mkdtemp(prefix="todoku-team-shots-"))
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(root / "qt"))
    assert app is not None
    capture_team(root)
    return 0


if __name__ == "__main__":
    sys.exit(main())
