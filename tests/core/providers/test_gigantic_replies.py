"""A reply far larger than any page (an endless body, a huge declared length, a gzip bomb)
is refused after a bounded read, with the provider's Japanese error.

httpx read a whole body into memory before any check ran, so a broken or hostile server could
make the app take gigabytes. The imitations never send such a thing; a tiny loopback server
plays it here.
"""

from __future__ import annotations

import gzip
import threading
import tracemalloc
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler

import pytest

from app.core.providers.bounded_read import MAX_RESPONSE_BYTES, ResponseTooLargeError
from app.core.providers.cmc import CmcProvider
from app.core.providers.sendgrid import SendGridProvider
from app.core.types import ListKind
from tests.helpers.core_sandbox import API_KEY, RANGE
from tests.helpers.quiet_server import QuietHTTPServer

_CHUNK = b"[" + b" " * (1024 * 1024 - 1)


class _Gigantic(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    mode = "endless"

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self._reply()

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self._reply()

    def _reply(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        if self.mode == "declared":
            self.send_header("Content-Length", str(10 * 1024**3))
            self.end_headers()
            self.wfile.write(b"[]")
            return
        if self.mode == "gzip":
            body = gzip.compress(b" " * (MAX_RESPONSE_BYTES + 1024 * 1024) + b"[]", 1)
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        try:
            for _ in range(4 * MAX_RESPONSE_BYTES // len(_CHUNK)):  # stops long before a hang
                self.wfile.write(b"%x\r\n%s\r\n" % (len(_CHUNK), _CHUNK))
        except OSError:
            return  # the client stopped reading, as it should


@pytest.fixture
def gigantic() -> Iterator[tuple[str, type[_Gigantic]]]:
    handler = type("Handler", (_Gigantic,), {})
    server = QuietHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", handler
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("mode", ["endless", "declared", "gzip"])
def test_sendgrid_stops_reading_a_gigantic_page(gigantic, mode: str) -> None:
    base_url, handler = gigantic
    handler.mode = mode
    tracemalloc.start()
    try:
        with (
            SendGridProvider(API_KEY, base_url=base_url, retry_backoff_s=0.01) as provider,
            pytest.raises(ResponseTooLargeError, match="SendGrid からの応答が大きすぎる"),
        ):
            provider.fetch(RANGE, [ListKind.BOUNCES])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 3 * MAX_RESPONSE_BYTES  # bounded: not the 256 MB the server offered


def test_other_providers_stop_too(gigantic) -> None:
    base_url, handler = gigantic
    handler.mode = "endless"
    provider = CmcProvider("user", "key", "server", base_url=base_url, retry_backoff_s=0.01)
    try:
        with pytest.raises(ResponseTooLargeError, match="からの応答が大きすぎる"):
            provider.fetch(RANGE, [ListKind.BOUNCES])
    finally:
        provider.close()
