"""FeatureController: what every feature controller shares, so the window wires each the same way.

A feature controller is built from the narrow parts it uses (the job runner, the entry model,
the connection, the settings, the journal), never from the main controller or the window, and
reports back only through its signals. ``run`` starts one job of the feature and turns the job's
``finished`` into ``running(False)``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

from app.ui.workers import Job, JobRunner, JobWork, ReadAhead

# then(using) -> bool: the step after a read; ``using`` is entered around the GUI-thread calls
# that would have read (the OS keyring); True when it started the feature's next job.
AfterRead = Callable[[AbstractContextManager[None]], bool]


class FeatureController(QObject):
    """Base of the feature controllers (fetch, delete, export, AI, connection, delivery).

    Signals:
        running: bool, a job of this feature started (True) or ended (False).
        progress: str, Japanese progress line.
        done: str, Japanese summary line ("" after an error: the error is in ``failed``).
        failed: TodokuError for the status panel.
    """

    running = Signal(bool)
    progress = Signal(str)
    done = Signal(str)
    failed = Signal(object)

    CANCELLING = ""  # shown when the operator cancels this feature's job

    def __init__(self, runner: JobRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.job: Job | None = None
        self._after_read: AfterRead | None = None
        self._read_use: Callable[[Any], AbstractContextManager[None]] | None = None
        self._read: tuple[Any] | None = None
        self._read_error: Any = None
        self._summary_said = False  # ``done`` was emitted (by ``then``, after a read)
        self.done.connect(self._on_summary_said)

    def is_running(self) -> bool:
        return self.job is not None

    def cancel(self) -> None:
        if self.job is not None and not self.job.cancel.cancelled:
            self.job.cancel.cancel()
            if self.CANCELLING:
                self.progress.emit(self.CANCELLING)

    def run(self, name: str, work: JobWork, first_line: str, *, exclusive: bool = True) -> bool:
        """Start ``work`` as this feature's job; False when the runner's exclusive lane is
        taken (another fetch, delete or export runs)."""
        job = Job(name, work)
        job.signals.progress.connect(self.on_progress)
        job.signals.page.connect(self.on_page)
        job.signals.succeeded.connect(self.on_succeeded)
        job.signals.failed.connect(self.on_failed)
        job.signals.finished.connect(self._on_feature_job_finished)
        if not self.runner.start(job, exclusive=exclusive):
            return False
        self.job = job
        self.running.emit(True)
        self.progress.emit(first_line)
        return True

    def read_first(
        self,
        name: str,
        ahead: ReadAhead | None,
        then: AfterRead,
        first_line: str,
        *,
        exclusive: bool = True,
    ) -> bool:
        """Run ``ahead`` (a slow read: the OS keyring) in a job of this feature first, then
        ``then(ahead.use(result))`` on the GUI thread; without ``ahead``, ``then`` at once.

        The feature is ``running`` (and cancellable) from the read until the job ``then``
        starts has ended, so the window stays responsive while a locked keyring waits for its
        unlock prompt, and nothing that conflicts can start meanwhile when ``exclusive``. A read
        that fails goes to ``on_failed`` (SecretsUnreadableError: the keyring's Japanese
        message); a cancelled one to ``read_cancelled``. False when nothing was started."""
        if ahead is None:
            return then(contextlib.nullcontext())
        job = Job(f"{name}-read", ahead.work)
        job.signals.succeeded.connect(self._on_read_succeeded)
        job.signals.failed.connect(self._on_read_failed)
        job.signals.finished.connect(self._on_read_finished)
        if not self.runner.start(job, exclusive=exclusive):
            return False
        self.job, self._after_read, self._read_use = job, then, ahead.use
        self._read, self._read_error = None, None
        self.running.emit(True)
        self.progress.emit(first_line)
        return True

    @Slot(object)
    def _on_read_succeeded(self, result: Any) -> None:
        self._read = (result,)

    @Slot(object)
    def _on_read_failed(self, error: Any) -> None:
        self._read_error = error

    @Slot()
    def _on_read_finished(self) -> None:
        job, self.job = self.job, None
        then, self._after_read = self._after_read, None
        use, self._read_use = self._read_use, None
        read, self._read = self._read, None
        error, self._read_error = self._read_error, None
        if job is not None and job.cancel.cancelled:
            self.read_cancelled()
        elif error is not None:
            self.on_failed(error)
        else:
            self._summary_said = False
            if read is not None and then is not None and use is not None and then(use(read[0])):
                return  # the next job runs: still ``running``
            if not self._summary_said:  # the read's line must not stay (confirmation cancelled)
                self.done.emit("")
        self.running.emit(False)
        self.after_running()

    @Slot(str)
    def _on_summary_said(self, _: str) -> None:
        self._summary_said = True

    def read_cancelled(self) -> None:
        """キャンセル while ``read_first`` read: nothing else was started."""
        self.done.emit("")

    # Overridden by the features that use them.

    def on_progress(self, progress: Any) -> None:
        pass

    def on_page(self, page: Any) -> None:
        pass

    def on_succeeded(self, result: Any) -> None:
        pass

    def on_failed(self, error: Any) -> None:
        self.done.emit("")
        self.failed.emit(error)

    def on_finished(self) -> None:
        """The job has ended (after ``on_succeeded`` or ``on_failed``); ``running(False)`` next."""

    # A name no subclass uses: a subclass slot overriding a base-class @Slot of the same name
    # gets no sender() in PySide6 (the AI controller keeps its own _on_job_finished).
    @Slot()
    def _on_feature_job_finished(self) -> None:
        self.on_finished()
        self.job = None
        self.running.emit(False)
        self.after_running()

    def after_running(self) -> None:
        """After ``running(False)``: the lane is free again (e.g. to offer a retry)."""
