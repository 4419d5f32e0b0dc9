"""Polite request pacing from SendGrid's X-RateLimit-* headers, shared by a provider's threads."""

from __future__ import annotations

import math
import random
import threading
import time
from collections.abc import Callable, Mapping

import httpx

from app.core.cancel import CancelToken

# Headers are per endpoint; we track them per "bucket" (the path without the address segment).
_MAX_WAIT_SECONDS = 65.0  # a window is 60 s; never trust a reset further away than that
# Nothing remains and no reply said when the window rolls over (a 429 without a reset, or a
# proxy that passes X-RateLimit-Remaining on and drops X-RateLimit-Reset): pause this long, then
# let requests go and learn the budget again from their replies.
_UNKNOWN_RESET_PAUSE_SECONDS = 1.0


class RateBudget:
    """Tracks the remaining requests of each bucket and makes callers wait for the reset.

    The budget is *optimistic* until the first response tells the limit; from then on every
    request reserves one of the remaining slots before it is sent, so a burst of concurrent pages
    stays within what remains instead of running into 429s.
    """

    def __init__(
        self,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float, CancelToken | None], None] | None = None,
    ) -> None:
        """``clock`` gives epoch seconds (the resets are epoch seconds); ``sleep(seconds,
        cancel)`` waits, raising CancelledError when ``cancel`` is set during the wait (the
        default waits for real; a test passes one that records the wait and moves its clock).
        """
        self._clock = clock
        self._sleep = sleep or _cancellable_sleep
        self._lock = threading.Lock()
        self._remaining: dict[str, int] = {}
        self._reset_at: dict[str, float] = {}

    def acquire(self, bucket: str, cancel: CancelToken | None = None) -> None:
        """Block until a request to ``bucket`` fits in the budget (or raise if cancelled)."""
        while True:
            with self._lock:
                wait = self._wait_seconds(bucket)
                if wait <= 0:
                    return
            # Jitter spreads the threads that all wake at the reset moment.
            wait = min(wait, _MAX_WAIT_SECONDS) + random.uniform(0.05, 0.25)
            self._sleep(wait, cancel)

    def release(self, bucket: str, headers: Mapping[str, str] | None) -> None:
        """Record a finished request and what its response headers say about the budget."""
        if headers is None:
            return
        with self._lock:
            remaining = _int_header(headers, "x-ratelimit-remaining")
            reset = _int_header(headers, "x-ratelimit-reset")
            if reset is not None:
                previous_reset = self._reset_at.get(bucket)
                if previous_reset is None or reset >= previous_reset:
                    # Responses may arrive out of order: only a newer (or same) window counts.
                    if previous_reset is not None and reset > previous_reset:
                        self._remaining.pop(bucket, None)
                    self._reset_at[bucket] = self._bounded(float(reset))
                    if remaining is not None:
                        known = self._remaining.get(bucket)
                        self._remaining[bucket] = (
                            remaining if known is None else min(known, remaining)
                        )
                else:
                    return
            elif remaining is not None:
                self._remaining[bucket] = remaining

    def exhausted(self, bucket: str, reset_at: float | None) -> None:
        """A 429 arrived: nothing remains until ``reset_at`` (or a short pause if unknown)."""
        with self._lock:
            self._remaining[bucket] = 0
            now = self._clock()
            self._reset_at[bucket] = (
                now + _UNKNOWN_RESET_PAUSE_SECONDS
                if reset_at is None
                else self._bounded(reset_at, now)
            )

    def rate_limited(self, bucket: str, response: httpx.Response, fallback_s: float) -> float:
        """A 429 for ``bucket``: the next ``acquire`` waits for the reset it announces, so the
        caller waits nothing now (``fallback_s`` is not needed: an unknown reset is 1 s)."""
        self.exhausted(bucket, _reset_epoch(response))
        return 0.0

    def _bounded(self, reset_at: float, now: float | None = None) -> float:
        """``reset_at`` no later than one window from now: a reset years away (or infinite)
        would otherwise make every later request wait in 65 s steps for ever."""
        limit = (self._clock() if now is None else now) + _MAX_WAIT_SECONDS
        return reset_at if reset_at <= limit else limit

    def _wait_seconds(self, bucket: str) -> float:
        remaining = self._remaining.get(bucket)
        if remaining is None:
            return 0.0
        reset_at = self._reset_at.get(bucket)
        now = self._clock()
        if reset_at is not None and now >= reset_at:
            # The window has rolled over: forget the count until a response tells the new one.
            self._remaining.pop(bucket, None)
            self._reset_at.pop(bucket, None)
            return 0.0
        if remaining > 0:
            self._remaining[bucket] = remaining - 1
            return 0.0
        if reset_at is None:
            # Waiting for a reset nobody announced would wait for ever: no request goes out
            # that could tell otherwise. Pause as for a 429 without a reset, then ask again.
            self._reset_at[bucket] = now + _UNKNOWN_RESET_PAUSE_SECONDS
            return _UNKNOWN_RESET_PAUSE_SECONDS
        return reset_at - now


def _cancellable_sleep(seconds: float, cancel: CancelToken | None) -> None:
    if cancel is None:
        time.sleep(seconds)
    elif cancel.wait(seconds):
        cancel.raise_if_cancelled()


def _int_header(headers: Mapping[str, str], name: str) -> int | None:
    value = headers.get(name)
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    # "inf" and "nan" parse as floats: int() of them raises, and neither says anything usable.
    return int(number) if math.isfinite(number) else None


def _reset_epoch(response: httpx.Response) -> float | None:
    value = response.headers.get("x-ratelimit-reset")
    try:
        reset = float(value) if value is not None else None
    except ValueError:
        return None
    # "nan" and "inf" parse as floats; a NaN reset would make every wait NaN (sleep raises).
    return reset if reset is not None and math.isfinite(reset) else None
