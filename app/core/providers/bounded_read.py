"""Read a provider's reply with a ceiling on its size.

A page of any list is a few hundred entries (SendGrid: at most 500, a few hundred KB); a server
that answers with gigabytes, or with a body that never ends, would otherwise be read into
memory whole by httpx before any check could look at it. The body is streamed instead and the
read stops at ``MAX_RESPONSE_BYTES`` of *decoded* bytes, which also bounds a gzip bomb sent
with ``Content-Encoding: gzip``.

httpx's timeout bounds each network read, not the reply: a server (or a stuck proxy) that sends
a byte every few seconds never trips it, and 64 MB at that pace takes years. A caller may give
a ``deadline_s`` for the whole exchange, request sent to last byte read: on a client prepared
by ``reply_deadline.install`` every socket wait (the status line and headers included, where
no code of ours runs until they are complete) ends at that deadline; the body's chunks are
also checked against it, with the cancel token. On another client (a test's mock transport)
only the body's chunks are checked.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx

from app.core import reply_deadline
from app.core.cancel import CancelToken
from app.core.errors import UnexpectedPayloadError

MAX_RESPONSE_BYTES = 64 * 1024 * 1024


class ResponseTooLargeError(UnexpectedPayloadError):
    """The reply was larger than any real page; it is not retried (the server means it)."""


class ReplyTooSlowError(httpx.ReadTimeout):
    """The reply was still arriving at the deadline; the read stopped there. A timeout like
    httpx's own, so callers word it as a reply that did not come in time."""


def send_bounded(
    client: httpx.Client,
    request: httpx.Request,
    service_ja: str,
    limit: int = MAX_RESPONSE_BYTES,
    *,
    deadline_s: float | None = None,
    cancel: CancelToken | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> httpx.Response:
    """``client.send(request)`` whose body is read only up to ``limit`` bytes, and only until
    ``deadline_s`` seconds after the request went out (no deadline when None).

    Raises:
        httpx.TransportError: as ``client.send`` (the caller retries those).
        ReplyTooSlowError: the reply (status line, headers or body) was still arriving at
            the deadline (an ``httpx.TransportError`` too).
        ResponseTooLargeError: the body (or its declared length) exceeds ``limit``.
        CancelledError: ``cancel`` was set while the body was arriving.
    """
    with reply_deadline.within(deadline_s) as deadline:
        try:
            return _send(client, request, service_ja, limit, deadline_s, cancel, clock)
        except httpx.TimeoutException as error:
            if deadline is None or not deadline.hit or isinstance(error, ReplyTooSlowError):
                raise
            raise ReplyTooSlowError(
                f"no complete reply after {deadline_s:g} s ({type(error).__name__})",
                request=request,
            ) from error


def _send(
    client: httpx.Client,
    request: httpx.Request,
    service_ja: str,
    limit: int,
    deadline_s: float | None,
    cancel: CancelToken | None,
    clock: Callable[[], float],
) -> httpx.Response:
    started = clock()
    response = client.send(request, stream=True)
    try:
        declared = response.headers.get("content-length", "")
        too_large = declared.isdigit() and int(declared) > limit
        chunks: list[bytes] = []
        read = 0
        if not too_large:
            for chunk in response.iter_bytes():  # decoded: gzip counts as what it expands to
                if cancel is not None:
                    cancel.raise_if_cancelled()
                if deadline_s is not None and clock() - started > deadline_s:
                    raise ReplyTooSlowError(
                        f"reply still arriving after {deadline_s:g} s ({read:,} bytes read)",
                        request=request,
                    )
                read += len(chunk)
                if read > limit:
                    too_large = True
                    break
                chunks.append(chunk)
        if too_large:
            raise ResponseTooLargeError(
                f"{service_ja} からの応答が大きすぎるため、読み込みを中止しました。",
                detail=(
                    f"{request.method} {request.url.copy_with(query=None)}: HTTP "
                    f"{response.status_code}, more than {limit:,} bytes"
                ),
            )
        # What httpx's own read() does with the chunks; the response is complete from here on.
        response._content = b"".join(chunks)
    finally:
        response.close()
    return response
