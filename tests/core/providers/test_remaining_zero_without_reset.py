"""``X-RateLimit-Remaining: 0`` without ``X-RateLimit-Reset`` (a proxy that passes one header on
and drops the other, or a gateway with its own limit headers).

The budget then knows "nothing remains" but never when the window rolls over: every later
request of that list waited 0.5 s, then again, for ever, and no request was ever sent that
could tell it otherwise. The fetch hung after its first page. With the reset unknown, the
budget should pause briefly and ask again, as it already does for a 429 without a reset
(``RateBudget.exhausted``: one second).
"""

from __future__ import annotations

import itertools
import json
from datetime import date

from app.core.cancel import CancelToken
from app.core.providers.sendgrid import PAGE_LIMIT, SendGridProvider
from app.core.types import DateRange, FetchResult, ListKind
from tests.helpers.hostile_server import HostileHandler, hostile_server, run_bounded

DAY = DateRange(date(2026, 11, 1), date(2026, 11, 1))


def test_a_page_saying_nothing_remains_without_a_reset_does_not_stop_the_fetch() -> None:
    requests = itertools.count()

    def reply(handler: HostileHandler) -> None:
        next(requests)
        first = "offset=0" in handler.path
        rows = [{"created": 1793500000, "email": f"u{i}@example.jp"} for i in range(PAGE_LIMIT)]
        body = json.dumps(rows if first else []).encode()
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(body)))
        handler.send_header("X-RateLimit-Limit", "600")
        if first:
            handler.send_header("X-RateLimit-Remaining", "0")  # and no X-RateLimit-Reset
        handler.end_headers()
        handler.wfile.write(body)

    cancel = CancelToken()
    with hostile_server(reply) as url, SendGridProvider("SG.key", base_url=url) as provider:
        ended, outcome = run_bounded(
            lambda: provider.fetch(DAY, [ListKind.BOUNCES], cancel=cancel), 8.0
        )
        cancel.cancel()
    assert ended, f"the fetch was still waiting after 8 s and {next(requests)} request(s)"
    assert isinstance(outcome, FetchResult), outcome
    assert len(outcome.entries) == PAGE_LIMIT
