"""Hostile or broken SendGrid answers over loopback: a Japanese error or a bounded wait, never a
Python exception escaping the provider and never a fetch that waits forever."""

from __future__ import annotations

import threading

import pytest

from app.core.cancel import CancelToken
from app.core.errors import CancelledError, UnexpectedPayloadError
from app.core.providers.sendgrid import SendGridProvider
from app.core.types import FetchResult, ListKind
from tests.helpers.core_sandbox import API_KEY, RANGE, bounce


def _provider(sandbox, **kwargs) -> SendGridProvider:
    return SendGridProvider(API_KEY, base_url=sandbox.base_url, retry_backoff_s=0.01, **kwargs)


def test_json_nested_too_deep_is_an_unexpected_payload(make_sandbox) -> None:
    sandbox = make_sandbox([bounce(1)])
    sandbox.fail_next(10, status="deep")
    with _provider(sandbox, max_retries=1) as provider, pytest.raises(UnexpectedPayloadError):
        provider.fetch(RANGE, [ListKind.BOUNCES])


def test_one_deep_answer_is_retried_and_nothing_is_lost(make_sandbox) -> None:
    sandbox = make_sandbox([bounce(i) for i in range(3)])
    sandbox.fail_next(1, status="deep", path_prefix="/v3/suppression/bounces")
    with _provider(sandbox, max_retries=2) as provider:
        result = provider.fetch(RANGE, [ListKind.BOUNCES])
    assert len(result.entries) == 3


@pytest.mark.parametrize("reset", ["inf", "-inf", "nan", "1e400", "99999999999", "soon"])
def test_an_odd_rate_limit_reset_is_no_python_error(make_sandbox, reset: str) -> None:
    """A 429 whose X-RateLimit-Reset is not a finite number (or years away): the fetch either
    goes on after a bounded wait or ends by the user's cancel; "inf" used to escape as an
    OverflowError from int(float("inf"))."""
    sandbox = make_sandbox([bounce(1)])
    sandbox.fail_next(1, status=f"429 reset={reset}", path_prefix="/v3/suppression/bounces")
    cancel = CancelToken()
    outcome: list[object] = []

    def fetch() -> None:
        try:
            with _provider(sandbox, max_retries=1) as provider:
                outcome.append(provider.fetch(RANGE, [ListKind.BOUNCES], cancel=cancel))
        except BaseException as error:  # the test reports whatever escaped
            outcome.append(error)

    worker = threading.Thread(target=fetch)
    worker.start()
    worker.join(timeout=3)
    cancel.cancel()
    worker.join(timeout=10)
    assert not worker.is_alive()
    [result] = outcome
    assert isinstance(result, FetchResult | CancelledError), repr(result)
