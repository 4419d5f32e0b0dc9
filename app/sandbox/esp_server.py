"""What the CMC, Infobip and SES imitations share: latency, rate limits, faults, request log.

Each imitation subclasses ``EspSandbox`` and implements ``_answer`` (routing, credentials,
permissions and the documented wire format). Faults come after every check and before any
change, so a faulted DELETE deletes nothing. Practice mode, tests and benchmarks use them.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from enum import Enum
from urllib.parse import parse_qs, urlsplit

from app.sandbox.loopback import LoopbackHTTPServer, LoopbackServer, ReplyHandler
from app.sandbox.sendgrid_endpoints import Reply
from app.sandbox.sendgrid_limits import FaultInjector, Headers, RateLimiter
from app.sandbox.sendgrid_types import FaultPlan, LoggedRequest

logger = logging.getLogger(__name__)

HTML_ERROR_PAGE = (
    b"<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1>"
    b"</center><hr><center>nginx</center></body></html>"
)
HTML_TYPE = "text/html; charset=utf-8"


# One logged request: the SendGrid imitation's record serves every imitation.
EspRequest = LoggedRequest


class _Unset(Enum):
    TOKEN = 0


_UNSET = _Unset.TOKEN


class _Handler(ReplyHandler):
    server: _Server

    @property
    def server_version(self) -> str:  # type: ignore[override]
        return type(self.server.sandbox).__name__ + "/1.0"


class _Server(LoopbackHTTPServer):
    request_queue_size = 128
    sandbox: EspSandbox


class EspSandbox(LoopbackServer[EspRequest]):
    """Base of a provider imitation. ``start()`` returns the base URL (no trailing slash)."""

    _server_class = _Server
    _handler_class = _Handler
    _poll_interval = 0.05

    def __init__(
        self,
        *,
        latency_ms: float = 0.0,
        rate_limit: int | None = None,
        rate_window_seconds: float = 1.0,
        faults: FaultPlan | None = None,
        seed: int = 0,
        host: str = "127.0.0.1",
        port: int = 0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(host, port)
        self._lock = threading.Lock()
        self._latency = latency_ms / 1000.0
        self._limiter = RateLimiter(rate_limit, rate_window_seconds)
        self._faults = FaultInjector(faults or FaultPlan(), seed)
        self._clock = clock

    # -- configuration --------------------------------------------------------------------------

    def configure(
        self,
        *,
        latency_ms: float | _Unset = _UNSET,
        faults: FaultPlan | _Unset = _UNSET,
        rate_limit: int | _Unset | None = _UNSET,
        rate_window_seconds: float | _Unset = _UNSET,
    ) -> None:
        """Change behaviour while serving; only the arguments given change."""
        with self._lock:
            if not isinstance(latency_ms, _Unset):
                self._latency = float(latency_ms) / 1000.0
            if not isinstance(faults, _Unset):
                self._faults.plan = faults
        limit = self._limiter.limit if isinstance(rate_limit, _Unset) else rate_limit
        window = (
            self._limiter.window
            if isinstance(rate_window_seconds, _Unset)
            else float(rate_window_seconds)
        )
        self._limiter.configure(limit=limit, window_seconds=window)

    def fail_next(self, n: int, status: int | str = 500, path_prefix: str | None = None) -> None:
        """Make the next ``n`` requests (whose path starts with ``path_prefix``) fail with an
        HTTP status, ``"drop"`` (connection closed) or ``"garbage"`` (HTML page with 200)."""
        self._faults.script(str(status), n, path_prefix)

    # -- for subclasses -------------------------------------------------------------------------

    def _answer(
        self,
        method: str,
        path: str,
        query: dict[str, list[str]],
        headers: dict[str, str],
        body: bytes,
    ) -> tuple[Reply | None, str | None]:
        raise NotImplementedError

    def _error_reply(self, status: int, code: str, message: str) -> Reply:
        """The provider's own error body for ``status``."""
        raise NotImplementedError

    def _rate_and_faults(self, key: str, path: str) -> tuple[Reply | None, str | None, Headers]:
        """Apply the rate limit and the fault plan: (reply to send instead, fault, headers).

        ``(None, None, headers)`` means go on and answer normally with ``headers`` added.
        """
        now = self._clock()
        allowed, rate_headers = self._limiter.hit(key, "all", now)
        if not allowed:
            reply = self._error_reply(429, "TOO_MANY_REQUESTS", "Too many requests")
            return _with(reply, (*rate_headers, ("Retry-After", "1"))), None, rate_headers
        fault = self._faults.draw(path)
        if fault is None:
            return None, None, rate_headers
        if fault == "drop":
            return None, fault, rate_headers
        if fault == "garbage":
            return Reply(200, HTML_ERROR_PAGE, HTML_TYPE), fault, rate_headers
        status = int(fault)
        if status == 429:
            reply = self._error_reply(429, "TOO_MANY_REQUESTS", "Too many requests")
            return _with(reply, (("Retry-After", "0"),)), fault, rate_headers
        if status in (502, 503, 504):
            return Reply(status, HTML_ERROR_PAGE, HTML_TYPE), fault, rate_headers
        return self._error_reply(status, "INTERNAL", "scripted failure"), fault, rate_headers

    # -- request processing ---------------------------------------------------------------------

    def _process(
        self, method: str, target: str, headers: dict[str, str], body: bytes
    ) -> Reply | None:
        received_at = self._clock()
        with self._lock:
            latency = self._latency
        if latency > 0:
            time.sleep(latency)  # outside every lock: concurrent requests overlap their latency
        split = urlsplit(target)
        query = parse_qs(split.query, keep_blank_values=True)
        fault: str | None = None
        reply: Reply | None
        try:
            reply, fault = self._answer(method, split.path, query, headers, body)
        except Exception:  # a sandbox bug must show as a 500, not a hung client
            logger.exception("sandbox failed on %s %s", method, target)
            reply = self._error_reply(500, "INTERNAL", "internal server error")
        self._record(
            EspRequest(
                method=method,
                path=split.path,
                query=query,
                headers=headers,
                body=body,
                status=0 if reply is None else reply.status,
                fault=fault,
                received_at=received_at,
            )
        )
        if fault == "drop":
            return None
        return reply


def _with(reply: Reply, extra: Headers) -> Reply:
    return Reply(reply.status, reply.body, reply.content_type, reply.headers + extra)


def with_headers(reply: Reply, extra: Headers) -> Reply:
    return _with(reply, extra)
