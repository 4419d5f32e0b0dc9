"""Slack-compatible webhook posts against a real loopback HTTP endpoint (stdlib http.server)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.core.webhook import WebhookError, masked_url, post_webhook
from tests.helpers.webhook_receiver import WebhookReceiver, refused_url


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    with WebhookReceiver() as server:
        yield server


def test_post_sends_slack_json(receiver: WebhookReceiver) -> None:
    post_webhook(receiver.url, "配信率が下がりました <!channel> & more")
    (path, content_type, _) = receiver.posts[0]
    assert path == "/services/T000/B000/secret-token"
    assert content_type.startswith("application/json")
    # Slack reads <...> as mentions and links: escaped, so no @channel can be smuggled in.
    assert receiver.texts() == ["配信率が下がりました &lt;!channel&gt; &amp; more"]


def test_http_500_raises_japanese_error_without_the_secret(receiver: WebhookReceiver) -> None:
    receiver.status = 500
    with pytest.raises(WebhookError) as caught:
        post_webhook(receiver.url, "テスト")
    assert "HTTP 500" in caught.value.message_ja
    assert "secret-token" not in str(caught.value) and "secret-token" not in caught.value.detail
    assert len(receiver.posts) == 1  # no retry: a duplicate alert is worse than a late one


def test_connection_refused_raises_japanese_error() -> None:
    with pytest.raises(WebhookError) as caught:
        post_webhook(refused_url(), "テスト", timeout_s=5)
    assert caught.value.message_ja == "通知（Webhook）の送信先に接続できませんでした。"
    assert "secret-token" not in caught.value.detail


@pytest.mark.parametrize(
    "url",
    [
        "",
        "hooks.slack.com/services/x",
        "ftp://example.com/x",
        # Each of these escaped as a Python exception (ValueError, httpx.InvalidURL, IDNAError,
        # UnicodeError, UnicodeEncodeError) from the check command and the delivery alert.
        "http://[::1/services/x",
        "http://\x00/services/x",
        "http://xn--/services/x",
        "http://" + "a" * 70 + ".example/x",
        "https://hooks.slack.com/services/\udc80",
    ],
)
def test_bad_url_is_refused_before_sending(url: str) -> None:
    with pytest.raises(WebhookError) as caught:
        post_webhook(url, "テスト")
    assert "URL が正しくありません" in caught.value.message_ja


def test_masked_url_keeps_only_scheme_and_host() -> None:
    assert masked_url("https://hooks.slack.com/services/T/B/xyz") == "https://hooks.slack.com/…"


@pytest.mark.parametrize("status", [200, 500])
def test_a_huge_answer_is_not_read(receiver: WebhookReceiver, status: int) -> None:
    """The reply was read whole before its first 200 characters were used (or, on 2xx, not used
    at all): an endpoint answering with 300 MB, or without end, took that much memory and
    time. Only a small excerpt is read now, then the connection is closed."""
    receiver.status = status
    receiver.answer_size = 300 * 1024 * 1024
    if status == 200:
        post_webhook(receiver.url, "テスト")
    else:
        with pytest.raises(WebhookError, match="HTTP 500"):
            post_webhook(receiver.url, "テスト")
    assert receiver.answer_sent < 64 * 1024 * 1024
