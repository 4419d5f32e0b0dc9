"""One HTTP call to a provider, with polite retries; every provider's client sends through it.

Retried: 429 (the provider's pacing says how long to wait), 500/502/503/504, dropped or timed-out
connections, and a 2xx whose body is not JSON (an HTML error page from a proxy, a cut answer).
Not retried: a reply still arriving at the whole-request deadline (``REPLY_DEADLINE_READS``
read timeouts): a server that slow stays slow, and retrying would only multiply the wait.
What the loop gives up on is worded by the provider's ``CallErrors``: the same failure reads
「SendGrid …」 or 「Amazon SES …」, with its own next step.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import httpx

from app.core import untrusted_json
from app.core.cancel import CancelToken
from app.core.errors import TodokuError
from app.core.providers.bounded_read import ReplyTooSlowError, send_bounded
from app.core.retry_notice import RetryCause, RetryListener, RetryNotice

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({500, 502, 503, 504})
_BACKOFF_CAP_SECONDS = 8.0
_MAX_RATE_LIMIT_WAITS = 6  # 429s are waited out separately from other retries, but not forever
# One request, sent to last byte read, may take this many read timeouts: 2 minutes at the
# default 30 s, where a full SendGrid page (500 rows, a few hundred KB) needs a few seconds
# even on a slow line. The read timeout alone never ends a reply that dribbles in.
REPLY_DEADLINE_READS = 4

Sign = Callable[[httpx.Request], None]
# Whether a reply with an accepted non-2xx status is the provider's own answer (see ``call``).
OwnAnswer = Callable[[httpx.Response], bool]


@dataclass(frozen=True, slots=True)
class CallResult:
    status: int
    payload: Any  # parsed JSON (None for an empty body)


class CallErrors(Protocol):
    """How one provider words what the retry loop gives up on, in Japanese."""

    @property
    def service_ja(self) -> str:
        """The provider's name where a reply too large to read is refused."""
        ...

    def network(self, request: httpx.Request, error: httpx.TransportError) -> TodokuError:
        """No answer after every retry: no connection, a timeout, a dropped connection."""
        ...

    def rate_limited(self, request: httpx.Request, response: httpx.Response) -> TodokuError:
        """Still 429 after every wait."""
        ...

    def status(self, request: httpx.Request, response: httpx.Response, scope: str) -> TodokuError:
        """A final error status (or a 5xx that outlasted its retries); ``scope`` as in ``call``."""
        ...

    def payload(self, request: httpx.Request, response: httpx.Response, note: str) -> TodokuError:
        """A 2xx body that is not the one expected, after every retry."""
        ...


class Pacing(Protocol):
    """When a provider's requests may go out, and how a 429 is waited for."""

    def acquire(self, bucket: str, cancel: CancelToken | None) -> None:
        """Block until a request to ``bucket`` may be sent (or raise if cancelled)."""
        ...

    def release(self, bucket: str, headers: Mapping[str, str]) -> None:
        """A reply to ``bucket`` arrived with these headers."""
        ...

    def rate_limited(self, bucket: str, response: httpx.Response, fallback_s: float) -> float:
        """A 429 arrived: seconds the caller waits now (0 when the next ``acquire`` waits).

        ``fallback_s`` is the back-off to use when the reply does not say how long.
        """
        ...


