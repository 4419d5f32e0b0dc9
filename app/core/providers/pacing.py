"""Pacing for CMC, Infobip and SES: a fixed client-side rate where the provider publishes one
(Infobip: 100 req/s), and 429s waited for as long as the reply asks."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Mapping

import httpx

from app.core.cancel import CancelToken

_MAX_SERVER_WAIT_SECONDS = 65.0


class RequestPacer:
    """Spaces requests at most ``rate_per_second`` apart, across all threads of one provider.

    Each caller reserves the next free slot under a lock and sleeps outside it, so concurrent
    pages keep the network busy while the overall rate never exceeds the published limit
    (a 429 costs a round trip and a back-off; staying just under the limit costs nothing).
    """

    def __init__(
        self,
        rate_per_second: float,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if rate_per_second <= 0:
            raise ValueError("rate_per_second must be positive")
        self.interval = 1.0 / rate_per_second
        self._clock = clock
        self._lock = threading.Lock()
        self._next_slot = 0.0

    def acquire(self, cancel: CancelToken | None = None) -> None:
        with self._lock:
            now = self._clock()
            slot = max(now, self._next_slot)
            self._next_slot = slot + self.interval
        wait = slot - now
        if wait <= 0:
            return
        if cancel is None:
            time.sleep(wait)
        elif cancel.wait(wait):
            cancel.raise_if_cancelled()

    def pause(self, seconds: float) -> None:
        """A 429 arrived: push every later slot back by ``seconds``."""
        with self._lock:
            self._next_slot = max(self._next_slot, self._clock() + seconds)


class RetryAfterPacing:
    """``RetryingHttp``'s pacing for providers without per-endpoint budgets (buckets ignored).

    A 429 waits for ``Retry-After`` or an epoch ``X-RateLimit-Reset`` (at most 65 s), else for
    the caller's back-off; a ``RequestPacer``, when given, spaces requests and is pushed back by
    the same wait so the provider's other threads hold off too.
    """

    def __init__(self, pacer: RequestPacer | None = None) -> None:
        self._pacer = pacer

    def acquire(self, bucket: str, cancel: CancelToken | None) -> None:
        if self._pacer is not None:
            self._pacer.acquire(cancel)

    def release(self, bucket: str, headers: Mapping[str, str]) -> None:
        pass  # nothing learnt from a reply that is not a 429

    def rate_limited(self, bucket: str, response: httpx.Response, fallback_s: float) -> float:
        wait = _server_wait(response)
        if wait is None:
            wait = fallback_s
        wait = min(wait, _MAX_SERVER_WAIT_SECONDS) + random.uniform(0.01, 0.1)
        if self._pacer is not None:
            self._pacer.pause(wait)
        return wait


def _server_wait(response: httpx.Response) -> float | None:
    """Seconds the server asked us to wait: ``Retry-After`` or an epoch ``X-RateLimit-Reset``."""
    retry_after = response.headers.get("retry-after")
    if retry_after is not None:
        try:
            return max(0.0, float(retry_after))
        except ValueError:
            pass
    reset = response.headers.get("x-ratelimit-reset")
    if reset is not None:
        try:
            return max(0.0, float(reset) - time.time())
        except ValueError:
            pass
    return None
