"""A two-pane vertical splitter whose upper pane (the grid) gives way last.

The details pane used to have a 150 px minimum. On a short window (1024×600, or a 1366×768
laptop at 125 % scaling) with the delivery warning shown, it sat at that minimum and the grid
kept 2½ rows: the operator saw more of an empty "select a row" box than of the list. Now the
lower pane's minimum is a few lines, and on every resize the height is shared afresh:

1. by the lower pane's share of the height as last set (``setSizes``, ``restoreState`` or the
   operator dragging the handle), so a window that grows back looks as it did;
2. then the upper pane takes room from the lower one until it has ``wanted_first()`` pixels or
   the lower one is at its minimum;
3. with that met, the lower pane takes room from the upper one until it has ``wanted_second``
   pixels or the upper one is back at ``wanted_first()``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QByteArray
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QSplitter, QWidget


class GridFirstSplitter(QSplitter):
    def __init__(
        self, wanted_first: Callable[[], int], wanted_second: int, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._wanted_first = wanted_first
        self._wanted_second = wanted_second
        self._second_share: float | None = None
        self.splitterMoved.connect(self._remember_share)

    def setSizes(self, sizes: Sequence[int]) -> None:
        super().setSizes(sizes)
        self._remember_share(given=sizes)

    def restoreState(self, state: QByteArray | bytes | bytearray | memoryview) -> bool:
        restored = super().restoreState(state)
        if restored:
            self._remember_share()
        return restored

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.share_room()

    def _remember_share(self, *_: object, given: Sequence[int] | None = None) -> None:
        sizes = list(given) if given is not None else self.sizes()
        if len(sizes) == 2 and sum(sizes) > 0:
            self._second_share = sizes[1] / sum(sizes)

    def room_to_spare(self) -> int | None:
        """Pixels beyond ``wanted_first()`` and the lower pane's minimum (negative: the upper
        pane is short of its wanted height); ``None`` before the upper pane wants any."""
        wanted_first = self._wanted_first()
        lower = self.widget(1)
        if self.count() != 2 or wanted_first <= 0 or lower is None:
            return None
        floor = max(lower.minimumHeight(), lower.minimumSizeHint().height())
        return sum(self.sizes()) - wanted_first - floor

    def share_room(self) -> None:
        """Share the height between the panes as the module docstring says."""
        if self.count() != 2 or self._second_share is None:
            return
        first, second = self.sizes()
        total = first + second
        wanted_first = self._wanted_first()
        lower = self.widget(1)
        if first <= 0 or second <= 0 or wanted_first <= 0 or lower is None:
            return  # a collapsed pane is the operator's choice; no grid yet
        floor = max(lower.minimumHeight(), lower.minimumSizeHint().height())
        second = max(floor, round(total * self._second_share))
        first = total - second
        if first < wanted_first:
            second -= max(0, min(wanted_first - first, second - floor))
        elif second < self._wanted_second:
            second += max(0, min(self._wanted_second - second, first - wanted_first))
        super().setSizes([total - second, second])
