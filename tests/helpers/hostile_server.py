"""A loopback HTTP server whose every answer a test writes by hand (a broken or hostile service).

``hostile_server(reply)`` starts it; ``reply(handler)`` sees the request (``handler.path``,
``handler.command``, ``handler.body``) and writes the answer, e.g. with ``send_json``.
``dribbled_headers()`` starts one that sends a status line and then header bytes one at a
time, never ending them. A fetch that never ends is run with ``run_bounded`` so the test fails
after a few seconds instead of hanging the suite.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.helpers.quiet_server import QuietHTTPServer

Reply = Callable[["HostileHandler"], None]


class HostileHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    reply: Reply
    body = b""

    def log_message(self, *args: object) -> None:
        pass

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.body = self.rfile.read(length) if length else b""
        type(self).reply(self)

    do_GET = do_POST = do_PUT = do_DELETE = _answer


def send_json(handler: BaseHTTPRequestHandler, value: Any, status: int = 200) -> None:
    body = json.dumps(value).encode()
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


class DribbledHeaders:
    """A server that sends a status line, then one header byte every 0.1 s, never the end."""

    def __init__(self) -> None:
        self.stop = threading.Event()
        self.requests = 0

    def __call__(self, handler: HostileHandler) -> None:
        self.requests += 1  # one handler thread per connection; a test reads it afterwards
        handler.close_connection = True
        try:
            handler.wfile.write(b"HTTP/1.1 200 OK\r\nX-Slow: ")
            handler.wfile.flush()
            while not self.stop.wait(0.1):
                handler.wfile.write(b"a")
                handler.wfile.flush()
        except OSError:
            return

    def asked(self) -> int:
        return self.requests


@contextmanager
def hostile_server(reply: Reply) -> Iterator[str]:
    """The server's base URL while the block runs."""
    handler = type("Handler", (HostileHandler,), {"reply": staticmethod(reply)})
    server = QuietHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def dribbled_headers() -> Iterator[tuple[str, DribbledHeaders]]:
    """A ``DribbledHeaders`` server's base URL and the server, stopped when the block ends."""
    server = DribbledHeaders()
    with hostile_server(server) as url:
        try:
            yield url, server
        finally:
            server.stop.set()


def run_bounded(work: Callable[[], Any], seconds: float) -> tuple[bool, Any]:
    """Run ``work`` on a daemon thread for at most ``seconds``: (ended, its result or error)."""
    outcome: list[Any] = []

    def run() -> None:
        try:
            outcome.append(work())
        except BaseException as error:  # the test inspects it
            outcome.append(error)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(seconds)
    return (not worker.is_alive(), outcome[0] if outcome else None)


def ses_delete_one(reply: Reply, email: str = "taro@example.jp") -> Any:
    """The outcome of deleting ``email`` from SES's bounce list when ``reply`` answers."""
    from app.core.providers.aws_sigv4 import AwsCredentials
    from app.core.providers.ses import SesProvider
    from app.core.types import ListKind

    with (
        hostile_server(reply) as url,
        SesProvider(
            "ap-northeast-1", AwsCredentials("AKIDEXAMPLE", "secret"), base_url=url,
            max_retries=1, retry_backoff_s=0.01,
        ) as provider,
    ):  # fmt: skip
        (outcome,) = provider.delete(ListKind.BOUNCES, [email])
    return outcome
