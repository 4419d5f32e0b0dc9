"""Waits a test can see: what a wait was asked for, and what ended it, without timing anything.

``Sleeper`` stands in for a component's injectable sleep: it records each wait and moves a
hand-set clock by it, so "waited until the reset" is read off the clock. ``WaitRecordingToken``
is a real ``CancelToken`` that notes whether each wait on it ended by the cancel or ran out,
so "a cancel ends the wait" is read off the token, not off the seconds that passed.
"""

from __future__ import annotations

from typing import Protocol

from app.core.cancel import CancelToken


class SettableClock(Protocol):
    now: float


class Sleeper:
    """``sleep(seconds, cancel)`` that records ``seconds`` and adds them to ``clock.now``."""

    def __init__(self, clock: SettableClock) -> None:
        self.clock = clock
        self.waits: list[float] = []

    def __call__(self, seconds: float, cancel: CancelToken | None) -> None:
        self.waits.append(seconds)
        self.clock.now += seconds


class WaitRecordingToken(CancelToken):
    """A real token; ``ended_by_cancel`` has one entry per wait: True if the cancel ended it."""

    def __init__(self) -> None:
        super().__init__()
        self.ended_by_cancel: list[bool] = []

    def wait(self, seconds: float) -> bool:
        ended = super().wait(seconds)
        self.ended_by_cancel.append(ended)
        return ended
