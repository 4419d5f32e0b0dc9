"""Slack-compatible webhook posts against a real loopback HTTP endpoint (stdlib http.server)."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from app.core.webhook import WebhookError, masked_url, post_webhook


class WebhookReceiver:
    """An incoming-webhook imitation on 127.0.0.1: records bodies, answers ``status``."""

    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.posts: list[tuple[str, str, bytes]] = []  # (path, content type, body)
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # stdlib handler naming
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                receiver.posts.append((self.path, self.headers.get("Content-Type", ""), body))
                answer = b"ok" if receiver.status == 200 else b"internal_error"
                self.send_response(receiver.status)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, format: str, *args: object) -> None:  # stdlib signature
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        host, port = self._server.server_address[:2]
        self.url = f"http://{host}:{port}/services/T000/B000/secret-token"

    def __enter__(self) -> WebhookReceiver:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def texts(self) -> list[str]:
        return [json.loads(body)["text"] for _, _, body in self.posts]


def refused_url() -> str:
    """A loopback URL nobody listens on (bound, then closed)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/services/T000/B000/secret-token"


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


@pytest.mark.parametrize("url", ["", "hooks.slack.com/services/x", "ftp://example.com/x"])
def test_bad_url_is_refused_before_sending(url: str) -> None:
    with pytest.raises(WebhookError) as caught:
        post_webhook(url, "テスト")
    assert "URL が正しくありません" in caught.value.message_ja


def test_masked_url_keeps_only_scheme_and_host() -> None:
    assert masked_url("https://hooks.slack.com/services/T/B/xyz") == "https://hooks.slack.com/…"
