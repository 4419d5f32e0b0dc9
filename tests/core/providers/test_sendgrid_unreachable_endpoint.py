"""An endpoint typed in 詳細設定 that does not answer: the error names it and points to that
setting, not to the internet connection (which works: only the typed endpoint is down)."""

from __future__ import annotations

import socket

import pytest

from app.core.errors import NetworkError
from app.core.providers.sendgrid import SendGridProvider
from app.core.types import ListKind
from tests.helpers.core_sandbox import API_KEY, RANGE


def _closed_port() -> int:
    with socket.socket() as probe:  # a loopback port nobody listens on: connection refused
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_typed_endpoint_that_refuses_is_named_with_its_setting() -> None:
    port = _closed_port()
    provider = SendGridProvider(
        API_KEY, base_url=f"http://127.0.0.1:{port}", max_retries=1, retry_backoff_s=0.01
    )
    with provider, pytest.raises(NetworkError) as caught:
        provider.fetch(RANGE, [ListKind.BOUNCES])
    error = caught.value
    # Before: 「SendGrid に接続できませんでした。」「インターネット接続やプロキシの設定を確認し…」
    assert f"127.0.0.1:{port}" in error.message_ja
    assert "詳細設定" in error.next_step_ja and "接続先 URL" in error.next_step_ja
    assert "インターネット" not in error.next_step_ja
