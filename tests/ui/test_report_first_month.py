"""月次レポート in the first month of use: last month (the default) has no records, so the dialog
moves on to this month by itself, once, and says so. Before, it showed last month's zeros and a
first-day operator had to find 「対象月」 to see the rows just fetched."""

from __future__ import annotations

import time

from PySide6.QtCore import Qt

from app.core.dates import today_jst
from app.core.history.report import NO_PREVIOUS_RECORD
from app.core.types import ListKind
from app.sandbox.sendgrid_server import SandboxRecord
from app.ui.history import texts as history_texts
from app.ui.history.report_dialog import ReportDialog
from tests.helpers.ui import FETCH_TIMEOUT_MS, SandboxFactory


def test_an_empty_last_month_gives_way_to_this_month(qtbot, make_window, tmp_path) -> None:
    created = int(time.time()) - 60  # this month (JST), whatever today is
    records = [
        SandboxRecord(
            list_kind=ListKind.BOUNCES,
            email=f"user{i}@example.jp",
            created=created,
            reason="550 5.1.1 user unknown",
            status="5.1.1",
        )
        for i in range(5)
    ]
    window = make_window(
        sandbox_factory=SandboxFactory(records), history_path=tmp_path / "data" / "h.sqlite3"
    )
    window.range_bar.set_lists((ListKind.BOUNCES,))
    today = today_jst()
    window.range_bar.set_range(today.replace(day=1), today)
    with qtbot.waitSignal(
        window.controller.fetch.running, timeout=FETCH_TIMEOUT_MS, check_params_cb=lambda r: not r
    ):
        qtbot.mouseClick(window.range_bar.fetch_button, Qt.MouseButton.LeftButton)
    assert window.model.total == 5
    seen: list[str] = []

    def script(dialog: ReportDialog) -> int:
        qtbot.waitUntil(lambda: dialog.report is not None, timeout=FETCH_TIMEOUT_MS)
        seen.append(dialog.preview.toPlainText())
        seen.append(dialog.status.text())
        assert dialog.month == today.replace(day=1)
        assert dialog.report.month == today.replace(day=1)
        # The operator's own choice is not overridden: last month again stays last month.
        dialog.month_combo.setCurrentIndex(1)
        dialog.month_combo.activated.emit(1)
        qtbot.waitUntil(lambda: dialog.report is not None, timeout=FETCH_TIMEOUT_MS)
        assert dialog.month_combo.currentIndex() == 1
        assert history_texts.REPORT_EMPTY_MONTH in dialog.preview.toPlainText()
        qtbot.waitUntil(lambda: not window.controller.history.is_running())
        return 0

    window.history_part.run_dialog = script
    window.history_part.report_action.trigger()
    assert seen, "the dialog did not run"
    preview, status = seen
    assert "件数: 5 件" in preview and history_texts.REPORT_EMPTY_MONTH not in preview
    assert status == history_texts.REPORT_MOVED_TO_THIS_MONTH
    # Last month was never fetched: no 「+5 件（前月 0 件）」, and no domain "grew" from it.
    assert f"件数: 5 件（{NO_PREVIOUS_RECORD}）" in preview
    assert "前月 0 件" not in preview
    assert "example.jp +5" not in preview
    assert preview.splitlines()[0].endswith("（練習モード）")
