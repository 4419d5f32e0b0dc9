"""Lifecycle shared by the loopback sandboxes: serve on a thread, stop without stray threads."""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
from collections.abc import Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from socketserver import BaseRequestHandler
from types import TracebackType
from typing import Any, ClassVar, Generic, Self, TypeVar

RequestT = TypeVar("RequestT")  # what a sandbox records of each request


class LoopbackHandler(BaseHTTPRequestHandler):
    """A keep-alive handler whose connection the server tracks, so ``stop`` can close it.

    Subclasses add ``do_*`` methods and may set ``timeout`` (idle keep-alive lifetime).
    """

    protocol_version = "HTTP/1.1"
    server: LoopbackHTTPServer

    def setup(self) -> None:
        super().setup()
        self.server.track(self.connection, add=True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.track(self.connection, add=False)

    def parse_request(self) -> bool:
        # http.server answers a method without a ``do_*`` method with 501; a real API (and any
        # well-behaved server) says 405 and lists what it does serve in ``Allow``.
        if not super().parse_request():
            return False
        if hasattr(self, "do_" + self.command):
            return True
        allowed = sorted(name[3:] for name in dir(self) if name.startswith("do_"))
        self.send_response(405)
        self.send_header("Allow", ", ".join(allowed))
        self.send_header("Content-Type", "application/json")
        body = b'{"errors":[{"message":"method not allowed"}]}'
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        return False

    def read_body(self) -> bytes:
        """The request body (empty when there is none or Content-Length is not a number)."""
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = 0
        return self.rfile.read(length) if length > 0 else b""

    def send_body(
        self,
        status: int,
        body: bytes,
        extra_headers: Iterable[tuple[str, str]] = (),
        content_type: str = "application/json",
    ) -> None:
        """Answer with ``body``; a client that already hung up is not an error here."""
        with contextlib.suppress(OSError):
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in extra_headers:
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

    def version_string(self) -> str:
        return self.server_version  # no Python version in the Server header

    def log_message(self, format: str, *args: object) -> None:
        # Logged under the sandbox's own module, as before this base existed.
        logging.getLogger(type(self).__module__).debug(
            "%s " + format, self.client_address[0], *args
        )


class ReplyHandler(LoopbackHandler):
    """Hands every request to ``server.sandbox._process(method, target, headers, body)`` and
    writes what it returns (``status``, ``headers``, ``content_type``, ``body``); ``None`` means
    an injected drop: the connection closes without a byte of answer."""

    timeout = 60  # idle keep-alive connections close after this
    # Headers and body go out in two writes; with Nagle on, the client's delayed ACK adds ~40 ms.
    disable_nagle_algorithm = True

    def _serve(self) -> None:
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            self.send_error(400, "bad Content-Length")
            return
        body = self.rfile.read(length) if length > 0 else b""
        headers: dict[str, str] = {}
        for name, value in self.headers.items():
            key = name.lower()
            headers[key] = f"{headers[key]}, {value}" if key in headers else value
        reply = self.server.sandbox._process(self.command, self.path, headers, body)
        if reply is None:
            self.close_connection = True
            return
        self.send_response(reply.status)
        for name, value in reply.headers:
            self.send_header(name, value)
        if reply.status != 204:
            self.send_header("Content-Type", reply.content_type)
            self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        if reply.status != 204:
            self.wfile.write(reply.body)

    do_GET = do_POST = do_DELETE = do_PUT = do_PATCH = _serve


class LoopbackHTTPServer(ThreadingHTTPServer):
    """A threading HTTP server that knows its open connections.

    ``shutdown`` only stops accepting; a handler thread waiting on an idle keep-alive
    connection would linger until its timeout, so ``close_connections`` shuts those down.
    """

    daemon_threads = True
    sandbox: Any  # the LoopbackServer serving; subclasses narrow the type for their handler

    def __init__(
        self,
        server_address: tuple[str, int],
        handler_class: type[BaseRequestHandler],
        bind_and_activate: bool = True,
    ) -> None:
        super().__init__(server_address, handler_class, bind_and_activate)
        self._connections_lock = threading.Lock()
        self._connections: set[socket.socket] = set()

    def track(self, connection: socket.socket, *, add: bool) -> None:
        with self._connections_lock:
            if add:
                self._connections.add(connection)
            else:
                self._connections.discard(connection)

    def close_connections(self) -> None:
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):  # already closed by the client
                connection.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: object, client_address: object) -> None:
        # Clients that hang up (or a stop() during a slow answer) are normal here, not news.
        logging.getLogger(type(self).__module__).debug(
            "connection error from %s", client_address, exc_info=True
        )


class LoopbackServer(Generic[RequestT]):
    """Base of a sandbox: ``start`` binds and serves on a daemon thread, ``stop`` ends it all.

    Subclasses set ``_server_class`` and ``_handler_class``; ``_url_path`` is appended to
    ``http://host:port`` to form ``base_url``. Usable as a context manager. Requests are
    recorded with ``_record`` and read (a thread-safe copy) through ``request_log``.
    """

    _server_class: ClassVar[type[LoopbackHTTPServer]] = LoopbackHTTPServer
    _handler_class: ClassVar[type[LoopbackHandler]]
    _poll_interval: ClassVar[float] = 0.1  # how soon ``stop`` is noticed by serve_forever
    _url_path: ClassVar[str] = ""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._address = (host, port)
        self._server: LoopbackHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.base_url = ""
        self._requests_lock = threading.Lock()
        self._requests: list[RequestT] = []

    def start(self) -> str:
        """Bind and serve in a background thread; returns ``base_url``."""
        if self._server is not None:
            return self.base_url
        server = self._server_class(self._address, self._handler_class)
        server.sandbox = self
        host, port = server.socket.getsockname()[:2]  # the port the OS chose for port 0
        self.base_url = f"http://{host}:{port}{self._url_path}"
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": self._poll_interval}, daemon=True
        )
        self._thread.start()
        return self.base_url

    def stop(self) -> None:
        """Stop serving and close idle keep-alive connections, so no handler thread lingers."""
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.close_connections()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    # -- request log ----------------------------------------------------------------------------

    @property
    def request_log(self) -> list[RequestT]:
        with self._requests_lock:
            return list(self._requests)

    def clear_log(self) -> None:
        with self._requests_lock:
            self._requests.clear()

    def _record(self, request: RequestT) -> None:
        with self._requests_lock:
            self._requests.append(request)
