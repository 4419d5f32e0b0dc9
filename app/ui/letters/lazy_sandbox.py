"""LazySandbox: a practice imitation (Zendesk, OpenAI-compatible) started the first time
practice mode needs it and stopped at shutdown, whatever state it is in."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Generic, Protocol, TypeVar

log = logging.getLogger(__name__)


class SandboxHandle(Protocol):
    def start(self) -> str: ...

    def stop(self) -> None: ...


H = TypeVar("H", bound=SandboxHandle)


class LazySandbox(Generic[H]):
    def __init__(self, factory: Callable[[], H], what: str) -> None:
        self._factory = factory
        self._what = what
        self.handle: H | None = None
        self.url = ""

    def start(self) -> str:
        """The base URL (starting the imitation now if needed)."""
        if self.handle is None:
            handle = self._factory()
            self.url = handle.start()
            self.handle = handle
            log.info("practice %s imitation at %s", self._what, self.url)
        return self.url

    def stop(self) -> None:
        handle, self.handle = self.handle, None
        if handle is not None:
            try:
                handle.stop()
            except Exception:  # closing anyway; note it for support
                log.exception("%s imitation did not stop cleanly", self._what)
