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
    stop = threading.Event()

    def reply(handler: HostileHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Transfer-Encoding", "chunked")
        handler.end_headers()
        handler.close_connection = True
        try:
            handler.wfile.write(b"1\r\n[\r\n")
            while not stop.wait(0.2):  # one space every 0.2 s, never the end
                handler.wfile.write(b"1\r\n \r\n")
                handler.wfile.flush()
        except OSError:
            return

    with hostile_server(reply) as url:
        yield url
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
def test_cancel_ends_a_dribbled_page(dribbling: str, name: str) -> None:
    make, kind = MAKERS[name]
    cancel = CancelToken()
    with make(dribbling) as provider:  # the app's default 30 s timeout
        threading.Timer(0.5, cancel.cancel).start()
        ended, outcome = run_bounded(lambda: provider.fetch(DAY, [kind], cancel=cancel), 4.0)
    assert ended, f"{name}: キャンセル was pressed at 0.5 s; the page was still being read at 4 s"
    assert isinstance(outcome, CancelledError), outcome
