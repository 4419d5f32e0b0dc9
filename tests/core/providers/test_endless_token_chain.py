"""A token chain that hands out a new ``NextToken`` with every answer but the same page.

A server (or a gateway before it) that puts a request id or a timestamp into its token never
repeats a token, so the guard against repeated tokens never fires: the fetch asked for the
next page forever, showing the same three addresses. No list that pages correctly gives the
same page under two tokens; the fetch must end, in Japanese, as for a repeated token.
"""

from __future__ import annotations

import itertools
from datetime import date

from app.core.cancel import CancelToken
from app.core.errors import UnexpectedPayloadError
from app.core.providers.aws_sigv4 import AwsCredentials
from app.core.providers.ses import SesProvider
from app.core.types import DateRange, ListKind
from tests.helpers.hostile_server import HostileHandler, hostile_server, run_bounded, send_json

DAY = DateRange(date(2026, 11, 1), date(2026, 11, 1))
SAME_PAGE = [
    {"EmailAddress": f"user{i}@example.jp", "Reason": "BOUNCE", "LastUpdateTime": 1793500000}
    for i in range(3)
]


def test_ses_chain_with_ever_new_tokens_and_the_same_page_ends() -> None:
    counter = itertools.count()

    def reply(handler: HostileHandler) -> None:
        send_json(
            handler,
            {"SuppressedDestinationSummaries": SAME_PAGE, "NextToken": f"t-{next(counter)}"},
        )

    cancel = CancelToken()
    with hostile_server(reply) as url:
        provider = SesProvider(
            "ap-northeast-1", AwsCredentials("AKIDEXAMPLE", "secret"), base_url=url,
            retry_backoff_s=0.01,
        )  # fmt: skip
        with provider:
            ended, outcome = run_bounded(
                lambda: provider.fetch(DAY, [ListKind.BOUNCES], cancel=cancel), 6.0
            )
            cancel.cancel()  # let the worker go if it is still reading
    assert ended, f"the fetch was still paging after {next(counter)} requests"
    assert isinstance(outcome, UnexpectedPayloadError), outcome
    assert "同じ内容を返し続けた" in outcome.message_ja
