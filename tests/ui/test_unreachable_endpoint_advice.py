"""本番 with an endpoint typed in 詳細設定 that does not answer: the panel names the endpoint and
offers 設定を開く, where it is fixed (it used to send the operator to the internet connection)."""

from __future__ import annotations

import socket

from app.core.errors import NetworkError
from app.core.storage.secrets import SENDGRID_KEY
from tests.helpers.ui import TEST_KEY, fetch


def test_a_typed_endpoint_that_refuses_offers_the_settings(qtbot, make_window, secrets) -> None:
    with socket.socket() as probe:  # a loopback port nobody listens on: connection refused
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    secrets.set(SENDGRID_KEY, TEST_KEY)
    window = make_window(max_retries=1)
    settings = window.controller.settings_keeper
    settings.store(settings.current.replace(sendgrid_base_url=f"http://127.0.0.1:{port}"))
    assert window.controller.connection.set_practice(False)
    fetch(qtbot, window)
    panel = window.status_panel
    assert isinstance(panel.error, NetworkError)
    shown = f"{panel.message_label.text()} {panel.error.next_step_ja}"
    assert f"127.0.0.1:{port}" in shown and "詳細設定" in shown, shown
    assert "インターネット" not in shown, shown
    assert panel.settings_button.isVisible()
