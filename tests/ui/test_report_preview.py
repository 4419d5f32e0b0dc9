"""月次レポート's preview text: labelled lines, and what to do about a month with no records."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from app.core.history.report import build_monthly_report
from app.core.storage.history import AccountKey
from app.core.storage.history.sqlite_store import SqliteHistoryStore
from app.ui.history import texts
from app.ui.history.report_dialog import key_figures


def test_a_month_without_records_says_what_to_do(tmp_path: Path) -> None:
    # The default month is last month; a new operator's history starts this month. Zeros and
    # 「なし」 alone read as "nothing went wrong" rather than "nothing fetched".
    store = SqliteHistoryStore(tmp_path / "history.sqlite3")
    try:
        report = build_monthly_report(store, AccountKey(account="練習"), date(2026, 11, 1))
    finally:
        store.close()
    preview = key_figures(report)
    assert preview.splitlines()[2] == "内訳: なし"
    assert preview.endswith(texts.REPORT_EMPTY_MONTH)
    assert "対象月" in texts.REPORT_EMPTY_MONTH
