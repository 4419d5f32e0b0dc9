"""Cooperative cancellation and the callback types that long core functions accept."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from app.core.errors import CancelledError

ProgressCallback = Callable[[Any], None]


def ignore_progress(_: Any) -> None:
    """Default progress/page callback for callers that do not watch."""


class CancelToken:
    """Set from any thread; checked by the worker between pages and batches."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self._children: list[CancelToken] = []
        self._lock = threading.Lock()

    def cancel(self) -> None:
        with self._lock:
            self._event.set()
            children = list(self._children)
        for child in children:
            child.cancel()

    def child(self) -> CancelToken:
        """A token cancelled with this one, that can also be cancelled on its own (to stop a
        group of helpers after one failed, without touching the caller's token)."""
        token = CancelToken()
        with self._lock:
            self._children.append(token)
            if self._event.is_set():
                token._event.set()
        return token

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        if self._event.is_set():
            raise CancelledError()

    def wait(self, seconds: float) -> bool:
        """Sleep up to ``seconds``; return True early if cancelled (for back-off waits)."""
        return self._event.wait(max(0.0, seconds))
