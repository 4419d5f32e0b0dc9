"""Coloured text and tinted boxes without style sheets.

The first ``setStyleSheet`` call in a process sets up Qt's style-sheet engine and every styled
widget is then polished through it: ~2 ms before the window can appear. A palette, a bold font
and a rounded rectangle painted here look the same and cost next to nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QFrame, QWidget

if TYPE_CHECKING:
    from PySide6.QtGui import QPaintEvent

_RADIUS = 4.0


def set_text_colour(
    widget: QWidget, colour: str, *, bold: bool = False, disabled_colour: str = ""
) -> None:
    """Text in ``colour`` (labels and buttons alike); ``disabled_colour`` while disabled."""
    palette = widget.palette()
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.ButtonText):
        palette.setColor(QPalette.ColorGroup.Active, role, QColor(colour))
        palette.setColor(QPalette.ColorGroup.Inactive, role, QColor(colour))
        if disabled_colour:
            palette.setColor(QPalette.ColorGroup.Disabled, role, QColor(disabled_colour))
    widget.setPalette(palette)
    if bold:
        font = widget.font()
        font.setBold(True)
        widget.setFont(font)


class TintedFrame(QFrame):
    """A frame painted as a rounded box with a background and a one-pixel border."""

    def __init__(self, background: str, border: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._background = QColor(background)
        self._border = QColor(border)

    def paintEvent(self, event: QPaintEvent) -> None:
        # Imported here: QPainter's first use costs ~0.5 ms, and painting comes after the
        # window is shown.
        from PySide6.QtCore import QRectF
        from PySide6.QtGui import QPainter

        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(self._border)
        painter.setBrush(self._background)
        # Half a pixel in, so the one-pixel border lands on whole pixels.
        box = QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
        painter.drawRoundedRect(box, _RADIUS, _RADIUS)
        painter.end()
        super().paintEvent(event)
