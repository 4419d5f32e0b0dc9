"""A minimal IMAP4rev1 imitation over TLS on 127.0.0.1 that can lie about a message's size.

Just enough of RFC 3501 for ``imaplib`` and the DMARC importer: CAPABILITY, LOGIN, SELECT /
EXAMINE, UID SEARCH, UID FETCH (RFC822.SIZE) and (BODY.PEEK[]), LOGOUT. One folder with one
message. ``declared_size`` is what FETCH RFC822.SIZE answers and ``body`` what BODY[] sends:
a hostile server can announce a small message and then send a literal of any size, which
``imaplib`` reads into memory whole. The certificate is given by the caller (tests make a
self-signed one).
"""

from __future__ import annotations

import contextlib
import socket
import socketserver
import ssl
import threading
from pathlib import Path
from typing import Any, Self

_PIECE = 1024 * 1024


class ImapLiar:
    """Serve one message whose real size (``body_size`` bytes of ``filler``) may differ from
    the ``declared_size`` the server announces; ``bytes_sent`` counts the body bytes sent."""

    def __init__(
        self,
        certfile: Path,
        keyfile: Path,
        *,
        body_size: int,
        declared_size: int = 1000,
        filler: bytes = b"x",
        uid: int = 7,
    ) -> None:
        self.body_size = body_size
        self.declared_size = declared_size
        self.filler = filler
        self.uid = uid
        self.bytes_sent = 0
        self._context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self._context.load_cert_chain(str(certfile), str(keyfile))
        liar = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                with contextlib.suppress(OSError, ssl.SSLError):
                    liar._session(self.rfile, self.wfile)

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

            def get_request(self) -> tuple[socket.socket, object]:
                raw, address = self.socket.accept()
                raw.settimeout(10)
                return liar._context.wrap_socket(raw, server_side=True), address

        self._server = Server(("127.0.0.1", 0), Handler)
        self.port: int = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    def _session(self, rfile: Any, wfile: Any) -> None:
        read_line, write = rfile.readline, wfile.write
        write(b"* OK IMAP4rev1 sandbox ready\r\n")
        while True:
            line = read_line(65536)
            if not line:
                return
            tag, _, rest = line.rstrip(b"\r\n").partition(b" ")
            words = rest.upper().split()
            command = b" ".join(words[:2]) if words[:1] == [b"UID"] else words[:1][0]
            if command == b"CAPABILITY":
                write(b"* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n")
            elif command in (b"SELECT", b"EXAMINE"):
                write(b"* 1 EXISTS\r\n* 0 RECENT\r\n* FLAGS (\\Seen \\Deleted)\r\n")
            elif command == b"UID SEARCH":
                write(b"* SEARCH %d\r\n" % self.uid)
            elif command == b"UID FETCH" and b"RFC822.SIZE" in rest.upper():
                write(b"* 1 FETCH (UID %d RFC822.SIZE %d)\r\n" % (self.uid, self.declared_size))
            elif command == b"UID FETCH":
                write(b"* 1 FETCH (UID %d BODY[] {%d}\r\n" % (self.uid, self.body_size))
                self._send_body(write)
                write(b")\r\n")
            elif command == b"LOGOUT":
                write(b"* BYE sandbox\r\n" + tag + b" OK LOGOUT done\r\n")
                return
            write(tag + b" OK done\r\n")

    def _send_body(self, write: Any) -> None:
        piece = (self.filler * (_PIECE // len(self.filler) + 1))[:_PIECE]
        left = self.body_size
        while left > 0:
            chunk = piece[: min(left, _PIECE)]
            write(chunk)
            self.bytes_sent += len(chunk)
            left -= len(chunk)
