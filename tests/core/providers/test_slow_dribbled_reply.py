"""A reply that keeps arriving a byte at a time (a slow-loris server, a stuck proxy).

httpx's timeout bounds each network read, not the request: a server that sends one byte
every 0.2 s never trips a 1 s timeout, and a page may be up to 64 MB, so the fetch waited
for days. Worse, the body is read without looking at the cancel token, so キャンセル did
nothing either. The LLM client already has a whole-request deadline (docs/hostile-input.md,
"Why a deadline"); a provider's page needs one too, and a cancel must end the read.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import pytest

from app.core.cancel import CancelToken
from app.core.errors import CancelledError, TodokuError
from app.core.providers.cmc import CmcProvider
from app.core.providers.sendgrid import SendGridProvider
from app.core.types import DateRange, ListKind
from tests.helpers.hostile_server import HostileHandler, hostile_server, run_bounded

DAY = DateRange(date(2026, 11, 1), date(2026, 11, 1))

MAKERS: dict[str, tuple[Callable[..., Any], ListKind]] = {
    "sendgrid": (
        lambda url, **kw: SendGridProvider("SG.key", base_url=url, retry_backoff_s=0.01, **kw),
        ListKind.BOUNCES,
    ),
    "cmc": (
        lambda url, **kw: CmcProvider("u", "k", "s", base_url=url, retry_backoff_s=0.01, **kw),
        ListKind.BLOCKS,
    ),
}


@pytest.fixture
def dribbling() -> Iterator[str]:
    with dribbling_server() as (url, _first_bytes_sent):
        yield url


@contextmanager
def dribbling_server() -> Iterator[tuple[str, threading.Event]]:
    """A page whose body dribbles a space every 0.2 s for as long as the block runs, and an
    event set once its first bytes are out (a fetch is then reading the body)."""
    stop = threading.Event()
    first_bytes_sent = threading.Event()

    def reply(handler: HostileHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Transfer-Encoding", "chunked")
        handler.end_headers()
        handler.close_connection = True
        try:
            handler.wfile.write(b"1\r\n[\r\n")
            handler.wfile.flush()
            first_bytes_sent.set()
            while not stop.wait(0.2):  # one space every 0.2 s, never the end
                handler.wfile.write(b"1\r\n \r\n")
                handler.wfile.flush()
        except OSError:
            return

    with hostile_server(reply) as url:
        yield url, first_bytes_sent
        stop.set()


# The dribbling server never ends its page, so reaching the assertions at all shows the read
# was ended by the client; the error says by what. run_bounded's bound is a hang guard (a
# missing bound fails instead of hanging the suite), not a speed check.
HANG_GUARD_S = 60.0


@pytest.mark.parametrize("name", sorted(MAKERS))
def test_a_dribbled_page_ends_at_the_deadline(dribbling: str, name: str) -> None:
    make, kind = MAKERS[name]
    cancel = CancelToken()
    with make(dribbling, timeout_s=1.0, max_retries=0) as provider:
        ended, outcome = run_bounded(
            lambda: provider.fetch(DAY, [kind], cancel=cancel), HANG_GUARD_S
        )
        cancel.cancel()
    assert ended, f"{name}: a 1 s timeout, one attempt, and the page was still being read"
    assert isinstance(outcome, TodokuError), outcome
    assert "時間内に返りませんでした" in outcome.message_ja, outcome.message_ja
    # Ended by the whole-request deadline (four timeouts), not by one read's timeout.
    assert "ReplyTooSlowError" in outcome.detail and "after 4 s" in outcome.detail, outcome.detail


@pytest.mark.parametrize("name", sorted(MAKERS))
def test_cancel_ends_a_dribbled_page(name: str) -> None:
    # An hour's timeout (a four-hour deadline): nothing but the cancel can end this read, so
    # the fetch ending at all shows the cancel is looked at while the body arrives.
    make, kind = MAKERS[name]
    cancel = CancelToken()
    with dribbling_server() as (url, first_bytes_sent), make(url, timeout_s=3600) as provider:

        def press_cancel_once_reading() -> None:
            first_bytes_sent.wait(HANG_GUARD_S)
            cancel.cancel()

        threading.Thread(target=press_cancel_once_reading, daemon=True).start()
        ended, outcome = run_bounded(
            lambda: provider.fetch(DAY, [kind], cancel=cancel), HANG_GUARD_S
        )
    assert first_bytes_sent.is_set(), f"{name}: the page was never asked for"
    assert ended, f"{name}: キャンセル was pressed while the page was read; the read went on"
    assert isinstance(outcome, CancelledError), outcome
