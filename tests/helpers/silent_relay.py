"""A loopback TCP relay to a test server that can go silent: a server that takes connections
and never answers, for tests (and screenshots) of what the window does meanwhile."""

from __future__ import annotations

import contextlib
import socket
import struct
import threading


class SilentRelay:
    """A loopback TCP relay to the test server. ``go_silent()`` turns it into a server that
    never answers: what the client sends is dropped, new connections are accepted and left
    waiting. ``close()`` resets every connection (the client then fails at once)."""

    def __init__(self, port: int) -> None:
        self._target = ("127.0.0.1", port)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._silent = threading.Event()
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _keep(self, *sockets: socket.socket) -> None:
        with self._lock:
            if not self._closed:
                self._sockets.extend(sockets)
                return
        # accept() returned while close() ran: this connection missed close()'s list and would
        # otherwise wait forever (a job reading from it outlives the test's shutdown wait).
        for sock in sockets:
            _reset(sock)

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return  # closed
            self._keep(client)
            if self._silent.is_set():
                continue  # accepted, never answered
            try:
                upstream = socket.create_connection(self._target)
            except OSError:
                _reset(client)
                continue
            self._keep(upstream)
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                if not self._silent.is_set():
                    sink.sendall(data)
        with contextlib.suppress(OSError):
            sink.shutdown(socket.SHUT_WR)

    def go_silent(self) -> None:
        self._silent.set()

    def close(self) -> None:
        self._silent.set()
        self._listener.close()
        with self._lock:
            self._closed = True
            sockets, self._sockets = self._sockets, []
        for sock in sockets:
            _reset(sock)


def _reset(sock: socket.socket) -> None:
    """Close with a reset (linger 0), so the peer fails at once instead of waiting."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.close()
