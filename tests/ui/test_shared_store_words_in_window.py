"""A shared-database error in the window names the menu, not todoku-cli's option: 月次レポート
(and the main window's banner) said 「接続先の設定（アプリは「ツール → 共有データベース…」、
todoku-cli は --database）」 to an operator who never uses the CLI."""

from __future__ import annotations

from datetime import date

from app.core.storage.history.interface import HistoryError
from app.core.storage.journal_records import SharedStoreUnavailableError
from app.core.storage.team.history_pg import _UNREACHABLE_NEXT
from app.ui.history.report_dialog import ReportDialog
from app.ui.widgets.status_panel import StatusPanel

IN_WINDOW = "接続先の設定（「ツール → 共有データベース…」）のホスト・ポート・ユーザー"


def test_the_report_dialog_names_the_menu_only(qtbot, tmp_path) -> None:
    dialog = ReportDialog([date(2026, 12, 1), date(2026, 11, 1)], tmp_path)
    qtbot.addWidget(dialog)
    dialog.show_error(
        HistoryError("共有データベースに接続できません。", next_step_ja=_UNREACHABLE_NEXT)
    )
    text = dialog.status.text()
    assert IN_WINDOW in text and "todoku-cli" not in text


def test_the_status_panel_names_the_menu_only(qtbot) -> None:
    panel = StatusPanel()
    qtbot.addWidget(panel)
    panel.show_error(SharedStoreUnavailableError())
    text = panel.next_step_label.text()
    assert IN_WINDOW in text and "todoku-cli" not in text
