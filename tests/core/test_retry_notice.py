"""The SendGrid retry layer tells a listener about each retry before its wait (loopback sandbox)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from app.core.providers.sendgrid import SendGridProvider
from app.core.retry_notice import RetryCause, RetryNotice
from app.core.services import fetch_and_classify
from app.core.types import DateRange, ListKind
from app.sandbox.sendgrid_server import SandboxRecord, SendGridSandbox

KEY = "SG.retry-notice-test"


def test_server_errors_are_announced_then_the_fetch_succeeds() -> None:
    created = int(datetime(2026, 11, 3, tzinfo=UTC).timestamp())
    sandbox = SendGridSandbox(
        records=[SandboxRecord("bounces", "a@example.jp", created, "550 unknown")],
        api_keys={KEY: None},
    )
    sandbox.start()
    try:
        sandbox.fail_next(2, 503, path_prefix="/v3/suppression/bounces")
        heard: list[RetryNotice] = []

        def make() -> SendGridProvider:
            return SendGridProvider(
                KEY, base_url=sandbox.base_url, max_retries=3, retry_backoff_s=0.01
            )

        outcome = fetch_and_classify(
            make,
            DateRange(date(2026, 11, 1), date(2026, 11, 30)),
            (ListKind.BOUNCES,),
            lambda entries: [None] * len(entries),  # type: ignore[list-item]
            on_retry=heard.append,
        )
    finally:
        sandbox.stop()
    assert [(n.cause, n.attempt, n.max_retries) for n in heard] == [
        (RetryCause.SERVER, 1, 3),
        (RetryCause.SERVER, 2, 3),
    ]
    assert all(0 < n.delay_s <= 0.02 for n in heard)
    assert len(outcome.result.entries) == 1 and outcome.result.retries == 2
