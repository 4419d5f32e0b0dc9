"""Closing the window without freezing it: the bounded wait for jobs, off the event loop's back.

A job cancelled at close stops at its next cancellation check, but a request already sent waits
for its answer (a slow server, a proxy holding the connection: up to the 30 s request timeout).
Waiting for it with ``QThreadPool.waitForDone`` on the GUI thread left the window on screen
without repainting or answering for up to 5 s (Windows marks it 「応答なし」). So the window
closes at once and ``ShutdownWait`` polls the pool from a timer; when it is idle, or the time is
up, ``finish`` runs (stopping the practice servers). The guarantee is unchanged: a job either
finishes within the bound, or it is left running and the storage it writes to stays open
(``MainController.close_storage``). When the event loop ends first (the last window closed),
``app.main`` makes the same bounded wait after it, with no window left to freeze.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Slot

from app.ui.workers import JobRunner

log = logging.getLogger(__name__)

POLL_MS = 50


class ShutdownWait(QObject):
    """Calls ``finish`` once ``runner``'s pool is idle, or after ``timeout_ms``, whichever first."""

    def __init__(
        self,
        runner: JobRunner,
        finish: Callable[[], object],
        timeout_ms: int,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._runner = runner
        self._finish = finish
        self._deadline = time.monotonic() + max(0, timeout_ms) / 1000
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._on_tick)
        self._timer.start()

    @property
    def waiting(self) -> bool:
        return self._timer.isActive()

    def stop(self) -> None:
        """The wait is made elsewhere now (blocking, after the event loop has ended)."""
        self._timer.stop()

    @Slot()
    def _on_tick(self) -> None:
        if self._runner.pool_active_threads and time.monotonic() < self._deadline:
            return
        self._timer.stop()
        if self._runner.pool_active_threads:
            log.warning("a job is still running after the bounded wait at close")
        self._finish()
