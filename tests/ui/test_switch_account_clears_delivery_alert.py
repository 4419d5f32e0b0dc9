"""Switching from practice to the live account after a practice fetch: the grid is emptied (its
rows belong to the other account), but the delivery alert above the tabs and the 配信状況 tab keep
the practice server's bad day, now under the 本番 title. The operator reads it as a delivery
problem of the live account."""

from __future__ import annotations

from datetime import timedelta

from app.core.dates import today_jst
from app.core.storage.secrets import SENDGRID_KEY
from app.ui import texts
from tests.helpers.ui import TEST_KEY, fetch


def test_switching_to_live_drops_the_practice_delivery_alert(
    qtbot, make_window, sandbox_factory, secrets, live_sandbox
) -> None:
    secrets.set(SENDGRID_KEY, TEST_KEY)
    window = make_window(live_base_url=live_sandbox.base_url)
    fetch(qtbot, window)  # starts the practice sandbox
    sandbox_factory.sandbox.set_bad_day(today_jst() - timedelta(days=3), delivered_ratio=0.5)
    fetch(qtbot, window)
    qtbot.waitUntil(window.delivery_alert.isVisible, timeout=8000)  # practice's bad day
    assert window.tabs.tabText(1) == texts.TAB_DELIVERY_ALERT

    assert window.controller.connection.set_practice(False)  # 本番 (nothing fetched there yet)
    qtbot.wait(300)
    assert window.model.total == 0  # the practice rows are gone: right

    # Found: the alert 「⚠ 配信率がしきい値（97%）を下回った日があります（1 日）— 配信状況タブを
    # 確認してください」 and the tab's ⚠ stay, about the practice server, under the 本番 title.
    # Neither ConnectionController.switched nor AccountsController.switched resets the
    # delivery feature (MainController wires them to the grid and history only).
    assert not window.delivery_alert.isVisible()
    assert window.tabs.tabText(1) == texts.TAB_DELIVERY
