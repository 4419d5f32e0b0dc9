"""Rate limiting and fault injection for the SendGrid sandbox (both thread-safe, both seeded)."""

from __future__ import annotations

import math
import random
import threading

from app.sandbox.sendgrid_endpoints import ApiError, Reply
from app.sandbox.sendgrid_types import FaultPlan, ScriptedFault

# Shown in X-RateLimit-Limit when no limit is enforced (the commonly observed SendGrid value).
DEFAULT_RATE_LIMIT = 600
Headers = tuple[tuple[str, str], ...]

_GARBAGE_BODIES = (
    (b'[{"email": "x@', "application/json; charset=utf-8"),
    (
        b"<html><head><title>502 Bad Gateway</title></head><body><center>"
        b"<h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>",
        "text/html",
    ),
)
_GATEWAY_PAGE = b"<html><body><h1>%d</h1>upstream error</body></html>"
# JSON nested deeper than a recursive parser can follow: a broken or hostile proxy's answer.
_DEEP_BODY = b"[" * 100_000 + b"]" * 100_000
_ODD_RESET = "429 reset="  # a 429 whose X-RateLimit-Reset says "429 reset=<this text>"


def limit_headers(limit: int, remaining: int, reset: int) -> Headers:
    return (
        ("X-RateLimit-Limit", str(limit)),
        ("X-RateLimit-Remaining", str(remaining)),
        ("X-RateLimit-Reset", str(reset)),
    )


class RateLimiter:
    """Fixed windows aligned to multiples of the window length, counted per key and endpoint.

    Aligned windows make ``X-RateLimit-Reset`` exact: a client that sleeps until it gets a full
    new window. ``limit=None`` enforces nothing but still sends headers.
    """

    def __init__(self, limit: int | None, window_seconds: float) -> None:
        self._lock = threading.Lock()
        self.limit = limit
        self.window = window_seconds
        self._buckets: dict[tuple[str, str], tuple[int, int]] = {}

    def configure(self, *, limit: int | None, window_seconds: float) -> None:
        with self._lock:
            if window_seconds != self.window:
                self._buckets.clear()
            self.limit, self.window = limit, window_seconds

    def _state(self, bucket: tuple[str, str], now: float) -> tuple[int, int]:
        index = math.floor(now / self.window)
        stored_index, count = self._buckets.get(bucket, (index, 0))
        return index, count if stored_index == index else 0

    def hit(self, key: str, family: str, now: float) -> tuple[bool, Headers]:
        """Count one request; ``False`` when it is over the limit (and then not counted)."""
        with self._lock:
            enforced = self.limit
            shown = enforced or DEFAULT_RATE_LIMIT
            index, count = self._state((key, family), now)
            allowed = enforced is None or count < enforced
            if allowed:
                count += 1
                self._buckets[(key, family)] = (index, count)
            reset = math.ceil((index + 1) * self.window)
        # Unenforced, "remaining" stays above 0 so polite clients never wait for nothing.
        remaining = max(shown - count, 0 if enforced is not None else 1)
        return allowed, limit_headers(shown, remaining, reset)

    def peek(self, key: str, family: str, now: float) -> Headers:
        """Headers for a rejected request (401, 406) without spending quota."""
        with self._lock:
            shown = self.limit or DEFAULT_RATE_LIMIT
            index, count = self._state((key, family), now)
            reset = math.ceil((index + 1) * self.window)
        return limit_headers(shown, max(shown - count, 0), reset)

    def fault_headers(self, now: float) -> Headers:
        with self._lock:
            shown = self.limit or DEFAULT_RATE_LIMIT
        return limit_headers(shown, 0, math.ceil(now) + 1)


class FaultInjector:
    """Random faults from a ``FaultPlan`` plus scripted ones from ``fail_next``."""

    def __init__(self, plan: FaultPlan, seed: int) -> None:
        self._lock = threading.Lock()
        self.plan = plan
        self._rng = random.Random(seed)
        self._scripted: list[ScriptedFault] = []

    def script(
        self, kind: str, count: int, path_prefix: str | None, method: str | None = None
    ) -> None:
        known = kind in ("drop", "garbage", "deep") or kind.startswith(_ODD_RESET)
        if not known and not kind.isdigit():
            raise ValueError(
                "status must be an HTTP status, 'drop', 'garbage', 'deep' or "
                f"'{_ODD_RESET}<value>', got {kind!r}"
            )
        if count > 0:
            with self._lock:
                self._scripted.append(ScriptedFault(kind, count, path_prefix, method))

    def draw(self, path: str, method: str = "GET") -> str | None:
        """The fault for this request, if any: scripted ones first, in the order queued."""
        with self._lock:
            for scripted in self._scripted:
                if scripted.matches(path, method):
                    scripted.remaining -= 1
                    if scripted.remaining <= 0:
                        self._scripted.remove(scripted)
                    return scripted.kind
            if not self.plan.active:
                return None  # no draw, so the RNG sequence depends only on faulty stretches
            return self.plan.pick(self._rng.random())

    def reply(self, fault: str, rate_headers: Headers) -> Reply | None:
        """What a fault looks like on the wire; ``None`` means drop the connection."""
        if fault == "drop":
            return None
        if fault == "garbage":
            with self._lock:
                body, content_type = self._rng.choice(_GARBAGE_BODIES)
            return Reply(200, body, content_type)
        if fault == "deep":
            return Reply(200, _DEEP_BODY, "application/json")
        if fault.startswith(_ODD_RESET):
            odd = tuple(
                (name, fault[len(_ODD_RESET) :] if name == "X-RateLimit-Reset" else value)
                for name, value in rate_headers
            )
            return Reply(429, ApiError(429, "too many requests").reply().body, headers=odd)
        status = int(fault)
        if status == 429:
            reply = ApiError(429, "too many requests").reply()
            return Reply(429, reply.body, headers=rate_headers)
        if status == 500:  # the spec's 500 example has no "field"
            return Reply(500, b'{"errors":[{"message":"internal server error"}]}')
        if status >= 500:  # gateways answer with HTML, not JSON (docs/sendgrid-notes.md)
            return Reply(status, _GATEWAY_PAGE % status, "text/html")
        return ApiError(status, "scripted failure").reply()
