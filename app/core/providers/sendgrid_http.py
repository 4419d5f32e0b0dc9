"""One SendGrid HTTP call with polite retries: back-off for 429, 5xx, timeouts and drops."""

from __future__ import annotations

import logging
import math
import random
import threading
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

import httpx

from app.core import untrusted_json
from app.core.cancel import CancelToken
from app.core.errors import RateLimitError, TodokuError, UnexpectedPayloadError
from app.core.providers.bounded_read import send_bounded
from app.core.providers.rate_budget import RateBudget
from app.core.providers.sendgrid_errors import (
    describe,
    error_for_status,
    network_error,
)
from app.core.retry_notice import RetryCause, RetryListener, RetryNotice

log = logging.getLogger(__name__)

_RETRY_STATUSES = frozenset({500, 502, 503, 504})
_BACKOFF_CAP_SECONDS = 8.0
_MAX_RATE_LIMIT_WAITS = 6  # 429s are waited out separately from other retries, but not forever


@dataclass(frozen=True, slots=True)
class CallResult:
    status: int
    payload: Any  # parsed JSON (None for an empty body)


class SendGridHttp:
    """Sends requests for one provider; safe to use from several threads at once."""

    def __init__(
        self,
        client: httpx.Client,
        *,
        max_retries: int,
        backoff_base_s: float = 0.5,
        budget: RateBudget | None = None,
        sleep: Callable[[float, CancelToken | None], None] | None = None,
        on_retry: RetryListener | None = None,
    ) -> None:
        self._client = client
        # Told before each wait (any thread): the window shows "retrying" instead of silence.
        self.on_retry = on_retry
        self._max_retries = max_retries
        self._backoff_base_s = backoff_base_s
        self._budget = budget or RateBudget()
        self._sleep = sleep or _cancellable_sleep
        self._lock = threading.Lock()
        self.requests_made = 0
        self.retries = 0

    def call(
        self,
        method: str,
        path: str,
        *,
        scope: str,
        bucket: str,
        params: dict[str, Any] | None = None,
        json_body: Any = None,
        expect_json: bool = True,
        expect_empty: bool = False,
        accept_statuses: Collection[int] = (),
        cancel: CancelToken | None = None,
    ) -> CallResult:
        """Send one request, retrying what is worth retrying; raise a TodokuError otherwise.

        ``accept_statuses`` lists non-2xx statuses that are answers, not errors (404 on delete-one).
        ``expect_empty``: success is a 2xx without a body (SendGrid answers a deletion with 204 No
        Content). A body there (a proxy's error page sent with 200, a cut reply) says nothing
        about whether the deletion happened, so it is retried like a malformed body and then
        raised, never taken for success.
        """
        failures = 0
        rate_waits = 0
        while True:
            if cancel is not None:
                cancel.raise_if_cancelled()
            self._budget.acquire(bucket, cancel)
            request = self._client.build_request(method, path, params=params, json=json_body)
            try:
                with self._lock:
                    self.requests_made += 1
                response = send_bounded(self._client, request, "SendGrid")
            except httpx.TransportError as error:
                self._budget.release(bucket, None)
                failures += 1
                if failures > self._max_retries:
                    raise network_error(request, error) from error
                self._back_off(
                    failures, cancel, f"{type(error).__name__} on {path}", RetryCause.NETWORK
                )
                continue
            self._budget.release(bucket, response.headers)
            status = response.status_code
            if status == 429:
                rate_waits += 1
                if rate_waits > _MAX_RATE_LIMIT_WAITS:
                    raise RateLimitError(detail=describe(request, response))
                reset = _reset_epoch(response)
                self._budget.exhausted(bucket, reset)
                self._count_retry()
                self._notify(RetryCause.RATE_LIMIT, rate_waits, _MAX_RATE_LIMIT_WAITS, 0.0)
                log.info("429 on %s; waiting for the rate-limit reset", path)
                continue  # acquire() waits until the reset
            if status in _RETRY_STATUSES:
                failures += 1
                if failures > self._max_retries:
                    raise error_for_status(request, response, scope=scope)
                self._back_off(failures, cancel, f"HTTP {status} on {path}", RetryCause.SERVER)
                continue
            if expect_empty and 200 <= status < 300 and response.content.strip():
                failures += 1
                if failures > self._max_retries:
                    raise UnexpectedPayloadError(
                        detail=describe(request, response, "a body where none is sent")
                    )
                self._back_off(failures, cancel, f"unexpected body on {path}", RetryCause.PAYLOAD)
                continue
            if 200 <= status < 300 or status in accept_statuses:
                if not expect_json or not response.content.strip():
                    return CallResult(status, None)
                try:
                    return CallResult(status, untrusted_json.loads(response.content))
                except (ValueError, RecursionError) as error:
                    # A truncated or HTML body on 200 is treated like a dropped connection;
                    # so is JSON nested deeper than the parser's recursion limit.
                    failures += 1
                    if failures > self._max_retries:
                        raise UnexpectedPayloadError(
                            detail=describe(request, response, f"JSON: {error}")
                        ) from error
                    self._back_off(
                        failures, cancel, f"malformed body on {path}", RetryCause.PAYLOAD
                    )
                    continue
            raise error_for_status(request, response, scope=scope)

    def _back_off(
        self, failures: int, cancel: CancelToken | None, why: str, cause: RetryCause
    ) -> None:
        self._count_retry()
        delay = min(_BACKOFF_CAP_SECONDS, self._backoff_base_s * 2 ** (failures - 1))
        delay *= random.uniform(0.5, 1.0)  # full jitter keeps parallel pages from retrying in step
        log.info("retrying after %s (attempt %d, %.2f s)", why, failures, delay)
        self._notify(cause, failures, self._max_retries, delay)
        self._sleep(delay, cancel)

    def _notify(self, cause: RetryCause, attempt: int, max_retries: int, delay: float) -> None:
        listener = self.on_retry
        if listener is not None:
            listener(RetryNotice(cause, attempt, max_retries, delay))

    def _count_retry(self) -> None:
        with self._lock:
            self.retries += 1


def _reset_epoch(response: httpx.Response) -> float | None:
    value = response.headers.get("x-ratelimit-reset")
    try:
        reset = float(value) if value is not None else None
    except ValueError:
        return None
    # "nan" and "inf" parse as floats; a NaN reset would make every wait NaN (sleep raises).
    return reset if reset is not None and math.isfinite(reset) else None


def _cancellable_sleep(seconds: float, cancel: CancelToken | None) -> None:
    if cancel is None:
        threading.Event().wait(seconds)
    elif cancel.wait(seconds):
        cancel.raise_if_cancelled()


def ensure_list(payload: Any, request_note: str) -> list[Any]:
    if not isinstance(payload, list):
        raise UnexpectedPayloadError(
            detail=f"{request_note}: expected a JSON array, got {type(payload).__name__}"
        )
    return payload


__all__ = ["CallResult", "SendGridHttp", "TodokuError", "ensure_list"]
