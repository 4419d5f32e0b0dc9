"""共有データベース's 接続テスト against a server that is not there: the next step points at
this dialog's fields. Before, it said 「接続先の設定（アプリは「ツール → 共有データベース…」、
todoku-cli は --database）の…」 to an operator already in that dialog, who does not use the CLI."""

from __future__ import annotations

import socket

from PySide6.QtCore import Qt

from app.core.storage.journal_records import SharedStoreUnavailableError
from app.ui.team.team_texts import in_this_dialog
from tests.ui.test_team_window import TIMEOUT_MS, make_team_window, no_pgpassword  # noqa: F401


def test_the_connection_test_names_this_dialog_not_the_menu_or_the_cli(
    qtbot,
    make_team_window,  # noqa: F811
    tmp_path,
) -> None:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]  # closed again: nobody listens there
    window = make_team_window(journal_path=tmp_path / "data" / "journal.sqlite3")
    team = window.controller.team
    dialog = team.make_dialog(window)
    qtbot.addWidget(dialog)
    dialog.enabled_check.setChecked(True)
    dialog.host_edit.setText("127.0.0.1")
    dialog.port_spin.setValue(port)
    dialog.user_edit.setText("tanaka")
    dialog.ssl_combo.setCurrentIndex(dialog.ssl_combo.findData("disable"))
    with qtbot.waitSignal(team.tested, timeout=TIMEOUT_MS):
        qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not team.is_running(), timeout=TIMEOUT_MS)
    text = dialog.result_label.text()
    assert "共有データベースに接続できません" in text
    assert "この画面のホスト・ポート・ユーザー" in text
    assert "todoku-cli" not in text and "ツール →" not in text
    team.detach()


def test_the_cli_keeps_its_words() -> None:
    next_step = SharedStoreUnavailableError().next_step_ja
    assert "todoku-cli は --database" in next_step
    assert "todoku-cli" not in in_this_dialog(next_step)
