"""A wrapped note exactly as tall as its text at the width the layout gives it.

A word-wrapped label's size hint is reckoned for a width Qt guesses (about 240 px), not for
the width it gets: in a form row of 履歴の設定 a note of two lines (36 px) was given the three
lines of its hint (54 px) and a blank band opened under it. And its minimum height is one
line's, so a dialog dragged to its minimum cut off the note's last lines (the Zendesk result).
Once shown, this label pins its height to what its text needs at its width: the layout neither
spreads it nor squeezes it, and a window's minimum height includes the whole note.
"""

from __future__ import annotations

from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QWidget

from app.ui.widgets.sentence_label import SentenceLabel


class FittedNote(SentenceLabel):
    """A SentenceLabel (lines broken between sentences) pinned to its text's height at its
    width, from its first show on; it follows a new width or a new text."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        self._laid_out = False  # set by the first resize event: Qt sends it at the first show
        super().__init__(text, parent)

    def setText(self, text: str) -> None:
        super().setText(text)
        self._fit_height()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._laid_out = True
        self._fit_height()

    def _fit_height(self) -> None:
        # Before its first show the label's width is not the layout's yet: pinned then, the
        # height for that width (a hundred pixels: many lines) would size the window.
        if not self._laid_out:
            return
        needed = self.heightForWidth(self.width())
        if needed > 0 and (needed != self.minimumHeight() or needed != self.maximumHeight()):
            self.setFixedHeight(needed)


def field_error_note() -> FittedNote:
    """The red line under a form field that says what is wrong with it, hidden until then.
    Plain text (the typed value can come back in it), as tall as its lines."""
    label = FittedNote()
    label.setStyleSheet("color: #c62828;")
    label.setVisible(False)
    return label
