"""A created date at the very edge of the calendar, from a broken or hostile server.

CMC writes JST wall-clock times and Infobip ISO times with an offset; converting
"0001-01-01 05:00:00" (JST) or "9999-12-31T23:59:59-05:00" to UTC leaves the range Python's
datetime can hold and raised OverflowError, a traceback instead of the provider's Japanese
"unexpected reply" error. The imitations only serve dates inside the asked range, so a tiny
loopback server plays the broken service here.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from app.core.errors import UnexpectedPayloadError
from app.core.providers.cmc import CmcProvider
from app.core.providers.infobip import InfobipProvider
from app.core.types import DateRange, ListKind

RANGE = DateRange(date(2026, 11, 1), date(2026, 11, 30))


class _Broken(BaseHTTPRequestHandler):
    created = ""

    def log_message(self, *args: object) -> None:
        pass

    def do_POST(self) -> None:  # CMC: /transaction/v2/{bounces|blocks}/list.json
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        resource = self.path.split("/")[3]
        key = "to" if resource == "bounces" else "email"
        item = {key: "a@example.jp", "created": self.created, "status": "5.1.1", "reason": "x"}
        self._json({resource: [item]})

    def do_GET(self) -> None:  # Infobip
        if self.path.startswith("/email/1/suppressions/domains"):
            self._json({"results": [{"domainName": "example.jp", "readBounces": True}]})
        else:
            item = {"emailAddress": "a@example.jp", "createdDate": self.created, "type": "BOUNCE"}
            self._json({"results": [item]})

    def _json(self, value: object) -> None:
        body = json.dumps(value).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def broken_server() -> Iterator[tuple[str, type[_Broken]]]:
    handler = type("Handler", (_Broken,), {})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", handler
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("created", ["0001-01-01 05:00:00", "0001-01-01 00:00:00"])
def test_cmc_date_before_the_first_utc_moment(broken_server, created: str) -> None:
    base_url, handler = broken_server
    handler.created = created
    provider = CmcProvider("user", "key", "server", base_url=base_url, retry_backoff_s=0.01)
    with pytest.raises(UnexpectedPayloadError, match="bad created"):
        provider.fetch(RANGE, [ListKind.BOUNCES])
    provider.close()


@pytest.mark.parametrize("created", ["0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00"])
def test_infobip_date_beyond_the_utc_calendar(broken_server, created: str) -> None:
    base_url, handler = broken_server
    handler.created = created
    provider = InfobipProvider(base_url, "key", rate_per_second=None, retry_backoff_s=0.01)
    with pytest.raises(UnexpectedPayloadError, match="Infobip から想定外の形式の応答"):
        provider.fetch(RANGE, [ListKind.BOUNCES])
    provider.close()