class RetryingHttp:
    """Sends requests for one provider instance; safe to use from several threads at once."""

    def __init__(
        self,
        client: httpx.Client,
        *,
        errors: CallErrors,
        pacing: Pacing,
        max_retries: int,
        backoff_base_s: float = 0.5,
        sign: Sign | None = None,
        sleep: Callable[[float, CancelToken | None], None] | None = None,
        on_retry: RetryListener | None = None,
        reply_deadline_s: float | None = None,
    ) -> None:
        self._client = client
        read_s = client.timeout.read  # None: the client waits for ever on a read
        self._reply_deadline_s = reply_deadline_s or REPLY_DEADLINE_READS * (read_s or 30.0)
        self._errors = errors
        self._pacing = pacing
        self._max_retries = max_retries
        self._backoff_base_s = backoff_base_s
        self._sign = sign
        self._sleep = sleep or _cancellable_sleep
        # Told before each wait (any thread): the window shows "retrying" instead of silence.
        self.on_retry = on_retry
        self._lock = threading.Lock()
        self.requests_made = 0
        self.retries = 0

    def call(
        self,
        method: str,
        path: str,
        *,
        bucket: str = "",
        scope: str = "",
        params: Any = None,
        json_body: Any = None,
        form: dict[str, str] | None = None,
        expect_json: bool = True,
        expect_empty: bool = False,
        accept_statuses: Collection[int] = (),
        own_answer: OwnAnswer | None = None,
        cancel: CancelToken | None = None,
        read_only: bool | None = None,
    ) -> CallResult:
        """Send one request, retrying what is worth retrying; raise a TodokuError otherwise.

        ``bucket`` is the rate-limit window the request counts against (where the provider has
        one per endpoint); ``scope`` the permission it needs, named when it is refused.
        ``accept_statuses`` lists non-2xx statuses that are answers, not errors (404 on delete-one).
        ``own_answer`` tells the provider's own such answer from a proxy's or gateway's page with
        the same status (SES names its 404 ``NotFoundException``): one it does not recognise is
        a final error, never an answer, so a gateway's 404 is not read as "not on the list".
        ``expect_empty``: success is a 2xx without a body (a deletion answered with 204 No
        Content). A body there (a proxy's error page sent with 200, a cut reply) says nothing
        about whether the deletion happened, so it is retried like a malformed body and then
        raised, never taken for success.
        ``read_only``: the request changes nothing (None: only GET and HEAD do), so ``cancel``
        may also end it while its reply arrives. A request that may change something (a
        deletion) is read to its end once sent, or to the deadline: cut short, its outcome
        would be reported as never tried.
        """
        if read_only is None:
            read_only = method in ("GET", "HEAD")
        failures = 0
        rate_waits = 0
        while True:
            if cancel is not None:
                cancel.raise_if_cancelled()
            self._pacing.acquire(bucket, cancel)
            request = self._client.build_request(
                method, path, params=params, json=json_body, data=form
            )
            if self._sign is not None:
                self._sign(request)  # every attempt: the signature carries the time
            try:
                with self._lock:
                    self.requests_made += 1
                response = send_bounded(
                    self._client,
                    request,
                    self._errors.service_ja,
                    deadline_s=self._reply_deadline_s,
                    cancel=cancel if read_only else None,
                )
            except ReplyTooSlowError as error:
                log.info("%s on %s: %s", type(error).__name__, path, error)
                raise self._errors.network(request, error) from error
            except httpx.TransportError as error:
                failures += 1
                if failures > self._max_retries:
                    raise self._errors.network(request, error) from error
                self._back_off(
                    failures, cancel, f"{type(error).__name__} on {path}", RetryCause.NETWORK
                )
                continue
            self._pacing.release(bucket, response.headers)
            status = response.status_code
            if status == 429:
                rate_waits += 1
                if rate_waits > _MAX_RATE_LIMIT_WAITS:
                    raise self._errors.rate_limited(request, response)
                self._wait_for_quota(bucket, path, response, rate_waits, cancel)
                continue
            if status in RETRY_STATUSES:
                failures += 1
                if failures > self._max_retries:
                    raise self._errors.status(request, response, scope)
                self._back_off(failures, cancel, f"HTTP {status} on {path}", RetryCause.SERVER)
                continue
            if expect_empty and 200 <= status < 300 and response.content.strip():
                failures += 1
                if failures > self._max_retries:
                    raise self._errors.payload(request, response, "a body where none is sent")
                self._back_off(failures, cancel, f"unexpected body on {path}", RetryCause.PAYLOAD)
                continue
            if status in accept_statuses and own_answer is not None and not own_answer(response):
                raise self._errors.status(request, response, scope)
            if 200 <= status < 300 or status in accept_statuses:
                if not expect_json or not response.content.strip():
                    return CallResult(status, None)
                try:
                    return CallResult(status, untrusted_json.loads(response.content))
                except (ValueError, RecursionError) as error:
                    # A truncated or HTML body on 2xx is treated like a dropped connection;
                    # so is JSON nested deeper than the parser's recursion limit.
                    failures += 1
                    if failures > self._max_retries:
                        raise self._errors.payload(request, response, f"JSON: {error}") from error
                    self._back_off(
                        failures, cancel, f"malformed body on {path}", RetryCause.PAYLOAD
                    )
                    continue
            raise self._errors.status(request, response, scope)

    def _wait_for_quota(
        self,
        bucket: str,
        path: str,
        response: httpx.Response,
        attempt: int,
        cancel: CancelToken | None,
    ) -> None:
        self._count_retry()
        wait = self._pacing.rate_limited(bucket, response, self._delay(attempt))
        self._notify(RetryCause.RATE_LIMIT, attempt, _MAX_RATE_LIMIT_WAITS, wait)
        if wait > 0:
            log.info("429 on %s; waiting %.2f s", path, wait)
            self._sleep(wait, cancel)
        else:
            log.info("429 on %s; waiting for the rate-limit reset", path)

    def _back_off(
        self, failures: int, cancel: CancelToken | None, why: str, cause: RetryCause
    ) -> None:
        self._count_retry()
        delay = self._delay(failures) * random.uniform(0.5, 1.0)
        # Full jitter keeps parallel pages from retrying in step.
        log.info("retrying after %s (attempt %d, %.2f s)", why, failures, delay)
        self._notify(cause, failures, self._max_retries, delay)
        self._sleep(delay, cancel)

    def _delay(self, attempt: int) -> float:
        delay: float = min(_BACKOFF_CAP_SECONDS, self._backoff_base_s * 2 ** (attempt - 1))
        return delay

    def _notify(self, cause: RetryCause, attempt: int, max_retries: int, delay: float) -> None:
        listener = self.on_retry
        if listener is not None:
            listener(RetryNotice(cause, attempt, max_retries, delay))

    def _count_retry(self) -> None:
        with self._lock:
            self.retries += 1


def _cancellable_sleep(seconds: float, cancel: CancelToken | None) -> None:
    if cancel is None:
        threading.Event().wait(seconds)
    elif cancel.wait(seconds):
        cancel.raise_if_cancelled()
