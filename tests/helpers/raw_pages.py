"""A loopback server that answers every SendGrid list request with a fixed body.

Stands in for a broken or hostile server (or a proxy before it) that ignores the requested
time range; the project's sandbox always filters by it, so it cannot play that part.
"""

from __future__ import annotations

import http.server
import threading
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.helpers.quiet_server import QuietHTTPServer


@contextmanager
def raw_pages(body: bytes) -> Iterator[str]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            url = urllib.parse.urlsplit(self.path)
            offset = urllib.parse.parse_qs(url.query).get("offset", ["0"])[0]
            reply = body if url.path.endswith("/bounces") and offset == "0" else b"[]"
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

    server = QuietHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def fetched_history(tmp_path: Path, body: bytes) -> tuple[str, str]:
    """History and journal files holding one ``todoku-cli fetch`` of November 2025 from a server
    that answers ``body`` (what ``report`` reads)."""
    from app.cli import main

    history, journal = str(tmp_path / "h.sqlite3"), str(tmp_path / "j.sqlite3")
    with raw_pages(body) as url:
        assert main(
            ["fetch", "--from", "2025-11-01", "--to", "2025-11-30", "--lists", "bounces",
             "--base-url", url, "--history", history, "--journal", journal, "--quiet",
             "--jsonl", str(tmp_path / "out.jsonl")]
        ) == 0  # fmt: skip
    return history, journal
