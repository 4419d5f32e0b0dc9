"""A token chain that answers with empty pages, each with a new token, for ever.

The guards against a repeated token or repeated rows cannot see it (no token comes back, and an
empty page has no rows to compare), so the fetch sent requests without end. It must stop after
``MAX_EMPTY_PAGES`` empty pages in a row, keep the rows that came before, and say why in
Japanese; the window and the CLI then treat it as any other fetch stopped by an error (the rows
are kept and marked incomplete).
"""

from __future__ import annotations

import itertools
import json
from datetime import UTC, date, datetime

from app.core.errors import TodokuError
from app.core.providers.aws_sigv4 import AwsCredentials
from app.core.providers.page_scan import MAX_EMPTY_PAGES
from app.core.providers.ses import SesProvider
from app.core.types import DateRange, ListKind, SuppressionEntry
from tests.helpers.hostile_server import HostileHandler, hostile_server, run_bounded

DAY = DateRange(date(2026, 11, 1), date(2026, 11, 1))
NOON = datetime(2026, 11, 1, 3, 0, tzinfo=UTC).timestamp()  # 12:00 JST


def _send_page(handler: HostileHandler, rows: list[dict[str, object]], token: str | None) -> None:
    """One write: headers and body split over two writes meet delayed ACK, 40 ms a page."""
    value: dict[str, object] = {"SuppressedDestinationSummaries": rows}
    if token:
        value["NextToken"] = token
    body = json.dumps(value).encode()
    head = f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n"
    handler.wfile.write(head.encode() + b"\r\n" + body)


def test_empty_pages_with_fresh_tokens_end_the_fetch_with_the_rows_kept() -> None:
    counter = itertools.count()

    def reply(handler: HostileHandler) -> None:
        number = next(counter)
        rows = (
            [{"EmailAddress": "kept@example.jp", "Reason": "BOUNCE", "LastUpdateTime": NOON}]
            if number == 0
            else []
        )
        _send_page(handler, rows, f"t{number}")

    pages: list[tuple[SuppressionEntry, ...]] = []
    with (
        hostile_server(reply) as url,
        SesProvider(
            "ap-northeast-1", AwsCredentials("AKIDEXAMPLE", "secret"), base_url=url,
            slices_per_reason=1, max_retries=0,
        ) as provider,
    ):  # fmt: skip
        # The bound is a hang guard (an endless fetch fails instead of hanging the suite); the
        # bound under test is counted: how many pages were asked for.
        ended, caught = run_bounded(
            lambda: provider.fetch(DAY, [ListKind.BOUNCES], on_page=pages.append), 60.0
        )
        asked = next(counter)
    assert ended, f"still fetching after {asked} requests"
    assert isinstance(caught, TodokuError), caught
    assert "空のページ" in caught.message_ja and "不完全" in caught.message_ja
    assert json.dumps(caught.detail)  # a detail to copy, without the credentials
    assert "secret" not in caught.detail
    assert asked == MAX_EMPTY_PAGES + 1, asked
    assert [entry.email for page in pages for entry in page] == ["kept@example.jp"]


def test_a_few_empty_pages_before_rows_are_still_read() -> None:
    """SES filters by date after reading: empty pages with a token, then rows, are normal."""
    counter = itertools.count()

    def reply(handler: HostileHandler) -> None:
        number = next(counter)
        if number < 30:
            _send_page(handler, [], f"t{number}")
            return
        rows = [{"EmailAddress": "late@example.jp", "Reason": "BOUNCE", "LastUpdateTime": NOON}]
        _send_page(handler, rows, None)

    with (
        hostile_server(reply) as url,
        SesProvider(
            "ap-northeast-1", AwsCredentials("AKIDEXAMPLE", "secret"), base_url=url,
            slices_per_reason=1, max_retries=0,
        ) as provider,
    ):  # fmt: skip
        result = provider.fetch(DAY, [ListKind.BOUNCES])
    assert [entry.email for entry in result.entries] == ["late@example.jp"]
