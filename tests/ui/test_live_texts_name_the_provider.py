"""Live texts name the account's service: the 本番 strip (whose real data a deletion touches)
said 「実際の SendGrid のデータです」 and a fetch's retry line 「SendGrid に接続できません」 on a
live Infobip account, whatever the account's service was."""

from __future__ import annotations

import socket
from pathlib import Path

from app.core.accounts import Account, ProviderName, save_credentials
from app.core.storage.settings import AppSettings, SettingsStore
from app.sandbox import infobip_server
from tests.core.providers.harness import dataset


def test_a_live_infobip_account_is_named_in_the_live_strip(
    qtbot, make_window, secrets, tmp_path: Path
) -> None:
    with infobip_server.InfobipSandbox(dataset()) as sandbox:
        account = Account("本番", ProviderName.INFOBIP, base_url=sandbox.base_url)
        save_credentials(account, secrets, {"api_key": infobip_server.SANDBOX_API_KEY})
        SettingsStore(tmp_path / "data" / "settings.json").save(
            AppSettings(practice_mode=False, accounts=(account,), active_account="本番")
        )
        window = make_window()
        marker = window.live_marker
        qtbot.waitUntil(marker.isVisible, timeout=15_000)
        text = marker.text_label.text()
        assert "実際の Infobip のデータです" in text, text
        assert "SendGrid" not in text, text
        window.close()


def test_the_default_account_still_says_sendgrid(qtbot, make_window) -> None:
    window = make_window()
    window.live_marker.set_account("SG.…abcd", ProviderName.SENDGRID.label_ja)
    assert "実際の SendGrid のデータです" in window.live_marker.text_label.text()
    window.live_marker.set_account("", ProviderName.CMC.label_ja)
    assert "実際のカスタマーズメールクラウドのデータです" in window.live_marker.text_label.text()


def test_a_live_infobip_fetch_retries_in_infobips_name(
    qtbot, make_window, secrets, tmp_path: Path
) -> None:
    from tests.helpers.ui import fetch

    with socket.socket() as probe:  # a loopback port nobody listens on: connection refused
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    account = Account("本番", ProviderName.INFOBIP, base_url=f"http://127.0.0.1:{port}")
    save_credentials(account, secrets, {"api_key": infobip_server.SANDBOX_API_KEY})
    SettingsStore(tmp_path / "data" / "settings.json").save(
        AppSettings(practice_mode=False, accounts=(account,), active_account="本番")
    )
    window = make_window(max_retries=2)
    qtbot.waitUntil(window.live_marker.isVisible, timeout=15_000)
    lines: list[str] = []
    window.controller.fetch.progress.connect(lines.append)
    fetch(qtbot, window)
    retrying = [line for line in lines if "再試行" in line]
    assert retrying, lines
    assert all("Infobip に接続できません" in line for line in retrying), retrying
    assert not any("SendGrid" in line for line in retrying), retrying


def test_a_base_url_set_in_the_advanced_settings_is_named_not_the_real_sendgrid(
    qtbot, make_window, secrets, tmp_path: Path
) -> None:
    # A company gateway or a sandbox started by hand: its data is that endpoint's.
    from app.core.accounts import DEFAULT_ACCOUNT_NAME
    from app.sandbox.sendgrid_server import SANDBOX_API_KEY, SendGridSandbox

    with SendGridSandbox() as sandbox:
        default = Account(DEFAULT_ACCOUNT_NAME)
        save_credentials(default, secrets, {"api_key": SANDBOX_API_KEY})
        SettingsStore(tmp_path / "data" / "settings.json").save(
            AppSettings(practice_mode=False, sendgrid_base_url=sandbox.base_url)
        )
        window = make_window()
        qtbot.waitUntil(window.live_marker.isVisible, timeout=15_000)
        text = window.live_marker.text_label.text()
        host = sandbox.base_url.split("//", 1)[1].rstrip("/")
        assert f"設定した接続先 {host}" in text, text
        assert "実際の SendGrid" not in text, text
        window.close()
