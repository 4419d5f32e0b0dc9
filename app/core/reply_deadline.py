"""A deadline for a whole HTTP exchange that also covers the status line and the headers.

httpx's read timeout bounds each network read, never the reply: a server (or a stuck proxy)
that sends its headers a byte every few seconds, or nothing at all after a 100-byte prelude,
keeps ``client.send`` waiting for as long as it likes, before any code of ours sees a response
to check. A check between body chunks (``bounded_read``) cannot reach that wait.

So the socket itself learns the deadline: every client built through ``install`` has its
connection pools' network backend wrapped, and each read, write and connect on one of their
sockets waits at most until the deadline of the exchange running on that thread (a context
variable set by ``within``), never longer than the client's own timeout. Past the deadline the
read fails as httpx's ``ReadTimeout`` and ``within`` reports it as ``deadline_hit`` so the
caller can tell "the reply took too long overall" (not retried) from an ordinary timeout.

The ``openai`` package brings its own copy of the pair under other names (``httpx2`` and
``httpcore2``, the same classes and the same layout): its clients are prepared the same way,
each socket failing with its own family's timeout so the client above it reports it as usual.

Reaching the backend uses two attributes httpx and httpcore do not document
(``Client._transport`` / ``_mounts``, ``ConnectionPool._network_backend``); the tests in
``tests/core/providers/test_header_deadline.py`` and
``tests/core/classify/test_llm_header_deadline.py`` fail at once if a new version moves them.
"""

from __future__ import annotations

import contextvars
import logging
import sys
import time
import typing
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpcore
import httpx

log = logging.getLogger(__name__)


@dataclass(slots=True)
class Deadline:
    """When the running exchange must be over (``time.monotonic`` seconds), and whether a
    socket wait was cut short because of it."""

    at: float
    hit: bool = False

    def limit(
        self, timeout: float | None, expired: type[Exception] = httpcore.ReadTimeout
    ) -> float:
        """The wait allowed for one socket operation: the remaining time, if shorter.
        Past the deadline, raises ``expired`` (the socket family's own read timeout)."""
        remaining = self.at - time.monotonic()
        if remaining <= 0:
            self.hit = True
            raise expired("the whole-request deadline has passed")
        return remaining if timeout is None else min(timeout, remaining)


_current: contextvars.ContextVar[Deadline | None] = contextvars.ContextVar(
    "todoku_reply_deadline", default=None
)


@contextmanager
def within(deadline_s: float | None) -> Iterator[Deadline | None]:
    """Socket waits in the block end ``deadline_s`` seconds from now (no deadline when None)."""
    if deadline_s is None:
        yield None
        return
    deadline = Deadline(time.monotonic() + deadline_s)
    token = _current.set(deadline)
    try:
        yield deadline
    finally:
        _current.reset(token)


class _DeadlineStream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream, core: typing.Any = httpcore) -> None:
        self._inner = inner
        self._core = core  # httpcore, or the openai package's httpcore2

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        deadline = _current.get()
        if deadline is None:
            return self._inner.read(max_bytes, timeout)
        allowed = deadline.limit(timeout, self._core.ReadTimeout)
        try:
            return self._inner.read(max_bytes, allowed)
        except self._core.ReadTimeout:
            if timeout is None or allowed < timeout:
                deadline.hit = True
            raise

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        deadline = _current.get()
        if deadline is None:
            self._inner.write(buffer, timeout)
            return
        allowed = deadline.limit(timeout, self._core.ReadTimeout)
        try:
            self._inner.write(buffer, allowed)
        except self._core.WriteTimeout:
            if timeout is None or allowed < timeout:
                deadline.hit = True
            raise

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: typing.Any,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        deadline = _current.get()
        allowed = timeout if deadline is None else deadline.limit(timeout, self._core.ReadTimeout)
        return _DeadlineStream(
            self._inner.start_tls(ssl_context, server_hostname, allowed), self._core
        )

    def get_extra_info(self, info: str) -> typing.Any:
        return self._inner.get_extra_info(info)


class DeadlineBackend(httpcore.NetworkBackend):
    """A network backend whose sockets honour the running exchange's deadline."""

    def __init__(self, inner: httpcore.NetworkBackend, core: typing.Any = httpcore) -> None:
        self._inner = inner
        self._core = core  # httpcore, or the openai package's httpcore2

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[typing.Any] | None = None,
    ) -> httpcore.NetworkStream:
        deadline = _current.get()
        allowed = timeout if deadline is None else deadline.limit(timeout, self._core.ReadTimeout)
        stream = self._inner.connect_tcp(host, port, allowed, local_address, socket_options)
        return _DeadlineStream(stream, self._core)

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[typing.Any] | None = None,
    ) -> httpcore.NetworkStream:
        deadline = _current.get()
        allowed = timeout if deadline is None else deadline.limit(timeout, self._core.ReadTimeout)
        stream = self._inner.connect_unix_socket(path, allowed, socket_options)
        return _DeadlineStream(stream, self._core)

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


def _socket_family(transport: object) -> typing.Any:
    """The httpcore module under ``transport`` when it is an httpx (or httpx2) HTTPTransport,
    else None. httpx2 is looked up only once something has imported it (the openai client)."""
    if isinstance(transport, httpx.HTTPTransport):
        return httpcore
    httpx2 = sys.modules.get("httpx2")
    if httpx2 is not None and isinstance(transport, httpx2.HTTPTransport):
        return sys.modules.get("httpcore2")
    return None


Client = typing.TypeVar("Client")


def install(client: Client) -> Client:
    """Make every connection pool of ``client`` (direct and through a proxy) honour ``within``.

    ``client`` is an ``httpx.Client`` or an ``httpx2.Client`` (the openai package's). A transport
    that is neither's own (a test's ``MockTransport``) is left as it is. Returns ``client``.
    """
    transports: list[object] = [getattr(client, "_transport", None)]
    transports += list(getattr(client, "_mounts", {}).values())
    for transport in transports:
        core = _socket_family(transport)
        if core is None:
            continue
        pool = getattr(transport, "_pool", None)
        backend = getattr(pool, "_network_backend", None)
        if backend is None:
            # Without it a reply's headers are bounded only by the read timeout per byte.
            log.warning("reply deadline not installed: %s has no network backend", type(pool))
            continue
        if not isinstance(backend, DeadlineBackend):
            pool._network_backend = DeadlineBackend(backend, core)  # type: ignore[union-attr]
    return client
