"""The 配信状況 tab wired to fetches: per-day stats for the fetched range, the cause × domain
breakdown, the main-window warning on a bad day, a stats failure that spares the grid, and the
remembered threshold."""

from __future__ import annotations

import json
from datetime import timedelta

from PySide6.QtCore import Qt

from app.core.dates import today_jst
from app.core.errors import ScopeError
from app.core.storage.secrets import SENDGRID_KEY
from app.core.types import ListKind
from app.ui import texts
from tests.helpers.ui import fetch

STATS_TIMEOUT_MS = 10_000


def wait_for_stats(qtbot, window) -> None:
    view = window.delivery_view
    qtbot.waitUntil(
        lambda: (
            view.report is not None
            or (
                bool(window.delivery_tab.message)
                and texts.STATS_LOADING not in window.delivery_tab.message
            )
        ),
        timeout=STATS_TIMEOUT_MS,
    )
    qtbot.waitUntil(lambda: view.breakdown_chart.model() is not None or view.report is None)


def test_fetch_fills_the_tab_with_daily_stats_for_the_same_range(
    qtbot, make_window, sandbox_factory
) -> None:
    window = make_window()
    assert window.tabs.tabText(1) == texts.TAB_DELIVERY
    fetch(qtbot, window)
    wait_for_stats(qtbot, window)
    chosen = window.range_bar.date_range()
    report = window.delivery_view.report
    assert report is not None
    assert [day.date for day in report.daily] == [
        chosen.start + timedelta(days=offset) for offset in range(chosen.days)
    ]
    assert sum(day.requests for day in report.daily) > 0
    (stats_request,) = [r for r in sandbox_factory.sandbox.request_log if r.path == "/v3/stats"]
    assert stats_request.query["start_date"] == [chosen.start.isoformat()]
    assert stats_request.query["end_date"] == [chosen.end.isoformat()]
    breakdown = window.delivery_view.breakdown_chart.model()
    assert breakdown is not None and breakdown.total == window.model.total
    assert window.delivery_tab.message == ""
    assert report.threshold == window.controller.settings.delivery_threshold == 0.97


def test_a_bad_day_warns_in_the_main_window(qtbot, make_window, sandbox_factory) -> None:
    window = make_window()
    window.controller.connection.config()  # starts the practice sandbox
    bad_day = today_jst() - timedelta(days=2)
    sandbox_factory.sandbox.set_bad_day(bad_day, delivered_ratio=0.80)
    fetch(qtbot, window)
    wait_for_stats(qtbot, window)
    report = window.delivery_view.report
    assert report is not None and bad_day in [day.date for day in report.below_days]
    alert = window.delivery_alert
    assert alert.isVisible()  # on the main window, whichever tab is showing
    assert window.tabs.currentIndex() == 0
    assert "しきい値（97%）を下回った日があります" in alert.label.text()
    assert "配信状況タブを確認してください" in alert.label.text()
    assert window.tabs.tabText(1) == texts.TAB_DELIVERY_ALERT
    assert window.delivery_view.banner_state == "warning"
    qtbot.mouseClick(alert.show_button, Qt.MouseButton.LeftButton)
    assert window.tabs.currentWidget() is window.delivery_tab
    # On 配信状況 itself the strip (「…配信状況タブを確認してください」, 配信状況を見る) steps
    # aside; the tab title keeps its ⚠, and the strip is back on the other tabs.
    assert not alert.isVisible()
    assert window.tabs.tabText(1) == texts.TAB_DELIVERY_ALERT
    window.tabs.setCurrentIndex(0)
    assert alert.isVisible()
    window.tabs.setCurrentWidget(window.delivery_tab)
    assert not alert.isVisible()

    # Lowering the threshold under the bad day's rate clears the warning, and is remembered.
    window.delivery_view.threshold_spin.setValue(70.0)
    assert window.tabs.tabText(1) == texts.TAB_DELIVERY
    window.tabs.setCurrentIndex(0)
    assert not alert.isVisible()  # the condition is gone: not back on leaving the tab
    assert window.controller.settings.delivery_threshold == 0.7
    saved = json.loads(window.controller.settings_keeper.path.read_text(encoding="utf-8"))
    assert saved["delivery_threshold"] == 0.7
    window.close()
    again = make_window()
    assert again.delivery_view.threshold == 0.7


def test_stats_failure_is_explained_in_the_tab_and_spares_the_grid(
    qtbot,
    make_window,
    secrets,
    live_sandbox,
) -> None:
    secrets.set(SENDGRID_KEY, "SG.bounces-only")  # may read bounces, not stats → 403
    window = make_window(live_base_url=live_sandbox.base_url)
    assert window.controller.connection.set_practice(False)
    fetch(qtbot, window, lists=(ListKind.BOUNCES,))
    wait_for_stats(qtbot, window)
    assert window.model.total > 0
    assert not window.status_panel.isVisible()  # the fetch itself succeeded
    message = window.delivery_tab.message
    assert message.startswith("配信統計を取得できませんでした: ")
    assert ScopeError().message_ja in message or "権限" in message
    assert window.delivery_view.report is None
    assert not window.delivery_alert.isVisible()
    stats_calls = [r for r in live_sandbox.request_log if r.path == "/v3/stats"]
    assert [r.status for r in stats_calls] == [403]
    assert window.range_bar.fetch_button.isEnabled()


def test_a_dismissed_delivery_alert_stays_away_until_new_figures(qtbot, make_window) -> None:
    window = make_window()
    alert = window.delivery_alert
    alert.update_days(3, 0.9)
    assert alert.isVisible()
    qtbot.mouseClick(alert.close_button, Qt.MouseButton.LeftButton)
    assert not alert.isVisible()
    window.tabs.setCurrentWidget(window.delivery_tab)
    window.tabs.setCurrentIndex(0)
    assert not alert.isVisible()  # × is not undone by a visit to 配信状況
    alert.update_days(2, 0.9)  # a new fetch's figures warn again
    assert alert.isVisible()
