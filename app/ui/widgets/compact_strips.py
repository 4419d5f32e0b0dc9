"""The strips above the tabs (練習モード or 本番, an error or the unfinished-deletion notice, the
delivery warning), made compact when their full form would leave the grid short of rows.

On a 1024×600 screen the practice banner with the unfinished-deletion notice left the grid
3½ rows, and with the delivery warning as well 1½. A compact strip is one line with less
padding: its key sentence and all its buttons (the error panel keeps the first line of its
message, and its 詳細 brings back the rest and the next step). Nothing is hidden for good:
練習モード or 本番 is always shown, and every banner's action stays one click away.

``StripFitter.fit()`` measures instead of guessing: full strips turn compact when the grid
has less than its wanted rows (``room_to_spare`` is negative), compact ones turn full again
when the room the grid has to spare covers the height they had when last full. A window tall
enough for them (1366×768) shows them exactly as before.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial

from PySide6.QtCore import QEvent, QObject, QTimer, Signal, Slot
from PySide6.QtWidgets import QAbstractButton, QLayout, QWidget

from app.ui.widgets.tint import TintedFrame

# A compact strip's button: the text as before, with less padding above and below.
_COMPACT_BUTTON_STYLE = "QPushButton { padding: 1px 10px; }"
# What a compact strip gets back at least when full (its margins above and below).
FULL_PADDING = 8


class CompactStrip(TintedFrame):
    """A tinted strip with a one-line form; subclasses show or hide their parts in
    ``set_compact`` (and may use ``compact_button`` and ``set_margins``).

    Signals:
        content_changed: it shows something else now (its full height may differ).
    """

    content_changed = Signal()

    def __init__(
        self,
        name: str,
        background: str,
        border: str,
        margins: tuple[int, int, int, int],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(name, background, border, parent)
        self._margins = margins
        self.compact = False

    def set_compact(self, compact: bool) -> None:
        self.compact = compact
        self.set_margins(self.layout())

    def set_margins(self, layout: QLayout | None) -> None:
        """The strip's margins: as given, or 2 px above and below while compact."""
        if layout is None:
            return
        left, top, right, bottom = self._margins
        if self.compact:
            top, bottom = min(top, 2), min(bottom, 2)
        layout.setContentsMargins(left, top, right, bottom)


def compact_button(button: QAbstractButton, compact: bool) -> None:
    """Less padding on a strip's button while the strip is compact (the label stays whole)."""
    button.setStyleSheet(_COMPACT_BUTTON_STYLE if compact else "")


class StripFitter(QObject):
    """Makes ``strips`` compact while the grid needs their room, full again when it does not.

    ``room_to_spare()`` says how many pixels the grid's area has beyond what it needs (its
    wanted rows and the details' few lines), or ``None`` while that is not known (no grid yet).
    ``watched`` are the widgets whose resizing means the room has changed; nothing is fitted
    while the first (the area below the strips) is hidden.
    """

    def __init__(
        self,
        strips: Sequence[CompactStrip],
        room_to_spare: Callable[[], int | None],
        watched: Sequence[QWidget],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._strips = list(strips)
        self._room_to_spare = room_to_spare
        self._watched = list(watched)
        self.compact = False
        self._full_heights: dict[CompactStrip, int] = {}  # as last seen while full
        self._fit_timer = QTimer(self)
        self._fit_timer.setSingleShot(True)
        self._fit_timer.setInterval(0)  # once the layouts have settled
        self._fit_timer.timeout.connect(self.fit)
        for widget in self._watched:
            widget.installEventFilter(self)
        for strip in self._strips:
            strip.content_changed.connect(partial(self._forget_full_height, strip))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and watched in self._watched:
            self._fit_timer.start()
        return False

    @Slot()
    def fit_later(self) -> None:
        """Fit once the event loop has laid the window out (e.g. when the grid is built)."""
        self._fit_timer.start()

    @Slot()
    def fit(self) -> None:
        """Compact if the full strips leave the grid short of its rows, full when they would
        not (as far as their last full heights tell)."""
        spare = self._room_to_spare()
        if spare is None or not self._watched[0].isVisible():
            return
        shown = [strip for strip in self._strips if not strip.isHidden()]
        if not self.compact:
            for strip in shown:
                self._full_heights[strip] = _full_height(strip)
            self.set_compact(spare < 0)
            return
        now = sum(strip.height() for strip in shown)
        # A strip never seen full (shown while compact) is guessed at its height plus the
        # padding it gets back: if that is too little, the next fit turns it compact again.
        full = sum(self._full_heights.get(strip, strip.height() + FULL_PADDING) for strip in shown)
        self.set_compact(spare + now - full < 0)

    def _forget_full_height(self, strip: CompactStrip) -> None:
        """``strip`` shows something else now (a new error): its full height is unknown."""
        self._full_heights.pop(strip, None)

    def set_compact(self, compact: bool) -> None:
        if compact != self.compact:
            self.compact = compact
            for strip in self._strips:
                strip.set_compact(compact)


def _full_height(strip: QWidget) -> int:
    """Its height, or the height it asks for if the layout gave it less (a window too short
    even for the strips): remembering less would turn them full on the next resize."""
    wanted = strip.sizeHint().height()
    if strip.hasHeightForWidth():
        wanted = strip.heightForWidth(strip.width())
    return max(strip.height(), wanted)
