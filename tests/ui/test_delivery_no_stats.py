"""配信状況 for an account without statistics (CMC, Infobip, SES). Before, beside the note that
statistics are SendGrid's only, the tab said 「配信統計はまだ読み込まれていません」 and
「配信統計がまだありません」, and the しきい値 box could be changed: the operator waited for
figures that never come."""

from __future__ import annotations

from app.core.accounts import ProviderName
from app.ui.delivery import view as delivery_view
from tests.ui.test_accounts import NAMES, ProviderSandboxes, add_account, fetch_wide


def switch_to(window, name: str) -> None:
    bar = window.account_bar
    bar.combo.setCurrentIndex(bar.combo.findData(name))
    bar.combo.activated.emit(bar.combo.currentIndex())


def test_an_account_without_statistics_says_so_and_sendgrid_gets_them_back(
    qtbot, make_window
) -> None:
    window = make_window(provider_sandbox_factory=ProviderSandboxes())
    add_account(window, ProviderName.CMC)
    switch_to(window, NAMES[ProviderName.CMC])
    fetch_wide(qtbot, window)
    view = window.delivery_tab.view
    assert "SendGrid のアカウントでのみ" in window.delivery_tab.message
    assert view.banner.text() == delivery_view.NO_STATS
    assert "まだ" not in view.banner.text()
    assert view.delivery_chart.empty_text == delivery_view.NO_STATS_CHART
    assert not view.threshold_spin.isEnabled()

    switch_to(window, window.controller.accounts.accounts()[0].name)  # SendGrid (practice)
    fetch_wide(qtbot, window)
    qtbot.waitUntil(lambda: view.report is not None, timeout=15_000)
    assert view.banner.text() != delivery_view.NO_STATS
    assert view.threshold_spin.isEnabled()
    assert view.delivery_chart.empty_text != delivery_view.NO_STATS_CHART
