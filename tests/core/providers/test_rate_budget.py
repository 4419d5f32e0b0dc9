"""RateBudget on its own: a hand-moved clock decides when a window rolls over."""

from __future__ import annotations

import threading
import time

import pytest

from app.core.cancel import CancelToken
from app.core.errors import CancelledError
from app.core.providers.rate_budget import RateBudget
from tests.helpers.recorded_waits import Sleeper, WaitRecordingToken


class Clock:
    def __init__(self, now: float = 1_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def cancelled() -> CancelToken:
    token = CancelToken()
    token.cancel()
    return token


def blocks(budget: RateBudget, bucket: str = "bounces") -> bool:
    """Whether the next request to ``bucket`` would have to wait (a cancelled wait raises)."""
    try:
        budget.acquire(bucket, cancelled())
    except CancelledError:
        return True
    return False


def headers(remaining: object, reset: object) -> dict[str, str]:
    return {"x-ratelimit-remaining": str(remaining), "x-ratelimit-reset": str(reset)}


def test_optimistic_until_a_response_tells_the_limit() -> None:
    budget = RateBudget(Clock())
    assert not any(blocks(budget) for _ in range(50))


def test_each_request_reserves_one_of_the_remaining_slots() -> None:
    clock = Clock()
    budget = RateBudget(clock)
    budget.release("bounces", headers(2, clock.now + 30))
    assert [blocks(budget) for _ in range(3)] == [False, False, True]
    assert not blocks(budget, "blocks")  # buckets are counted apart
    clock.now += 30  # the reset moment: a new window
    assert not blocks(budget)


def test_an_older_window_arriving_late_is_ignored() -> None:
    clock = Clock()
    budget = RateBudget(clock)
    budget.release("bounces", headers(1, clock.now + 30))
    budget.release("bounces", headers(0, clock.now + 20))  # out of order: an earlier window
    assert [blocks(budget), blocks(budget)] == [False, True]


def test_the_lower_count_of_the_same_window_wins_and_a_newer_window_replaces_it() -> None:
    clock = Clock()
    budget = RateBudget(clock)
    budget.release("bounces", headers(5, clock.now + 30))
    budget.release("bounces", headers(0, clock.now + 30))  # a reply sent later in the window
    assert blocks(budget)
    budget.release("bounces", headers(3, clock.now + 90))
    assert not blocks(budget)


def test_a_429_empties_the_bucket_until_its_reset_or_a_second_when_unknown() -> None:
    clock = Clock()
    budget = RateBudget(clock)
    budget.exhausted("bounces", clock.now + 10)
    assert blocks(budget)
    clock.now += 10
    assert not blocks(budget)
    budget.exhausted("bounces", None)
    clock.now += 0.9
    assert blocks(budget)
    clock.now += 0.1
    assert not blocks(budget)


def test_unreadable_headers_are_ignored() -> None:
    budget = RateBudget(Clock())
    budget.release("bounces", headers("many", "soon"))
    budget.release("bounces", None)  # a dropped connection
    assert not blocks(budget)


def test_acquire_waits_for_the_reset_then_lets_the_request_go() -> None:
    clock = Clock()
    sleeper = Sleeper(clock)
    budget = RateBudget(clock, sleeper)
    reset_at = clock.now + 0.3
    budget.exhausted("bounces", reset_at)
    budget.acquire("bounces")
    # One wait, to the reset plus the jitter that spreads waking threads (0.05-0.25 s).
    assert len(sleeper.waits) == 1
    assert 0.3 + 0.05 <= sleeper.waits[0] <= 0.3 + 0.25
    assert clock.now >= reset_at


def test_the_real_wait_is_ended_by_a_cancel() -> None:
    budget = RateBudget()  # the real clock and the real, cancellable wait
    budget.exhausted("bounces", time.time() + 30)
    token = WaitRecordingToken()
    threading.Timer(0.2, token.cancel).start()
    with pytest.raises(CancelledError):
        budget.acquire("bounces", token)
    # The 30 s wait ended because of the cancel, not because it ran out.
    assert token.ended_by_cancel == [True]


@pytest.mark.parametrize("reset", [1e12, float("inf")])
def test_a_reset_years_away_waits_one_window_at_most(reset: float) -> None:
    """A 429 naming a reset far away (or infinite) must not stall every later request."""
    clock = Clock()
    budget = RateBudget(clock=clock)
    budget.exhausted("bounces", reset)
    assert blocks(budget)
    clock.now += 66.0  # one window (65 s) and a little more
    assert not blocks(budget)


@pytest.mark.parametrize("reset", ["inf", "nan", "-inf", "1e400", "soon"])
def test_a_reset_header_that_is_no_finite_number_is_ignored(reset: str) -> None:
    clock = Clock()
    budget = RateBudget(clock=clock)
    budget.release("bounces", headers(0, reset))  # used to raise OverflowError for "inf"
    assert blocks(budget)  # nothing remains: a short pause until a response tells more
