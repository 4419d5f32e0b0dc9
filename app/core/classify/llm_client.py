"""The OpenAI client as Todoku builds it: no hidden retries, and no headers about this machine.

The ``openai`` package announces the operating system, CPU architecture, Python runtime and
version and its own version on every request (``X-Stainless-OS``, ``X-Stainless-Runtime-Version``
… and ``User-Agent: OpenAI/Python x.y``), plus per-request ``x-stainless-retry-count`` and
``x-stainless-read-timeout``. An LLM endpoint has no need for any of it, and a third-party
endpoint would learn what the operator's machine runs, so every such header is omitted (the
client's ``Omit`` marker removes a default header) and the User-Agent names only the app.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

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
    return openai.OpenAI(**options, default_headers=headers)


def request_headers() -> dict[str, Any]:
    """``extra_headers`` for each request: drops the per-request platform headers."""
    import openai

    return {name: openai.Omit() for name in _PER_REQUEST}
