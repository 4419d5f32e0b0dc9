"""RetryingHttp with SendGrid's parts, against the SendGrid sandbox on loopback: retries,
back-off, 429s, cancel."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from app.core.errors import (
    CancelledError,
    NetworkError,
    RateLimitError,
    ServerError,
    UnexpectedPayloadError,
)
from app.core.providers.rate_budget import RateBudget
from app.core.providers.retrying_http import RetryingHttp
from app.core.providers.sendgrid_errors import SendGridErrors
from app.sandbox.sendgrid_server import SendGridSandbox
from tests.helpers.core_sandbox import API_KEY, bounce
from tests.helpers.recorded_waits import Sleeper, WaitRecordingToken

PATH = "/v3/suppression/bounces"


@pytest.fixture
def sandbox(make_sandbox) -> SendGridSandbox:
    return make_sandbox([bounce(i) for i in range(3)])


@pytest.fixture
def client(sandbox: SendGridSandbox) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Bearer {API_KEY}", "Accept": "application/json"}
    with httpx.Client(base_url=sandbox.base_url, headers=headers, timeout=5) as http:
        yield http


def sendgrid_http(
    client: httpx.Client, *, budget: RateBudget | None = None, **kwargs: Any
) -> RetryingHttp:
    """The retrying client as SendGridProvider builds it."""
    return RetryingHttp(client, errors=SendGridErrors(), pacing=budget or RateBudget(), **kwargs)


def http_for(client: httpx.Client, sleeps: list[float], **kwargs: Any) -> RetryingHttp:
    """SendGrid's retrying client whose back-off pauses are recorded instead of slept."""
    kwargs.setdefault("max_retries", 3)
    return sendgrid_http(client, sleep=lambda seconds, _: sleeps.append(seconds), **kwargs)


def get(http: RetryingHttp, **kwargs: Any):
    return http.call("GET", PATH, scope="suppression.bounces.read", bucket="bounces", **kwargs)


def test_a_plain_call_returns_the_parsed_json(sandbox, client) -> None:
    http = http_for(client, [])
    result = get(http)
    assert result.status == 200
    assert sorted(item["email"] for item in result.payload) == [
        f"user{i:06d}@example.jp" for i in range(3)
    ]
    assert (http.requests_made, http.retries) == (1, 0)


@pytest.mark.parametrize("fault", ["500", "503", "drop", "garbage"])
def test_faults_are_retried_with_growing_jittered_back_off(sandbox, client, fault) -> None:
    sandbox.fail_next(3, status=fault, path_prefix=PATH)
    sleeps: list[float] = []
    http = http_for(client, sleeps, backoff_base_s=0.5)
    assert get(http).status == 200
    assert (http.requests_made, http.retries) == (4, 3)
    # Attempt n waits base * 2**(n-1), jittered down to half of it at most.
    for n, pause in enumerate(sleeps, start=1):
        assert 0.5 * 2 ** (n - 1) * 0.5 <= pause <= 0.5 * 2 ** (n - 1)


def test_back_off_is_capped(sandbox, client) -> None:
    sandbox.fail_next(3, status=500, path_prefix=PATH)
    sleeps: list[float] = []
    get(http_for(client, sleeps, backoff_base_s=10.0))
    assert all(4.0 <= pause <= 8.0 for pause in sleeps)


@pytest.mark.parametrize(
    ("fault", "error"),
    [("500", ServerError), ("drop", NetworkError), ("garbage", UnexpectedPayloadError)],
)
def test_after_max_retries_the_fault_becomes_a_japanese_error(
    sandbox, client, fault, error
) -> None:
    sandbox.fail_next(10, status=fault, path_prefix=PATH)
    http = http_for(client, [], max_retries=2)
    with pytest.raises(error) as caught:
        get(http)
    assert caught.value.message_ja
    assert API_KEY not in str(caught.value.detail)
    assert http.requests_made == 3


def test_an_accepted_status_is_an_answer_and_others_raise(sandbox, client) -> None:
    http = http_for(client, [])
    path = f"{PATH}/absent%40example.jp"
    call = {"scope": "suppression.bounces.delete", "bucket": "bounces:delete-one"}
    result = http.call("DELETE", path, expect_json=False, accept_statuses=(404,), **call)
    assert (result.status, result.payload) == (404, None)
    with pytest.raises(UnexpectedPayloadError) as caught:
        http.call("DELETE", path, expect_json=False, **call)
    assert "HTTP 404" in caught.value.message_ja


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_a_429_waits_for_the_reset_it_announces(make_sandbox) -> None:
    clock = Clock(1_800_000_000.5)  # one hand-set clock for the sandbox and the budget
    sandbox = make_sandbox([bounce(i) for i in range(3)], clock=clock)
    sandbox.fail_next(1, status=429, path_prefix=PATH)
    budget_waits = Sleeper(clock)
    sleeps: list[float] = []
    headers = {"Authorization": f"Bearer {API_KEY}", "Accept": "application/json"}
    with httpx.Client(base_url=sandbox.base_url, headers=headers, timeout=5) as client:
        http = http_for(client, sleeps, budget=RateBudget(clock=clock, sleep=budget_waits))
        assert get(http).status == 200
    # The sandbox announces the reset at the next whole second + 1: 1_800_000_002 here.
    first, retry = sandbox.request_log
    assert (first.status, retry.status) == (429, 200)
    assert retry.received_at >= 1_800_000_002  # the retry went out once the reset had come
    assert len(budget_waits.waits) == 1 and budget_waits.waits[0] >= 1.5
    assert sleeps == []  # waited by the rate budget, not by the back-off
    assert (http.requests_made, http.retries) == (2, 1)


def test_429s_that_never_stop_become_a_rate_limit_error(sandbox, client) -> None:
    sandbox.fail_next(20, status=429, path_prefix=PATH)
    # A budget clock an hour ahead: every announced reset has passed, so nothing is waited.
    budget = RateBudget(clock=lambda: time.time() + 3600)
    http = http_for(client, [], budget=budget)
    with pytest.raises(RateLimitError):
        get(http)
    assert http.requests_made == 7  # the first try and six waits


def test_cancel_interrupts_a_back_off(sandbox, client) -> None:
    sandbox.fail_next(5, status=500, path_prefix=PATH)
    http = sendgrid_http(client, max_retries=5, backoff_base_s=30.0)  # the real, cancellable sleep
    token = WaitRecordingToken()
    threading.Timer(0.2, token.cancel).start()
    with pytest.raises(CancelledError):
        get(http, cancel=token)
    # The back-off (4-8 s) ended because of the cancel, not because it ran out, and no retry
    # went out after it.
    assert token.ended_by_cancel == [True]
    assert http.requests_made == 1
