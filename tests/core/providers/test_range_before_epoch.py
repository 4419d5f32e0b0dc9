"""A range that starts on 1970-01-01 (JST) reads the lists from the Unix epoch.

00:00 JST on 1970-01-01 is -32,400 Unix seconds; sent as is, SendGrid (and its imitation)
answers 400 "start_time must be a non-negative integer" and the operator read "SendGrid
が要求内容を受け付けませんでした". Nothing is older than the epoch, so the bounds start there.
"""

from __future__ import annotations

from datetime import date

from app.core.errors import InvalidInputError
from app.core.providers.sendgrid import SendGridProvider
from app.core.types import DateRange, ListKind
from tests.helpers.core_sandbox import API_KEY, bounce, make_sandbox  # noqa: F401


def test_a_range_from_1970_reads_the_lists(make_sandbox) -> None:  # noqa: F811
    sandbox = make_sandbox([bounce(1, created=1_000_000)])
    provider = SendGridProvider(API_KEY, base_url=sandbox.base_url, max_retries=0)
    try:
        result = provider.fetch(DateRange(date(1970, 1, 1), date(1970, 1, 31)), [ListKind.BOUNCES])
    except InvalidInputError as error:
        # Refused before any request is acceptable; SendGrid's 400 (also InvalidInputError) not.
        assert provider.requests_made == 0, f"{error.message_ja} {error.detail}"
        return
    finally:
        provider.close()
    assert [entry.email for entry in result.entries] == ["user000001@example.jp"]
