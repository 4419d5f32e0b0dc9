"""A server that ignores the paging parameter and lists its rows in no fixed order.

The guard against a server that answers every page with the first one compares pages exactly
(their ``repr`` or their address tuple). A database without an ORDER BY, or a cache in front of
one, gives the same rows in a different order each time, so every page looked new and the fetch
read forever (hundreds of requests a second, the same addresses each time). Each fetch below
must end within a few seconds, either with RepeatedPageError or, for SendGrid's offset pager,
with the rows read and a note that the list may be incomplete.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from app.core.cancel import CancelToken
from app.core.errors import UnexpectedPayloadError
from app.core.providers.cmc import PAGE_ROWS, CmcProvider
from app.core.providers.infobip import InfobipProvider
from app.core.providers.sendgrid import PAGE_LIMIT, SendGridProvider
from app.core.types import DateRange, FetchResult, ListKind
from tests.helpers.hostile_server import HostileHandler, hostile_server, run_bounded, send_json

DAY = DateRange(date(2026, 11, 1), date(2026, 11, 1))
_FULL = {
    "readBounces": True, "deleteBounces": True, "readComplaints": True,
    "deleteComplaints": True, "readOverquotas": True, "deleteOverquotas": True,
}  # fmt: skip


_SEEDS = itertools.count()  # each answer in its own order, the same orders every run


def _shuffled(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = list(items)
    random.Random(next(_SEEDS)).shuffle(rows)
    return rows


def _cmc(handler: HostileHandler) -> None:
    rows = [
        {
            "created": "2026-11-01 10:00:00",
            "email": f"u{i}@example.jp",
            "id": str(i),
            "status": "10",
        }
        for i in range(PAGE_ROWS)
    ]
    send_json(handler, {"blocks": _shuffled(rows)})


def _infobip(handler: HostileHandler) -> None:
    if "/domains" in handler.path:
        send_json(handler, {"results": [{"domainName": "example.jp", **_FULL}], "paging": {}})
        return
    rows = [
        {
            "domainName": "example.jp",
            "emailAddress": f"u{i}@example.jp",
            "type": "BOUNCE",
            "createdDate": "2026-11-01T01:00:00.000Z",
            "reason": "550 5.1.1 unknown",
        }
        for i in range(100)
    ]
    send_json(handler, {"results": _shuffled(rows), "paging": {"page": 0, "size": 100}})


def _infobip_domains(handler: HostileHandler) -> None:
    rows = [{"domainName": f"d{i:03d}.example.jp", **_FULL} for i in range(100)]
    send_json(handler, {"results": _shuffled(rows), "paging": {}})


def _sendgrid(handler: HostileHandler) -> None:
    rows = [
        {"created": 1793500000, "email": f"u{i}@example.jp", "reason": "550", "status": "5.1.1"}
        for i in range(PAGE_LIMIT)
    ]
    send_json(handler, _shuffled(rows))


Case = tuple[
    Callable[[HostileHandler], None], Callable[[str], Any], Callable[[Any, CancelToken], Any]
]
CASES: dict[str, Case] = {
    "cmc": (
        _cmc,
        lambda url: CmcProvider("user", "key", "srv", base_url=url, retry_backoff_s=0.01),
        lambda p, c: p.fetch(DAY, [ListKind.BLOCKS], cancel=c),
    ),
    "infobip": (
        _infobip,
        lambda url: InfobipProvider(url, "key", page_size=100, retry_backoff_s=0.01),
        lambda p, c: p.fetch(DAY, [ListKind.BOUNCES], cancel=c),
    ),
    "infobip-domains": (
        _infobip_domains,
        lambda url: InfobipProvider(url, "key", retry_backoff_s=0.01),
        lambda p, c: p.domains(cancel=c),
    ),
    "sendgrid": (
        _sendgrid,
        lambda url: SendGridProvider("SG.key", base_url=url, retry_backoff_s=0.01),
        lambda p, c: p.fetch(DAY, [ListKind.BOUNCES], cancel=c),
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_same_rows_in_another_order_on_every_page_end_the_fetch(name: str) -> None:
    reply, make, work = CASES[name]
    cancel = CancelToken()
    with hostile_server(reply) as url, make(url) as provider:
        ended, outcome = run_bounded(lambda: work(provider, cancel), 6.0)
        cancel.cancel()  # let the worker go if it is still paging
    assert ended, f"{name}: the fetch was still paging the same rows after 6 s"
    if isinstance(outcome, FetchResult):
        assert any("同じ内容のページを返し続けた" in note for note in outcome.notes), outcome.notes
    else:
        assert isinstance(outcome, UnexpectedPayloadError), outcome
        assert "同じ内容を返し続けた" in outcome.message_ja
