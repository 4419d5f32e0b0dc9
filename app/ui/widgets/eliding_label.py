"""A one-line plain-text label that, when too narrow, drops whole items and ends in "…".

A QLabel narrower than its text just cuts it: on a 1280 px screen the status bar's counts ended
in 「受信箱が使えない 15」 for 162, a wrong number that looked right. This label shows only the
items (separated by ``separator``) that fit whole, then "…"; the caller keeps the whole text in
the tooltip. A caller may also give shorter wordings of the text, tried first, longest first.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

ELLIPSIS = "…"


class ElidingLabel(QLabel):
    def __init__(self, separator: str = "　", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)  # counts of untrusted names: never markup
        # Its width comes from the layout, never from the text (which may be long).
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.separator = separator
        self.full_text = ""
        self.shorter: tuple[str, ...] = ()

    def setText(self, text: str, shorter: Sequence[str] = ()) -> None:
        """``shorter``: the same said in fewer words, longest first; the first that fits whole
        is shown when ``text`` does not."""
        self.full_text = text
        self.shorter = tuple(shorter)
        self._fit()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        super().setText(self.fitted(self.width()))

    def fitted(self, width: int) -> str:
        """The whole text, or the leading items that fit whole in ``width`` and "…"."""
        metrics = self.fontMetrics()
        if metrics.horizontalAdvance(self.full_text) <= width:
            return self.full_text
        for wording in self.shorter:
            if metrics.horizontalAdvance(wording) <= width:
                return wording
        items = self.full_text.split(self.separator)
        for count in range(len(items) - 1, 0, -1):
            shown = self.separator.join(items[:count]).rstrip() + self.separator + ELLIPSIS
            if metrics.horizontalAdvance(shown) <= width:
                return shown
        return metrics.elidedText(self.full_text, Qt.TextElideMode.ElideRight, width)
