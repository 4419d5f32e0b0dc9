"""Jobs on a private thread pool: Job (QRunnable), JobSignals (QObject), JobRunner with its
exclusive lane (one fetch, delete or export at a time)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal, Slot

from app.core.cancel import CancelToken
from app.core.errors import TodokuError, UnexpectedError
from app.ui.gui_thread_collector import GuiThreadCollector

log = logging.getLogger(__name__)

# work(progress=..., on_page=..., cancel=...) -> result; a core function with its arguments bound.
JobWork = Callable[..., Any]

HEARTBEAT_MS = 10


@dataclass(frozen=True)
class ReadAhead:
    """A slow read a GUI-thread call would make (the OS keyring: D-Bus may wait 25 s), done
    first in a job: ``work`` runs on a pool thread, and inside ``use(result)`` the call takes
    that result instead of reading again."""

    work: JobWork
    use: Callable[[Any], AbstractContextManager[None]]


class GuiPacer:
    """Lets job threads step back while the GUI thread is starved of the GIL.

    CPython hands the GIL over without priorities. While job threads parse and classify pages,
    every call from Qt into Python on the GUI thread (a timer, each painted cell) queues behind
    them, and the window froze for 0.1–0.5 s at a time during a 200k-row fetch
    (benchmarks/grid.py). The runner's heartbeat timer calls ``beat()`` on the GUI thread every
    10 ms; a job that finds the last beat older than ``lag_s`` after emitting something, or at a
    cancellation check, sleeps (GIL released) until the GUI thread beats again, at most
    ``max_pause_s`` each time. Thread-safe: one float written by the GUI thread, read by jobs.
    """

    def __init__(self, lag_s: float = 0.03, max_pause_s: float = 0.25) -> None:
        self.lag_s = lag_s
        self.max_pause_s = max_pause_s
        self.active = True  # False while the GUI thread blocks on purpose (wait_idle)
        self._gui_thread = threading.get_ident()  # made by the runner, on the GUI thread
        self._last_beat = time.monotonic()
        self.paused_s = 0.0  # totals, for benchmarks and logs
        self.pauses = 0

    def beat(self) -> None:
        """Called on the GUI thread whenever its event loop gets to run."""
        self._last_beat = time.monotonic()

    def pause_if_lagging(self, cancel: CancelToken) -> float:
        """On a job thread: wait while the GUI thread is behind; return the seconds waited."""
        began = time.monotonic()
        if not self.active or began - self._last_beat < self.lag_s:
            return 0.0
        if threading.get_ident() == self._gui_thread:
            return 0.0  # waiting for our own heartbeat would only add lag
        now = began
        while now - self._last_beat >= self.lag_s and now - began < self.max_pause_s:
            if not self.active or cancel.wait(0.002):
                break
            now = time.monotonic()
        waited = time.monotonic() - began
        self.pauses += 1
        self.paused_s += waited
        return waited


class JobSignals(QObject):
    """Signals of one job; they live on the GUI thread and are queued from the worker.

    Signals:
        progress: core progress object (e.g. FetchProgress) or a (done, total) tuple.
        page: one page of streamed results (e.g. ClassifiedPage).
        succeeded: the work's return value.
        failed: a TodokuError.
        released: the work has ended; the runner frees the job's lane and then emits
            ``finished`` itself, on the GUI thread.
        finished: always last, after succeeded or failed (also on cancel). Emitted by the
            runner in the same event as the lane is freed: were it queued from the worker as
            well, a click handled between the two could start the feature's next job, and the
            late ``finished`` would then mark that job as ended (not running, not cancellable).
    """

    progress = Signal(object)
    page = Signal(object)
    succeeded = Signal(object)
    failed = Signal(object)
    released = Signal()
    finished = Signal()


class PacedCancelToken(CancelToken):
    """A job's token: every cooperative cancellation check (between pages and batches) is also
    a point where the job yields to a starved GUI thread, so core functions that emit nothing
    for a while (e.g. counting a million fetched entries) need no Qt to be polite.
    """

    def __init__(self) -> None:
        super().__init__()
        self.pacer: GuiPacer | None = None

    def raise_if_cancelled(self) -> None:
        pacer = self.pacer
        if pacer is not None:
            pacer.pause_if_lagging(self)
        super().raise_if_cancelled()


class Job(QRunnable):
    """Runs ``work`` on a pool thread and reports only through ``signals``."""

    def __init__(self, name: str, work: JobWork) -> None:
        super().__init__()
        # Not deleted by the pool: its thread would free the Python object, and with it the
        # JobSignals of the GUI thread. PySide6 keeps a reference for the pool instead (never
        # released by itself): JobRunner drops it on the GUI thread once the job has returned.
        self.setAutoDelete(False)
        self.name = name
        self.signals = JobSignals()
        self.cancel = PacedCancelToken()
        self._work: JobWork | None = work

    @property
    def pacer(self) -> GuiPacer | None:
        return self.cancel.pacer

    @pacer.setter
    def pacer(self, pacer: GuiPacer | None) -> None:  # set by JobRunner.start
        self.cancel.pacer = pacer

    def run(self) -> None:
        emit_progress, emit_page = self.signals.progress.emit, self.signals.page.emit
        pacer, cancel = self.pacer, self.cancel
        if pacer is not None:  # after each emit, give a starved GUI thread its turn

            def emit_progress(value: Any) -> None:
                self.signals.progress.emit(value)
                pacer.pause_if_lagging(cancel)

            def emit_page(value: Any) -> None:
                self.signals.page.emit(value)
                pacer.pause_if_lagging(cancel)

        work, self._work = self._work, None  # what it holds (pages, requests) goes with it
        try:
            if work is None:
                raise RuntimeError(f"job {self.name} was started twice")
            result = work(progress=emit_progress, on_page=emit_page, cancel=cancel)
        except TodokuError as error:
            self.signals.failed.emit(error)
        except Exception as error:  # keep the traceback for the details pane
            log.exception("job %s failed unexpectedly", self.name)
            self.signals.failed.emit(UnexpectedError.from_exception(error))
        else:
            self.signals.succeeded.emit(result)
        finally:
            self.signals.released.emit()  # JobRunner emits `finished` from its slot


class JobRunner(QObject):
    """Owns a private QThreadPool and a reference to every job until it has finished.

    The exclusive lane holds at most one job: a fetch, a delete (retry, reconcile) or an export,
    because each of them reads or changes the grid's rows or the suppression lists. A second
    exclusive job is refused (``start`` returns False); other jobs (statistics, AI refinement,
    the connection test) run beside it.

    While jobs run, a heartbeat timer feeds ``pacer`` (see GuiPacer) so jobs yield the GIL
    when the GUI thread falls behind.

    Signals:
        busy_changed: bool, True while any job is running.
        exclusive_changed: bool, the exclusive lane was taken (True) or freed (False);
            the window locks what would change the connection or start another lane job,
            whichever feature's job holds it.
    """

    busy_changed = Signal(bool)
    exclusive_changed = Signal(bool)

    def __init__(
        self,
        parent: QObject | None = None,
        max_threads: int = 3,
        pacer: GuiPacer | None = None,
    ) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(max_threads)
        self._jobs: dict[int, Job] = {}
        # Released jobs whose pool thread may still be returning from run(): dropped on the GUI
        # thread once no pool thread runs, so no Job or JobSignals is ever freed on a worker.
        self._retired: list[Job] = []
        self._exclusive: Job | None = None
        self._closing = False  # begin_shutdown was called: no new job starts
        self.pacer = pacer or GuiPacer()
        self._heartbeat = QTimer(self)
        self._heartbeat.setInterval(HEARTBEAT_MS)
        self._heartbeat.timeout.connect(self._on_heartbeat_timeout)
        # Released by shutdown(), or when a runner that was never shut down is destroyed.
        # (A lambda: PySide6 holds a bound method's object only weakly, and the hold would be
        # gone with this wrapper before `destroyed` is emitted.)
        hold = self._collector_hold = GuiThreadCollector.hold()
        self.destroyed.connect(lambda *_: hold.release())

    @property
    def active_jobs(self) -> tuple[Job, ...]:
        return tuple(self._jobs.values())

    def is_running(self, name: str) -> bool:
        return any(job.name == name for job in self._jobs.values())

    @property
    def exclusive_busy(self) -> bool:
        """A job of the exclusive lane runs: other fetches, deletes and exports must wait."""
        return self._exclusive is not None

    def start(self, job: Job, *, exclusive: bool = False) -> bool:
        """Run ``job``; False (and not started) when it is exclusive and the lane is taken, or
        once shutdown has begun: a timer queued before the window closed (the key read after
        the first paint) must not start work whose answer would reach a closed window."""
        if self._closing:
            return False
        if exclusive:
            if self._exclusive is not None:
                return False
            self._exclusive = job
        was_busy = bool(self._jobs)
        self._jobs[id(job.signals)] = job
        # A bound slot of this GUI-thread object: the call is queued to the GUI thread.
        job.signals.released.connect(self._on_job_released)
        job.pacer = self.pacer
        if not was_busy:
            self.pacer.beat()
        if not self._heartbeat.isActive():
            self._heartbeat.start()
        self._pool.start(job)
        if not was_busy:
            self.busy_changed.emit(True)
        if exclusive:
            self.exclusive_changed.emit(True)
        return True

    @Slot()
    def _on_heartbeat_timeout(self) -> None:
        self.pacer.beat()
        self._drop_retired()
        if not self._jobs and not self._retired:
            self._heartbeat.stop()

    @Slot()
    def _on_job_released(self) -> None:
        job = self._jobs.pop(id(self.sender()), None)
        if job is None:
            return
        self._retired.append(job)
        freed = job is self._exclusive
        if freed:
            self._exclusive = None
        if not self._jobs:  # the heartbeat runs on until the retired jobs are dropped
            self.busy_changed.emit(False)
        if freed:
            self.exclusive_changed.emit(False)
        job.signals.finished.emit()  # here, with the lane free (see JobSignals)

    def _drop_retired(self) -> None:
        """Free the retired jobs here, on the GUI thread, once no pool thread is inside one."""
        if not self._retired or self._pool.activeThreadCount():
            return
        retired, self._retired = self._retired, []
        for job in retired:
            if shiboken6.isValid(job):
                shiboken6.delete(job)  # gives back the reference PySide6 took for the pool

    def cancel_all(self) -> None:
        for job in self._jobs.values():
            job.cancel.cancel()

    def shutdown(self, timeout_ms: int = 5000) -> bool:
        """Cancel everything and wait (bounded) for the pool; True if it became idle."""
        self.begin_shutdown()
        return self.finish_shutdown(timeout_ms)

    def begin_shutdown(self) -> None:
        """Cancel every job and drop those not yet started, without waiting for any: the pool
        winds down while the event loop runs on (``finish_shutdown`` then waits, bounded)."""
        self._closing = True
        self.cancel_all()
        self._pool.clear()  # jobs not yet started never run
        self._heartbeat.stop()
        self.pacer.active = False  # no heartbeat any more: jobs must not wait for one

    def finish_shutdown(self, timeout_ms: int) -> bool:
        """After ``begin_shutdown``: wait up to ``timeout_ms`` for the pool; True if idle."""
        idle = self.wait_idle(timeout_ms)
        if not idle:
            log.warning("jobs still running after %d ms at shutdown", timeout_ms)
        else:
            self._drop_retired()
            self._collector_hold.release()  # a thread still running keeps collection here
        return idle

    def wait_idle(self, timeout_ms: int) -> bool:
        """Block the GUI thread until the pool is idle (jobs do not wait for its heartbeat)."""
        active, self.pacer.active = self.pacer.active, False
        try:
            return self._pool.waitForDone(timeout_ms)
        finally:
            self.pacer.active = active

    @property
    def pool_active_threads(self) -> int:
        return self._pool.activeThreadCount()
