"""One HTTP call to a non-SendGrid provider, with the same retry policy as SendGrid's client.

Retried: 429 (waiting for ``Retry-After`` / ``X-RateLimit-Reset`` when given), 500/502/503/504,
dropped or timed-out connections, and a 2xx whose body is not JSON (an HTML error page from a
proxy, a truncated answer). Everything else is turned into a Japanese ``TodokuError`` by the
provider's own ``classify`` function, which sees the final response.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

import httpx

from app.core import untrusted_json
from app.core.cancel import CancelToken
from app.core.errors import (
    AuthError,
    NetworkError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    TodokuError,
    UnexpectedPayloadError,
)
from app.core.providers.bounded_read import send_bounded
from app.core.providers.pacing import RequestPacer

# Provider-neutral despite the module's name: request line, query, status, body excerpt; never
# headers or request bodies (CMC sends its api_key in the form body).
from app.core.providers.sendgrid_errors import describe

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({500, 502, 503, 504})
_BACKOFF_CAP_SECONDS = 8.0
_MAX_RATE_LIMIT_WAITS = 6
_MAX_SERVER_WAIT_SECONDS = 65.0

Classify = Callable[[httpx.Request, httpx.Response, str], TodokuError]
Sign = Callable[[httpx.Request], None]


@dataclass(frozen=True, slots=True)
class CallResult:
    status: int
    payload: Any  # parsed JSON, None for an empty body


@dataclass(frozen=True, slots=True)
class ProviderWording:
    """How errors name the provider and where the operator fixes credentials, in Japanese."""

    name_ja: str
    credentials_hint_ja: str
    permission_hint_ja: str


def generic_error(wording: ProviderWording, status: int, detail: str) -> TodokuError:
    """The Japanese error for a status no provider-specific rule explained."""
    name = wording.name_ja
    if status == 401:
        return AuthError(
            f"{name} の認証情報が正しくないか、無効になっています。",
            next_step_ja=wording.credentials_hint_ja,
            detail=detail,
        )
    if status == 403:
        return PermissionDeniedError(
            f"{name} の認証情報に、この操作の権限がありません。",
            next_step_ja=wording.permission_hint_ja,
            detail=detail,
        )
    if status == 429:
        return RateLimitError(
            f"{name} の利用回数の上限に達したため、続けられませんでした。",
            next_step_ja="数分待ってからもう一度お試しください。",
            detail=detail,
        )
    if status >= 500:
        return ServerError(
            f"{name} のサーバーでエラーが発生しました。",
            next_step_ja=(
                f"しばらく待ってからもう一度お試しください。{name} の稼働状況も確認してください。"
            ),
            detail=detail,
        )
    return UnexpectedPayloadError(
        f"{name} から想定外の応答（HTTP {status}）が返りました。", detail=detail
    )


class EspHttp:
    """Sends requests for one provider instance; safe to use from several threads at once."""

    def __init__(
        self,
        client: httpx.Client,
        *,
        wording: ProviderWording,
        classify: Classify,
        max_retries: int = 5,
        backoff_base_s: float = 0.5,
        pacer: RequestPacer | None = None,
        sign: Sign | None = None,
        sleep: Callable[[float, CancelToken | None], None] | None = None,
    ) -> None:
        self._client = client
        self._wording = wording
        self._classify = classify
        self._max_retries = max_retries
        self._backoff_base_s = backoff_base_s
        self._pacer = pacer
        self._sign = sign
        self._sleep = sleep or _cancellable_sleep
        self._lock = threading.Lock()
        self.requests_made = 0
        self.retries = 0

    def call(
        self,
        method: str,
        path: str,
        *,
        params: Any = None,
        json_body: Any = None,
        form: dict[str, str] | None = None,
        expect_json: bool = True,
        expect_empty: bool = False,
        accept_statuses: Collection[int] = (),
        cancel: CancelToken | None = None,
    ) -> CallResult:
        """Send one request, retrying what is worth retrying; raise a TodokuError otherwise.

        ``expect_empty``: success is a 2xx without a body (a deletion the provider answers with
        204). A body there (a proxy's page sent with 200, a cut reply) says nothing about
        whether the deletion happened: retried like a malformed body, then raised.
        """
        failures = 0
        rate_waits = 0
        while True:
            if cancel is not None:
                cancel.raise_if_cancelled()
            if self._pacer is not None:
                self._pacer.acquire(cancel)
            request = self._client.build_request(
                method, path, params=params, json=json_body, data=form
            )
            if self._sign is not None:
                self._sign(request)  # every attempt: the signature carries the time
            try:
                with self._lock:
                    self.requests_made += 1
                response = send_bounded(self._client, request, self._wording.name_ja)
            except httpx.TransportError as error:
                failures += 1
                if failures > self._max_retries:
                    raise self._network_error(request, error) from error
                self._back_off(failures, cancel, f"{type(error).__name__} on {path}")
                continue
            status = response.status_code
            if status == 429:
                rate_waits += 1
                if rate_waits > _MAX_RATE_LIMIT_WAITS:
                    raise self._classify(request, response, describe(request, response))
                self._wait_for_quota(response, rate_waits, cancel)
                continue
            if status in RETRY_STATUSES:
                failures += 1
                if failures > self._max_retries:
                    raise self._classify(request, response, describe(request, response))
                self._back_off(failures, cancel, f"HTTP {status} on {path}")
                continue
            if expect_empty and 200 <= status < 300 and response.content.strip():
                failures += 1
                if failures > self._max_retries:
                    raise UnexpectedPayloadError(
                        f"{self._wording.name_ja} から想定外の形式の応答が返りました。",
                        detail=describe(request, response, "a body where none is sent"),
                    )
                self._back_off(failures, cancel, f"unexpected body on {path}")
                continue
            if 200 <= status < 300 or status in accept_statuses:
                if not expect_json or not response.content.strip():
                    return CallResult(status, None)
                try:
                    return CallResult(status, untrusted_json.loads(response.content))
                except (ValueError, RecursionError) as error:
                    # An HTML page, a cut-off body or JSON nested too deep for the parser, on
                    # 2xx: treated like a dropped connection.
                    failures += 1
                    if failures > self._max_retries:
                        raise UnexpectedPayloadError(
                            f"{self._wording.name_ja} から想定外の形式の応答が返りました。",
                            detail=describe(request, response, f"JSON: {error}"),
                        ) from error
                    self._back_off(failures, cancel, f"malformed body on {path}")
                    continue
            raise self._classify(request, response, describe(request, response))

    def _wait_for_quota(
        self, response: httpx.Response, attempt: int, cancel: CancelToken | None
    ) -> None:
        self._count_retry()
        wait = _server_wait(response)
        if wait is None:
            wait = min(_BACKOFF_CAP_SECONDS, self._backoff_base_s * 2 ** (attempt - 1))
        wait = min(wait, _MAX_SERVER_WAIT_SECONDS) + random.uniform(0.01, 0.1)
        if self._pacer is not None:
            self._pacer.pause(wait)
        log.info("429 from %s; waiting %.2f s", self._wording.name_ja, wait)
        self._sleep(wait, cancel)

    def _back_off(self, failures: int, cancel: CancelToken | None, why: str) -> None:
        self._count_retry()
        delay = min(_BACKOFF_CAP_SECONDS, self._backoff_base_s * 2 ** (failures - 1))
        delay *= random.uniform(0.5, 1.0)  # full jitter keeps parallel pages out of step
        log.info("retrying after %s (attempt %d, %.2f s)", why, failures, delay)
        self._sleep(delay, cancel)

    def _count_retry(self) -> None:
        with self._lock:
            self.retries += 1

    def _network_error(self, request: httpx.Request, error: Exception) -> NetworkError:
        name = self._wording.name_ja
        detail = describe(request, None, f"{type(error).__name__}: {error}")
        if isinstance(error, httpx.TimeoutException):
            return NetworkError(
                f"{name} からの応答が時間内に返りませんでした。",
                next_step_ja="ネットワークの状態を確認し、しばらくしてからもう一度お試しください。",
                detail=detail,
            )
        return NetworkError(
            f"{name} に接続できませんでした。",
            next_step_ja="インターネット接続やプロキシ、接続先 URL の設定を確認してください。",
            detail=detail,
        )


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


def _cancellable_sleep(seconds: float, cancel: CancelToken | None) -> None:
    if cancel is None:
        threading.Event().wait(seconds)
    elif cancel.wait(seconds):
        cancel.raise_if_cancelled()


def json_errors_excerpt(response: httpx.Response) -> Any:
    """The parsed body of an error response, or None when it is not JSON (an HTML page)."""
    try:
        return untrusted_json.loads(response.content or b"null")
    except (ValueError, RecursionError):
        return None
