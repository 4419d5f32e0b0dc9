"""月次レポート saved in practice mode: the files say so in their names and inside. Before, a
practice report was saved as 「届く_月次レポート_2026-12.xlsx」, the name the real account's
report of that month gets (saving one overwrote the other without a word), and its Excel and
PDF named the account 「練習」, as if someone had named an account so."""

from __future__ import annotations

import time

import openpyxl
from PySide6.QtCore import Qt

from app.core.dates import today_jst
from app.core.storage.history.interface import AccountKey
from app.core.types import ListKind
from app.sandbox.sendgrid_server import SandboxRecord
from app.ui.history.report_dialog import ReportDialog, _account_part
from tests.helpers.ui import FETCH_TIMEOUT_MS, SandboxFactory


def test_a_practice_report_is_named_practice_in_its_file_name_and_inside(
    qtbot, make_window, tmp_path
) -> None:
    created = int(time.time()) - 60
    records = [
        SandboxRecord(
            list_kind=ListKind.BOUNCES,
            email=f"user{i}@example.jp",
            created=created,
            reason="550 5.1.1 user unknown",
            status="5.1.1",
        )
        for i in range(3)
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
    folder = tmp_path / "reports"
    folder.mkdir()
    saved: list[tuple] = []

    def script(dialog: ReportDialog) -> int:
        qtbot.waitUntil(lambda: dialog.report is not None, timeout=FETCH_TIMEOUT_MS)
        dialog.folder_edit.setText(str(folder))
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: bool(dialog.saved), timeout=FETCH_TIMEOUT_MS)
        saved.append(dialog.saved)
        qtbot.waitUntil(lambda: not window.controller.history.is_running())
        return 0

    window.history_part.run_dialog = script
    window.history_part.report_action.trigger()
    assert saved, "the dialog did not save"
    month = f"{today:%Y-%m}"
    names = sorted(path.name for path in saved[0])
    assert names == [
        f"届く_月次レポート_{month}_練習モード.pdf",
        f"届く_月次レポート_{month}_練習モード.xlsx",
    ]
    sheet = openpyxl.load_workbook(folder / names[1]).worksheets[0]
    facts = {row[0]: row[1] for row in sheet.iter_rows(max_row=6, values_only=True) if row[0]}
    assert facts["アカウント"] == "練習モード"


def test_other_accounts_name_themselves_and_the_default_keeps_the_plain_name() -> None:
    assert _account_part(AccountKey(account="既定")) == ""
    assert _account_part(AccountKey(provider="cmc", account="本番")) == "_本番"
    cmc_practice = AccountKey(provider="cmc", account="本番", practice=True)
    assert _account_part(cmc_practice) == "_本番_練習モード"
    assert _account_part(AccountKey(account="既定", subuser="shop/a")) == "_shop_a"
