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

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        if self._event.is_set():
            raise CancelledError()

    def wait(self, seconds: float) -> bool:
        """Sleep up to ``seconds``; return True early if cancelled (for back-off waits)."""
        return self._event.wait(max(0.0, seconds))
