"""Jobs on a private thread pool: Job (QRunnable), JobSignals (QObject), JobRunner (STYLE §5)."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal, Slot

from app.core.cancel import CancelToken
from app.core.errors import TodokuError, UnexpectedError

log = logging.getLogger(__name__)

# work(progress=..., on_page=..., cancel=...) -> result; a core function with its arguments bound.
JobWork = Callable[..., Any]


class JobSignals(QObject):
    """Signals of one job; they live on the GUI thread and are queued from the worker.

    Signals:
        progress: core progress object (e.g. FetchProgress) or a (done, total) tuple.
        page: one page of streamed results (e.g. ClassifiedPage).
        succeeded: the work's return value.
        failed: a TodokuError.
        finished: always last, after succeeded or failed (also on cancel).
    """

    progress = Signal(object)
    page = Signal(object)
    succeeded = Signal(object)
    failed = Signal(object)
    finished = Signal()


class GuiPacer:
    """Lets job threads step back while the GUI thread is starved of the GIL (prototype)."""

    def __init__(self, lag_s: float = 0.03, max_pause_s: float = 0.25) -> None:
        self.lag_s = float(os.environ.get("PACER_LAG", lag_s))
        self.max_pause_s = max_pause_s
        self.enabled = os.environ.get("PACER", "1") == "1"
        self.last_beat = time.monotonic()
        self.paused_s = 0.0
        self.pauses = 0

    def beat(self) -> None:
        self.last_beat = time.monotonic()

    def pause_if_lagging(self, cancel: CancelToken) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self.last_beat < self.lag_s:
            return
        began = now
        self.pauses += 1
        while now - self.last_beat >= self.lag_s and now - began < self.max_pause_s:
            if cancel.wait(0.002):
                break
            now = time.monotonic()
        self.paused_s += time.monotonic() - began


class Job(QRunnable):
    """Runs ``work`` on a pool thread and reports only through ``signals``."""

    def __init__(self, name: str, work: JobWork) -> None:
        super().__init__()
        self.setAutoDelete(False)  # the runner owns the Python object until `finished`
        self.name = name
        self.signals = JobSignals()
        self.cancel = CancelToken()
        self._work = work
        self.pacer: GuiPacer | None = None

    def run(self) -> None:
        pacer = self.pacer
        emit_page = self.signals.page.emit

        def on_page(page: Any) -> None:
            emit_page(page)
            if pacer is not None:
                pacer.pause_if_lagging(self.cancel)

        try:
            result = self._work(
                progress=self.signals.progress.emit,
                on_page=on_page,
                cancel=self.cancel,
            )
        except TodokuError as error:
            self.signals.failed.emit(error)
        except Exception as error:  # keep the traceback for the details pane
            log.exception("job %s failed unexpectedly", self.name)
            self.signals.failed.emit(UnexpectedError.from_exception(error))
        else:
            self.signals.succeeded.emit(result)
        finally:
            self.signals.finished.emit()


class JobRunner(QObject):
    """Owns a private QThreadPool and a reference to every job until it has finished.

    Signals:
        busy_changed: bool, True while any job is running.
    """

    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None, max_threads: int = 3) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(max_threads)
        self._jobs: dict[int, Job] = {}
        self.pacer = GuiPacer()
        self._heartbeat = QTimer(self)
        self._heartbeat.setInterval(10)
        self._heartbeat.timeout.connect(self._on_heartbeat_timeout)

    @Slot()
    def _on_heartbeat_timeout(self) -> None:
        self.pacer.beat()

    @property
    def active_jobs(self) -> tuple[Job, ...]:
        return tuple(self._jobs.values())

    def is_running(self, name: str) -> bool:
        return any(job.name == name for job in self._jobs.values())

    def start(self, job: Job) -> Job:
        was_busy = bool(self._jobs)
        self._jobs[id(job.signals)] = job
        # A bound slot of this GUI-thread object: the call is queued to the GUI thread (a lambda
        # would run on the worker thread).
        job.signals.finished.connect(self._on_job_finished)
        job.pacer = self.pacer
        if not was_busy:
            self.pacer.beat()
            self._heartbeat.start()
        self._pool.start(job)
        if not was_busy:
            self.busy_changed.emit(True)
        return job

    @Slot()
    def _on_job_finished(self) -> None:
        self._jobs.pop(id(self.sender()), None)
        if not self._jobs:
            self._heartbeat.stop()
            self.busy_changed.emit(False)

    def cancel_all(self) -> None:
        for job in self._jobs.values():
            job.cancel.cancel()

    def shutdown(self, timeout_ms: int = 5000) -> bool:
        """Cancel everything and wait (bounded) for the pool; True if it became idle."""
        self.cancel_all()
        self._pool.clear()  # jobs not yet started never run
        idle = self._pool.waitForDone(timeout_ms)
        if not idle:
            log.warning("jobs still running after %d ms at shutdown", timeout_ms)
        return idle

    def wait_idle(self, timeout_ms: int) -> bool:
        return self._pool.waitForDone(timeout_ms)

    @property
    def pool_active_threads(self) -> int:
        return self._pool.activeThreadCount()
