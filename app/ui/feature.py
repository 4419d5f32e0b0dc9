"""FeatureController: what every feature controller shares, so the window wires each the same way.

A feature controller is built from the narrow parts it uses (the job runner, the entry model,
the connection, the settings, the journal), never from the main controller or the window, and
reports back only through its signals. ``run`` starts one job of the feature and turns the job's
``finished`` into ``running(False)``.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

from app.ui.workers import Job, JobRunner, JobWork


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
