"""A created date at the very edge of the calendar, from a broken or hostile server.

Every writer (grid, exports, CLI) shows times in JST, so a moment after 9999-12-31 23:59:59 JST
("9999-12-31T23:59:59Z", SendGrid's created 253,402,300,799) is refused at the door as well: it
parsed, and then crashed the JST writers far from where it came in.

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
from http.server import BaseHTTPRequestHandler

import pytest

from app.core.dates import JST
from app.core.errors import UnexpectedPayloadError
from app.core.providers.aws_sigv4 import AwsCredentials
from app.core.providers.cmc import CmcProvider
from app.core.providers.infobip import InfobipProvider
from app.core.providers.sendgrid import SendGridProvider
from app.core.providers.ses import SesProvider
from app.core.types import DateRange, ListKind
from tests.helpers.quiet_server import QuietHTTPServer

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

    def do_GET(self) -> None:  # SendGrid, Amazon SES and Infobip
        if self.path.startswith("/v3/suppression/"):
            first = "offset=0" in self.path or "offset" not in self.path
            item = {"email": "a@example.jp", "created": self.created, "reason": "x", "status": ""}
            self._json([item] if first and "/bounces" in self.path else [])
        elif self.path.startswith("/v2/email/suppression/addresses"):
            item = {"EmailAddress": "a@example.jp", "Reason": "BOUNCE", "LastUpdateTime": ""}
            item["LastUpdateTime"] = self.created
            self._json({"SuppressedDestinationSummaries": [item]})
        elif self.path.startswith("/email/1/suppressions/domains"):
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
    server = QuietHTTPServer(("127.0.0.1", 0), handler)
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


@pytest.mark.parametrize(
    "created",
    [
        "0001-01-01T00:00:00+05:00",  # before the first UTC moment
        "9999-12-31T23:59:59-05:00",  # after the last one
        "9999-12-31T23:59:59Z",  # a UTC moment no JST writer can show
        "9999-12-31T15:00:00+00:00",
    ],
)
def test_infobip_date_beyond_what_can_be_shown(broken_server, created: str) -> None:
    base_url, handler = broken_server
    handler.created = created
    provider = InfobipProvider(base_url, "key", rate_per_second=None, retry_backoff_s=0.01)
    with pytest.raises(UnexpectedPayloadError, match="Infobip から想定外の形式の応答"):
        provider.fetch(RANGE, [ListKind.BOUNCES])
    provider.close()


@pytest.mark.parametrize("created", [253_402_300_799, 253_402_268_400])
def test_sendgrid_created_that_no_jst_writer_can_show(broken_server, created: int) -> None:
    base_url, handler = broken_server
    handler.created = created  # type: ignore[assignment]
    provider = SendGridProvider("SG.test-key", base_url=base_url, max_retries=0)
    with pytest.raises(UnexpectedPayloadError, match="bad created"):
        provider.fetch(RANGE, [ListKind.BOUNCES])
    provider.close()


def test_sendgrid_last_showable_second_is_read(broken_server) -> None:
    base_url, handler = broken_server
    handler.created = 253_402_268_399  # type: ignore[assignment]  # 9999-12-31 23:59:59 JST
    provider = SendGridProvider("SG.test-key", base_url=base_url, max_retries=0)
    result = provider.fetch(RANGE, [ListKind.BOUNCES])
    provider.close()
    assert [entry.created.astimezone(JST).year for entry in result.entries] == [9999]


def test_ses_last_update_that_no_jst_writer_can_show(broken_server) -> None:
    base_url, handler = broken_server
    handler.created = 253_402_300_799  # type: ignore[assignment]
    credentials = AwsCredentials("AKIDEXAMPLE", "secret")
    provider = SesProvider("ap-northeast-1", credentials, base_url=base_url, max_retries=0)
    with pytest.raises(UnexpectedPayloadError, match="Amazon SES から想定外の形式の応答"):
        provider.fetch(RANGE, [ListKind.BOUNCES])
    provider.close()
