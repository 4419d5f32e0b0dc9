"""SendGrid v3 suppression API imitation on 127.0.0.1: auth, scopes, limits, faults, request log.

Used by practice mode, tests and benchmarks. Behaviour follows docs/sendgrid-notes.md; where
SendGrid documents nothing the choice is noted at the place it is made.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from app.sandbox.loopback import LoopbackHTTPServer, LoopbackServer, ReplyHandler
from app.sandbox.scenarios import generate_incident_blocks
from app.sandbox.sendgrid_endpoints import (
    ApiError,
    EndpointOptions,
    Endpoints,
    Reply,
    error_body,
    resolve,
)
from app.sandbox.sendgrid_limits import DEFAULT_RATE_LIMIT, FaultInjector, Headers, RateLimiter
from app.sandbox.sendgrid_stats import JST, day_bounds, metrics_for_day, parse_day
from app.sandbox.sendgrid_store import SuppressionStore
from app.sandbox.sendgrid_types import (
    FULL_SCOPES,
    FaultPlan,
    LoggedRequest,
    SandboxRecord,
)

__all__ = [
    "DEFAULT_RATE_LIMIT",
    "FULL_SCOPES",
    "SANDBOX_API_KEY",
    "FaultPlan",
    "LoggedRequest",
    "SandboxRecord",
    "SendGridSandbox",
]

logger = logging.getLogger(__name__)

# Clearly fake: practice mode and the CLI use it; it can never work against the real API.
SANDBOX_API_KEY = "SG.practice-key-not-real"


class _Unset(Enum):
    """Marks a ``configure`` argument that was not given (``None`` means "unlimited")."""

    TOKEN = 0


_UNSET = _Unset.TOKEN


class _Handler(ReplyHandler):
    # HTTP/1.1 (from LoopbackHandler): keep-alive, like the real API behind its load balancer.
    server_version = "SendGridSandbox/1.0"
    server: _Server


class _Server(LoopbackHTTPServer):
    request_queue_size = 128  # benchmarks open many connections at once
    sandbox: SendGridSandbox


class SendGridSandbox(LoopbackServer[LoggedRequest]):
    """A local SendGrid imitation. Start it, point a client at ``base_url``, inspect the log.

    Thread-safe: the HTTP server answers each connection on its own thread, and every public
    method may be called while it runs. ``start()`` returns the base URL (no trailing slash).
    """

    _server_class = _Server
    _handler_class = _Handler
    _poll_interval = 0.05

    def __init__(
        self,
        records: Iterable[SandboxRecord] = (),
        api_keys: dict[str, frozenset[str] | set[str] | None] | None = None,
        latency_ms: float = 0,
        rate_limit_per_minute: int | None = None,
        faults: FaultPlan | None = None,
        seed: int = 0,
        limit_over_500: str = "400",
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        rate_window_seconds: float = 60.0,
        default_limit: int = 500,
        link_header: bool = True,
        plus_as_space_in_path: bool = False,
        reasons_path: Path | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if limit_over_500 not in ("400", "clamp"):
            raise ValueError("limit_over_500 must be '400' or 'clamp'")
        super().__init__(host, port)
        keys = {SANDBOX_API_KEY: None} if api_keys is None else api_keys
        self._keys = {key: FULL_SCOPES if s is None else frozenset(s) for key, s in keys.items()}
        self._store = SuppressionStore(records)
        self._options = EndpointOptions(limit_over_500, default_limit, link_header, seed)
        self._endpoints = Endpoints(self._store, self._options)
        self._lock = threading.Lock()
        self._latency = latency_ms / 1000.0
        self._limiter = RateLimiter(rate_limit_per_minute, rate_window_seconds)
        self._faults = FaultInjector(faults or FaultPlan(), seed)
        self._plus_as_space = plus_as_space_in_path
        self._reasons_path = reasons_path
        self._clock = clock
        self._in_flight = 0
        self._peak_in_flight = 0

    @property
    def peak_in_flight(self) -> int:
        """The most requests this sandbox has been answering at once since it was made: lets a
        test see that concurrent requests overlap (e.g. their latency) without timing them."""
        with self._lock:
            return self._peak_in_flight

    # -- configuration and data -----------------------------------------------------------------

    def configure(
        self,
        *,
        latency_ms: float | _Unset = _UNSET,
        rate_limit_per_minute: int | _Unset | None = _UNSET,
        faults: FaultPlan | _Unset = _UNSET,
        rate_window_seconds: float | _Unset = _UNSET,
        limit_over_500: str | _Unset = _UNSET,
        ignore_offset: bool | _Unset = _UNSET,
    ) -> None:
        """Change behaviour while serving; only the arguments given change."""
        with self._lock:
            if not isinstance(ignore_offset, _Unset):
                self._options.ignore_offset = ignore_offset
            if not isinstance(latency_ms, _Unset):
                self._latency = float(latency_ms) / 1000.0
            if not isinstance(faults, _Unset):
                self._faults.plan = faults
            if not isinstance(limit_over_500, _Unset):
                if limit_over_500 not in ("400", "clamp"):
                    raise ValueError("limit_over_500 must be '400' or 'clamp'")
                self._options.limit_over_500 = limit_over_500
        limit = self._limiter.limit
        if not isinstance(rate_limit_per_minute, _Unset):
            limit = rate_limit_per_minute
        window = self._limiter.window
        if not isinstance(rate_window_seconds, _Unset):
            window = float(rate_window_seconds)
        self._limiter.configure(limit=limit, window_seconds=window)

    def fail_next(
        self,
        n: int,
        status: int | str = 500,
        path_prefix: str | None = None,
        method: str | None = None,
    ) -> None:
        """Make the next ``n`` requests fail: those whose raw path starts with ``path_prefix``
        and whose method is ``method`` (None: any).

        ``status`` is an HTTP status (429 gets rate-limit headers, 500 SendGrid's error body,
        other 5xx an HTML gateway page), ``"drop"`` / ``"garbage"``, ``"deep"`` (a 200 whose JSON
        nests 100,000 deep) or ``"429 reset=VALUE"`` (a 429 whose X-RateLimit-Reset is VALUE).
        """
        self._faults.script(str(status), n, path_prefix, method)

    def add_records(self, records: Iterable[SandboxRecord]) -> None:
        self._store.add(records)

    def remove(self, list_kind: str, email: str) -> bool:
        return self._store.remove(list_kind, [email]) > 0

    def records(self, list_kind: str | None = None) -> list[SandboxRecord]:
        """Current entries, newest first within each list."""
        return self._store.records(list_kind)

    def set_bad_day(self, day: date | str, delivered_ratio: float = 0.85) -> int:
        """Make one JST day an incident: stats show ``delivered ≈ requests × ratio``.

        Part of the shortfall becomes real block entries at docomo.ne.jp created that day (so the
        lists and stats agree), the rest shows as deferred. Returns the number of blocks added.
        """
        if not 0.0 <= delivered_ratio <= 1.0:
            raise ValueError("delivered_ratio must be between 0 and 1")
        target = parse_day(day) if isinstance(day, str) else day
        today = self._today()
        before = metrics_for_day(self._store, self._options.seed, target, today, {})
        shortfall = before["delivered"] - round(before["requests"] * delivered_ratio)
        count = max(0, min(shortfall // 2, 500))
        first, last = day_bounds(target)
        seed = self._options.seed
        self._store.add(
            generate_incident_blocks(count, seed, first, last, reasons_path=self._reasons_path)
        )
        with self._lock:
            self._options.bad_days[target] = delivered_ratio
        return count

    # -- request processing ---------------------------------------------------------------------

    def _today(self) -> date:
        return datetime.fromtimestamp(self._clock(), JST).date()

    def _process(
        self, method: str, target: str, headers: dict[str, str], body: bytes
    ) -> Reply | None:
        """Answer one request (``None`` = drop the connection) and log it."""
        received_at = self._clock()
        with self._lock:
            latency = self._latency
            self._in_flight += 1
            self._peak_in_flight = max(self._peak_in_flight, self._in_flight)
        try:
            if latency > 0:
                time.sleep(latency)  # outside every lock: concurrent requests overlap their latency
            return self._answer_and_log(method, target, headers, body, received_at)
        finally:
            with self._lock:
                self._in_flight -= 1

    def _answer_and_log(
        self, method: str, target: str, headers: dict[str, str], body: bytes, received_at: float
    ) -> Reply | None:
        split = urlsplit(target)
        query = parse_qs(split.query, keep_blank_values=True)
        fault: str | None = None
        try:
            reply, fault = self._answer(method, split.path, query, headers, body)
        except Exception:  # a sandbox bug must show as a 500, not a hung client
            logger.exception("sandbox failed on %s %s", method, target)
            reply = Reply(500, error_body("internal server error"))
        entry = LoggedRequest(
            method=method,
            path=split.path,
            query=query,
            headers=headers,
            body=body,
            status=0 if reply is None else reply.status,
            fault=fault,
            received_at=received_at,
        )
        self._record(entry)
        return reply

    def _answer(
        self,
        method: str,
        path: str,
        query: dict[str, list[str]],
        headers: dict[str, str],
        body: bytes,
    ) -> tuple[Reply | None, str | None]:
        now = self._clock()
        scheme, _, key = headers.get("authorization", "").partition(" ")
        key = key.strip()
        try:
            route = resolve(method, path, self._plus_as_space)
        except ApiError as error:  # unknown path or method: headers as on every response
            return _add_headers(error.reply(), self._limiter.peek(key, path, now)), None
        if scheme.lower() != "bearer" or key not in self._keys:
            reply = ApiError(401, "authorization required").reply()
            return _add_headers(reply, self._limiter.peek(key, route.family, now)), None
        accept = headers.get("accept", "")
        wants_csv = route.csv_allowed and "text/csv" in accept
        if accept and not wants_csv and not _accepts_json(accept):
            reply = ApiError(406, "not acceptable").reply()
            return _add_headers(reply, self._limiter.peek(key, route.family, now)), None
        allowed, rate_headers = self._limiter.hit(key, route.family, now)
        if not allowed:
            return _add_headers(ApiError(429, "too many requests").reply(), rate_headers), None
        granted = self._keys[key]
        if route.scopes and not route.scopes & granted:
            return _add_headers(ApiError(403, "access forbidden").reply(), rate_headers), None
        # Faults come after every check and before any change: a faulted DELETE deletes nothing.
        fault = self._faults.draw(path, method)
        if fault is not None:
            return self._faults.reply(fault, self._limiter.fault_headers(now)), fault
        try:
            reply = self._endpoints.handle(
                route,
                method,
                query,
                body,
                base_url=self.base_url,
                now=now,
                today=self._today(),
                granted=granted,
                wants_csv=wants_csv,
            )
        except ApiError as error:
            reply = error.reply()
        return _add_headers(reply, rate_headers), None


def _accepts_json(accept: str) -> bool:
    media = {part.split(";")[0].strip().lower() for part in accept.split(",")}
    return bool(media & {"application/json", "application/*", "*/*"})


def _add_headers(reply: Reply, extra: Headers) -> Reply:
    return Reply(reply.status, reply.body, reply.content_type, reply.headers + extra)
