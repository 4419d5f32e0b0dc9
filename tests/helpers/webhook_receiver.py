"""An incoming-webhook imitation on loopback, and a loopback URL nobody listens on."""

from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler

from tests.helpers.quiet_server import QuietHTTPServer


class WebhookReceiver:
    """An incoming-webhook imitation on 127.0.0.1: records bodies, answers ``status``."""

    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.posts: list[tuple[str, str, bytes]] = []  # (path, content type, body)
        self.answer_size = 0  # > 0: answer with this many bytes (a hostile or broken endpoint)
        self.error_answer = b"internal_error"  # the body of a non-200 answer
        self.answer_sent = 0  # bytes of that answer actually sent before the client hung up
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # stdlib handler naming
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                receiver.posts.append((self.path, self.headers.get("Content-Type", ""), body))
                answer = b"ok" if receiver.status == 200 else receiver.error_answer
                size = receiver.answer_size or len(answer)
                self.send_response(receiver.status)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(size))
                self.end_headers()
                if not receiver.answer_size:
                    self.wfile.write(answer)
                    return
                piece = b"x" * 65536
                try:
                    while receiver.answer_sent < size:
                        chunk = piece[: size - receiver.answer_sent]
                        self.wfile.write(chunk)
                        receiver.answer_sent += len(chunk)
                except OSError:
                    pass  # the client stopped reading: what it should do

            def log_message(self, format: str, *args: object) -> None:  # stdlib signature
                pass

        self._server = QuietHTTPServer(("127.0.0.1", 0), Handler)
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
