"""The CLI's progress on stderr: one line redrawn in place on a terminal, plain lines elsewhere.

A ``\\r`` line suits a terminal only. Written to a log file, a pipe or a CI job's output it
leaves one physical line holding every update joined by carriage returns (or a line per
update in a viewer that treats ``\\r`` as a line end): hundreds of them for a long fetch.
Off a terminal each update is therefore a whole line, and at most one per ``interval_s``, so
a log shows that the fetch is moving without filling up.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

PLAIN_INTERVAL_S = 10.0


def _is_terminal(stream: TextIO) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):  # closed, or a stand-in without isatty
        return False


class ProgressLine:
    """Progress updates and, with ``end``, the end of them (before any other line is written)."""

    def __init__(
        self,
        stream: TextIO | None = None,
        *,
        interval_s: float = PLAIN_INTERVAL_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._stream = stream
        self._interval_s = interval_s
        self._clock = clock
        self._last_plain: float | None = None
        self._open = False  # a terminal line was drawn and not yet ended

    def _target(self) -> TextIO:
        return self._stream if self._stream is not None else sys.stderr

    def show(self, text: str) -> None:
        stream = self._target()
        if _is_terminal(stream):
            stream.write(f"\r{text}")
            stream.flush()
            self._open = True
            return
        now = self._clock()
        if self._last_plain is not None and now - self._last_plain < self._interval_s:
            return
        self._last_plain = now
        stream.write(f"{text}\n")
        stream.flush()

    def end(self) -> None:
        """End a line drawn in place, so the next message starts on a line of its own."""
        if self._open:
            stream = self._target()
            stream.write("\n")
            stream.flush()
            self._open = False
