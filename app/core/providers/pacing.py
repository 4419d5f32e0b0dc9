"""Client-side request pacing for providers that publish a fixed rate (Infobip: 100 req/s)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from app.core.cancel import CancelToken


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
