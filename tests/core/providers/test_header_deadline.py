"""The whole-request deadline covers the status line and headers, not only the body.

A server that sends its headers a byte at a time never trips httpx's read timeout (each byte
arrives within it), and ``client.send`` returns only when the headers are complete: the check
between body chunks never ran, and the fetch (or the Zendesk call) waited for ever. Every
provider and the Zendesk client must end such a reply at four read timeouts, not retry it,
and say in Japanese that the reply did not come in time.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import httpx
import pytest

from app.core import reply_deadline
from app.core.errors import NetworkError, TodokuError
from app.core.providers.aws_sigv4 import AwsCredentials
from app.core.providers.bounded_read import ReplyTooSlowError, send_bounded
from app.core.providers.cmc import CmcProvider
from app.core.providers.infobip import InfobipProvider
from app.core.providers.sendgrid import SendGridProvider
from app.core.providers.ses import SesProvider
from app.core.types import DateRange, ListKind
from app.core.zendesk.client import ZendeskAccount, ZendeskClient
from tests.helpers.hostile_server import (
    DribbledHeaders,
    HostileHandler,
    dribbled_headers,
    hostile_server,
    run_bounded,
)

DAY = DateRange(date(2026, 11, 1), date(2026, 11, 1))
TIMEOUT_S = 0.5  # the deadline is four of these: 2 s
# The servers here never finish, so reaching a test's assertions at all shows the client ended
# the exchange; its error says by which bound. run_bounded's bound is only a hang guard (a
# missing bound fails instead of hanging the suite), not a speed check.
HANG_GUARD_S = 60.0
FAST = {"timeout_s": TIMEOUT_S, "max_retries": 3, "retry_backoff_s": 0.01}

PROVIDERS: dict[str, tuple[Callable[[str], Any], ListKind]] = {
    "sendgrid": (lambda url: SendGridProvider("SG.key", base_url=url, **FAST), ListKind.BOUNCES),
    "cmc": (lambda url: CmcProvider("u", "k", "s", base_url=url, **FAST), ListKind.BLOCKS),
    "infobip": (
        lambda url: InfobipProvider(url, "key", rate_per_second=None, **FAST),
        ListKind.BOUNCES,
    ),
    "ses": (
        lambda url: SesProvider(
            "ap-northeast-1", AwsCredentials("AKIDEXAMPLE", "secret"), base_url=url, **FAST
        ),
        ListKind.BOUNCES,
    ),
}


@pytest.fixture
def dribbled() -> Iterator[tuple[str, DribbledHeaders]]:
    with dribbled_headers() as served:
        yield served


@pytest.mark.parametrize("name", sorted(PROVIDERS))
def test_a_provider_ends_dribbled_headers_at_the_deadline(
    dribbled: tuple[str, DribbledHeaders], name: str
) -> None:
    url, server = dribbled
    make, kind = PROVIDERS[name]
    with make(url) as provider:
        ended, caught = run_bounded(lambda: provider.fetch(DAY, [kind]), HANG_GUARD_S)
        server.stop.set()
    assert ended, f"{name}: headers dribbled on with a 0.5 s timeout and nothing ended it"
    assert isinstance(caught, TodokuError), caught
    if isinstance(caught, NetworkError):
        assert "時間内に返りませんでした" in caught.message_ja
    else:  # a provider that reports a failed list inside the result would not raise
        pytest.fail(f"{name}: {type(caught).__name__}: {caught}")
    # Ended by the whole-request deadline (four read timeouts), not by one read's timeout.
    assert "ReplyTooSlowError" in caught.detail and "after 2 s" in caught.detail, caught.detail
    assert server.asked() == 1, f"{name}: the dribbled request was sent again"


def test_zendesk_ends_dribbled_headers_with_a_japanese_message(
    dribbled: tuple[str, DribbledHeaders],
) -> None:
    url, server = dribbled
    account = ZendeskAccount.create("", "agent@example.jp", "token", base_url=url)
    with ZendeskClient(account, timeout_s=TIMEOUT_S, sleep=lambda _s: None) as client:
        ended, caught = run_bounded(client.me, HANG_GUARD_S)
        server.stop.set()
    assert ended, "Zendesk: headers dribbled on with a 0.5 s timeout"
    assert isinstance(caught, TodokuError), caught
    assert "時間内に返りませんでした" in caught.message_ja
    assert server.asked() == 1


def test_zendesk_write_at_the_deadline_is_uncertain(dribbled: tuple[str, DribbledHeaders]) -> None:
    """A ticket created but answered too slowly may exist: the caller must re-check first."""
    from app.core.zendesk.client import ZendeskUncertainError

    url, server = dribbled
    account = ZendeskAccount.create("", "agent@example.jp", "token", base_url=url)
    with ZendeskClient(account, timeout_s=TIMEOUT_S, sleep=lambda _s: None) as client:
        ended, caught = run_bounded(lambda: client.create_ticket({"subject": "x"}), HANG_GUARD_S)
        server.stop.set()
    assert ended
    assert isinstance(caught, ZendeskUncertainError), caught
    assert "時間内に返りませんでした" in caught.message_ja


def test_the_deadline_reaches_a_client_sent_through_a_proxy(
    dribbled: tuple[str, DribbledHeaders], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Proxies from the environment get their own connection pool; it is bounded too."""
    url, server = dribbled
    monkeypatch.setenv("HTTP_PROXY", url)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    client = reply_deadline.install(httpx.Client(timeout=TIMEOUT_S))
    with client:
        request = client.build_request("GET", "http://todoku.invalid/page")
        ended, caught = run_bounded(
            lambda: send_bounded(client, request, "テスト", deadline_s=1.0), HANG_GUARD_S
        )
        server.stop.set()
    assert ended
    assert isinstance(caught, ReplyTooSlowError), caught


def test_a_silent_server_is_not_waited_for_beyond_the_deadline() -> None:
    """No byte at all after the request: each attempt ends at the read timeout (or sooner at
    the deadline), never later."""
    stop = threading.Event()

    def reply(handler: HostileHandler) -> None:
        handler.close_connection = True
        stop.wait()  # silent until the test ends

    with hostile_server(reply) as url:
        client = reply_deadline.install(httpx.Client(timeout=30.0))
        with client:
            request = client.build_request("GET", f"{url}/page")
            ended, caught = run_bounded(
                lambda: send_bounded(client, request, "テスト", deadline_s=1.0), HANG_GUARD_S
            )
            stop.set()
    assert ended
    # The deadline (1 s) ended the wait, not the 30 s read timeout: the error says so.
    assert isinstance(caught, ReplyTooSlowError), caught
    assert "no complete reply after 1 s" in str(caught), caught
