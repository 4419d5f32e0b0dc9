"""The OpenAI client as Todoku builds it: no hidden retries, and no headers about this machine.

The ``openai`` package announces the operating system, CPU architecture, Python runtime and
version and its own version on every request (``X-Stainless-OS``, ``X-Stainless-Runtime-Version``
… and ``User-Agent: OpenAI/Python x.y``), plus per-request ``x-stainless-retry-count`` and
``x-stainless-read-timeout``. An LLM endpoint has no need for any of it, and a third-party
endpoint would learn what the operator's machine runs, so every such header is omitted (the
client's ``Omit`` marker removes a default header) and the User-Agent names only the app.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any, Protocol

from app.core import reply_deadline

USER_AGENT = "Todoku"
# Added per request by the client unless the request itself omits them.
_PER_REQUEST = ("x-stainless-retry-count", "x-stainless-read-timeout")


class EndpointSettings(Protocol):
    @property
    def base_url(self) -> str: ...
    @property
    def api_key(self) -> str: ...
    @property
    def timeout_s(self) -> float: ...


ClientFactory = Callable[[Any], Any]


def default_client(settings: EndpointSettings) -> Any:
    import openai  # heavy: only when refinement actually runs

    options: dict[str, Any] = {
        "base_url": settings.base_url.strip(),
        "api_key": settings.api_key,
        "timeout": settings.timeout_s,
        "max_retries": 0,  # retries are ours (capped, cancellable, counted)
    }
    probe = openai.OpenAI(**options)
    # Whatever the installed version announces about the platform, leave it all out.
    revealing: dict[str, Any] = {
        name: openai.Omit()
        for name in probe.default_headers
        if name.lower().startswith("x-stainless") or name.lower() == "user-agent"
    }
    probe.close()
    headers: Any = {**revealing, "User-Agent": USER_AGENT}  # Omit values: typed as str there
    # The streamed read (create_completion) makes the client add "X-Stainless-Raw-Response",
    # its own note to itself: taken off each request just before it goes out, and put back
    # when the reply's headers are in, where the client looks for it again.
    hooks: dict[str, list[Callable[..., Any]]] = {
        "request": [_hide_sdk_headers],
        "response": [_restore_sdk_headers],
    }
    # Its sockets learn the whole-request deadline that ``create_completion`` sets, so a
    # server dribbling the status line or the headers is cut off too (see reply_deadline).
    http_client = reply_deadline.install(openai.DefaultHttpxClient(event_hooks=hooks))
    return openai.OpenAI(**options, default_headers=headers, http_client=http_client)


_HIDDEN = "todoku_hidden_headers"


def _hide_sdk_headers(request: Any) -> None:
    hidden = {n: v for n, v in request.headers.items() if n.lower().startswith("x-stainless")}
    for name in hidden:
        del request.headers[name]
    request.extensions[_HIDDEN] = hidden


def _restore_sdk_headers(response: Any) -> None:
    response.request.headers.update(response.request.extensions.pop(_HIDDEN, {}))


def request_headers() -> dict[str, Any]:
    """``extra_headers`` for each request: drops the per-request platform headers."""
    import openai

    return {name: openai.Omit() for name in _PER_REQUEST}


# The largest reply read: 25 items of three texts at most 400 characters, JSON-escaped six bytes
# a character at worst, is under 1 MB; past this the server is not answering our question.
MAX_REPLY_BYTES = 4 * 1024 * 1024


class ReplyTooLargeError(Exception):
    """The reply body went past ``MAX_REPLY_BYTES``; the read stopped there."""


class ReplyTooSlowError(Exception):
    """The reply was still arriving at the whole-request deadline; the read stopped there."""


def create_completion(
    client: Any,
    *,
    deadline_s: float,
    max_bytes: int = MAX_REPLY_BYTES,
    clock: Callable[[], float] = time.monotonic,
    **request: Any,
) -> Any:
    """``client.chat.completions.create(**request)``, its body read with two ceilings.

    The client's own timeout limits each network read, not the whole reply: a server that
    sends one byte a second never trips it, and a reply of gigabytes would be held in memory
    whole before any check. The body is streamed instead and the read stops at ``max_bytes``
    or when ``deadline_s`` seconds have passed since the request went out (both checked per
    chunk, so a stall is still bounded by the read timeout). On a client from
    ``default_client`` every socket wait before the body (connect, the request, the status
    line and headers, which ``create`` reads to their end before returning) ends at the same
    deadline. Returns the decoded JSON (any type: the caller checks its shape).

    Raises:
        ReplyTooLargeError, ReplyTooSlowError: as above.
        openai.APIError subclasses: as ``create`` (status, timeout, connection).
        ValueError: the body is not JSON.
    """
    started = clock()
    chunks: list[bytes] = []
    size = 0
    with reply_deadline.within(deadline_s) as deadline:
        try:
            with client.chat.completions.with_streaming_response.create(**request) as response:
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > max_bytes:
                        raise ReplyTooLargeError(f"reply over {max_bytes:,} bytes")
                    if clock() - started > deadline_s:
                        raise ReplyTooSlowError(f"reply still arriving after {deadline_s:g} s")
                    chunks.append(chunk)
        except (ReplyTooLargeError, ReplyTooSlowError):
            raise
        except Exception as error:
            # A socket wait cut short by the deadline surfaces as the client's own timeout
            # before the body (openai.APITimeoutError) and as its HTTP library's ReadTimeout
            # within it: either way the reply was too slow, not absent.
            if deadline is None or not deadline.hit:
                raise
            raise ReplyTooSlowError(f"reply still arriving after {deadline_s:g} s") from error
    try:
        return json.loads(b"".join(chunks))
    except RecursionError:
        raise ValueError("reply nested too deep") from None
