"""推移 in the first month of use: 今月に増えたドメイン says the month before was never fetched
instead of listing every domain as grown from zero (「docomo.ne.jp: 0 → 279 件（+279）」); once
that month is fetched, the comparison is shown."""

from __future__ import annotations

import time

from PySide6.QtCore import Qt

from app.core.dates import today_jst
from app.core.history.trends import previous_month
from app.core.types import ListKind
from app.sandbox.sendgrid_server import SandboxRecord
from app.ui.history import texts as history_texts
from tests.helpers.ui import FETCH_TIMEOUT_MS, SandboxFactory


def fetch_from(qtbot, window, first) -> None:
    window.range_bar.set_range(first, today_jst())
    with qtbot.waitSignal(
        window.controller.fetch.running, timeout=FETCH_TIMEOUT_MS, check_params_cb=lambda r: not r
    ):
        qtbot.mouseClick(window.range_bar.fetch_button, Qt.MouseButton.LeftButton)


def growing_text(qtbot, window) -> str:
    tab = window.history_part.trends_tab
    controller = window.controller.history
    with qtbot.waitSignal(controller.trends_ready, timeout=FETCH_TIMEOUT_MS):
        if window.tabs.currentWidget() is tab:
            tab.refresh_button.click()
        else:
            window.tabs.setCurrentWidget(tab)
    qtbot.waitUntil(lambda: not controller.is_running())
    return tab.growing.toPlainText()


def test_growing_domains_wait_for_the_month_before_to_be_fetched(
    qtbot, make_window, tmp_path
) -> None:
    created = int(time.time()) - 60  # this month (JST)
    records = [
        SandboxRecord("bounces", f"user{i}@example.jp", created, "550 5.1.1 unknown", "5.1.1")
        for i in range(5)
    ]
    window = make_window(
        sandbox_factory=SandboxFactory(records), history_path=tmp_path / "data" / "h.sqlite3"
    )
    window.range_bar.set_lists((ListKind.BOUNCES,))
    this_month = today_jst().replace(day=1)
    fetch_from(qtbot, window, this_month)
    assert window.model.total == 5
    assert growing_text(qtbot, window) == history_texts.TRENDS_GROWING_NO_PREVIOUS
    # The account is named as the window names practice mode, not by the history's key 「練習」.
    account = window.history_part.trends_tab.account_label.text()
    assert account == history_texts.TRENDS_ACCOUNT.format(account="練習モード")

    # Last month fetched too (it had nothing): now 0 → 5 is a real comparison.
    window.tabs.setCurrentIndex(0)
    fetch_from(qtbot, window, previous_month(this_month))
    text = growing_text(qtbot, window)
    assert text.startswith("example.jp: 0 → 5 件（+5）")
