"""Python's cyclic garbage collector runs on the GUI thread only, while job threads exist.

CPython starts a collection on whichever thread happens to allocate past the threshold, and a
job that parses pages or loads the classifier's rules allocates more than anyone. A collection
frees every unreachable cycle, Qt objects included: a closed window or dialog whose Python
wrapper sits in a cycle (a slot closing over its owner, a job's lambda closing over the job) is
then destroyed on the job's thread while the GUI thread may be painting or delivering events to
it. Qt forbids deleting a QObject from a thread other than its own; a CI run crashed with SIGSEGV
in the GUI thread while a fetch worker loaded the rules. Hence, as long as one holder (a
JobRunner) is alive, automatic collection is off and a timer on the GUI thread collects with
the interpreter's own thresholds (https://docs.python.org/3/library/gc.html#gc.set_threshold).
"""

from __future__ import annotations

import gc
import time

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, QTimer, Slot

CHECK_MS = 100
# A full collection walks every tracked object (at a million fetched rows, a noticeable pause):
# at most one per FULL_EVERY_S, as CPython itself keeps them rare.
FULL_EVERY_S = 10.0


class GuiThreadCollector(QObject):
    """The timer that collects on the GUI thread; one per process, started by ``hold``."""

    _instance: GuiThreadCollector | None = None

    def __init__(self, parent: QObject | None) -> None:
        super().__init__(parent)
        self.holders = 0
        self.thresholds = gc.get_threshold()
        self._last_full = time.monotonic()
        self._timer = QTimer(self)
        self._timer.setInterval(CHECK_MS)
        self._timer.timeout.connect(self.collect_due)

    @classmethod
    def hold(cls) -> CollectorHold:
        """Called on the GUI thread by whatever starts threads that run Python (JobRunner)."""
        collector = cls._instance
        if collector is None or not shiboken6.isValid(collector):  # a new application
            # Parented to the application, so the timer lives as long as the event loop.
            collector = cls._instance = GuiThreadCollector(QCoreApplication.instance())
        if collector.holders == 0:
            gc.disable()
            collector._timer.start()
        collector.holders += 1
        return CollectorHold()

    @classmethod
    def release(cls) -> None:
        """The holder's threads have ended: collect here once, then give collection back."""
        collector = cls._instance
        if collector is not None and not shiboken6.isValid(collector):  # the app has ended
            cls._instance = None
            gc.enable()
            return
        if collector is None or collector.holders == 0:
            return
        collector.holders -= 1
        if collector.holders == 0:
            collector._timer.stop()
            gc.collect()
            # Unconditionally: the app never turns collection off for good, and the state seen at
            # `hold` may have been a sandbox's bulk-load pause (scenarios.py, sendgrid_store.py).
            gc.enable()

    @Slot()
    def collect_due(self) -> None:
        """What CPython would have collected since the last tick, on this (the GUI) thread."""
        if gc.isenabled():
            # A bulk-load pause that began before `hold` (the sandboxes pause collection while
            # they build records) ended by turning collection back on: off again.
            gc.disable()
        young, middle, old = gc.get_count()
        first, second, third = self.thresholds
        if first == 0 or young < first:  # a threshold of 0 turns collection off
            return
        if middle < second:
            gc.collect(0)
        elif old < third or time.monotonic() - self._last_full < FULL_EVERY_S:
            gc.collect(1)
        else:
            gc.collect(2)
            self._last_full = time.monotonic()


class CollectorHold:
    """One holder's share: ``release`` counts once however often it is called (a runner's
    ``shutdown`` and its ``destroyed`` signal may both call it)."""

    def __init__(self) -> None:
        self.held = True

    def release(self, *_: object) -> None:
        if self.held:
            self.held = False
            GuiThreadCollector.release()
