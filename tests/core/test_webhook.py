"""Slack-compatible webhook posts against a real loopback HTTP endpoint (stdlib http.server)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import pytest

from app.core.webhook import WebhookError, masked_url, post_webhook
from tests.helpers.hostile_server import (
    HostileHandler,
    dribbled_headers,
    hostile_server,
    run_bounded,
)
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


def _dribbled_error_body(stop: threading.Event) -> Callable[[HostileHandler], None]:
    """HTTP 500 with a 1 MB body sent a byte every 0.05 s until ``stop``: its first 4 KB
    would take 200 s, the whole body 14 hours."""

    def reply(handler: HostileHandler) -> None:
        handler.close_connection = True
        try:
            handler.send_response(500)
            handler.send_header("Content-Length", str(1024 * 1024))
            handler.end_headers()
            handler.wfile.flush()
            while not stop.wait(0.05):
                handler.wfile.write(b"x")
                handler.wfile.flush()
        except OSError:
            return

    return reply


# The servers below never finish (their handlers stop only when the test ends), so reaching
# the assertions at all shows the post was ended by its own bound; the error's detail says
# which one. The 60 s of run_bounded are a hang guard (they turn a missing bound into a
# failure instead of a stuck suite), not a speed check.
HANG_GUARD_S = 60.0


def test_dribbled_headers_end_with_a_japanese_timeout_at_the_deadline() -> None:
    """An endpoint that accepts the POST and then sends its headers a byte at a time never
    trips the per-read timeout: the check command waited for as long as it liked. The whole
    post now ends at twice the timeout, as a timeout, and is not sent again."""
    with dribbled_headers() as (url, server):
        ended, caught = run_bounded(
            lambda: post_webhook(f"{url}/hook", "テスト", timeout_s=0.5), HANG_GUARD_S
        )
        assert server.asked() == 1
    assert ended, "headers dribbled on with a 0.5 s timeout and nothing ended the post"
    assert isinstance(caught, WebhookError), caught
    assert caught.message_ja == "通知（Webhook）の送信がタイムアウトしました。"
    assert "no complete reply after 1 s" in caught.detail, caught.detail  # twice the timeout


def test_a_dribbled_error_body_ends_at_the_deadline() -> None:
    stop = threading.Event()
    with hostile_server(_dribbled_error_body(stop)) as url:
        ended, caught = run_bounded(
            lambda: post_webhook(f"{url}/hook", "テスト", timeout_s=0.5), HANG_GUARD_S
        )
        stop.set()
    assert ended, "an error body dribbled on with a 0.5 s timeout and nothing ended the post"
    assert isinstance(caught, WebhookError), caught
    assert caught.message_ja == "通知（Webhook）の送信がタイムアウトしました。"
    assert "no complete reply after 1 s" in caught.detail, caught.detail  # twice the timeout
