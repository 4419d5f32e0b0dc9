"""What a provider's retry layer tells a listener before it waits and tries again, so a window
can say "retrying (2 of 5)" instead of a progress line that stands still."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum


class RetryCause(StrEnum):
    NETWORK = "network"  # no connection, timeout, dropped connection
    SERVER = "server"  # 5xx from the service
    RATE_LIMIT = "rate_limit"  # 429: waiting for the limit to reset
    PAYLOAD = "payload"  # a 2xx whose body was not the JSON expected


@dataclass(frozen=True, slots=True)
class RetryNotice:
    """One retry about to happen.

    ``attempt`` counts retries of this request from 1; ``max_retries`` is how many the layer
    makes before it gives up with the error; ``delay_s`` is the wait before the next attempt.
    """

    cause: RetryCause
    attempt: int
    max_retries: int
    delay_s: float


RetryListener = Callable[[RetryNotice], None]
