"""A wrapped plain-text label whose lines break between sentences where it can.

Japanese has no spaces, so Qt wraps a sentence at any character: the practice banner at 1024 px
wide ended 「…影響しませ」 and put 「ん。」 alone on the next line. This label packs whole
sentences onto its lines (as many as fit its width); a sentence longer than a whole line follows
on the line before it and wraps inside itself.
"""

from __future__ import annotations

import re

from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QLabel, QWidget

# A sentence: up to its 。！？ (with the closing brackets after it), or the rest of the text.
_SENTENCE = re.compile(r"[^。！？\n]*[。！？]+[」』）)]*|[^。！？\n]+")
_PLAIN_TEXT = 0  # Qt::PlainText (the text may come from a settings file or a server)


def sentences(text: str) -> list[str]:
    """``text`` cut after each sentence's end; the pieces join back to ``text`` (line breaks
    of its own are kept as separate breaks)."""
    return [piece for piece in _SENTENCE.findall(text) if piece]


class SentenceLabel(QLabel):
    """A word-wrapped plain label that starts a new line at a sentence's start when the next
    sentence does not fit the line but fits a line of its own. ``text()`` is the text as
    given, without those breaks."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setProperty("textFormat", _PLAIN_TEXT)
        self.setWordWrap(True)
        self._given = ""
        self._measure: QLabel | None = None  # heightForWidth's: the text broken for a width
        self.setText(text)

    def setText(self, text: str) -> None:
        self._given = text
        self._fill_lines()

    def text(self) -> str:
        return self._given

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fill_lines()

    def heightForWidth(self, width: int) -> int:
        """The height of the text as it will be broken at ``width``: the layout asks before it
        sets the label's width, and the text shown now may be broken for another width (one
        line more or less would move the window's parts once it is painted)."""
        measure = self._measure
        if measure is None:
            # A child (freed with the label, on its thread), hidden for good: never painted.
            measure = self._measure = QLabel(self)
            measure.setHidden(True)
            measure.setProperty("textFormat", _PLAIN_TEXT)
            measure.setWordWrap(True)
        measure.setFont(self.font())
        measure.setContentsMargins(self.contentsMargins())
        measure.setMargin(self.margin())
        margins = self.contentsMargins()
        inner = width - margins.left() - margins.right() - 2 * self.margin()
        measure.setText(self._broken(inner))
        return measure.heightForWidth(width)

    def _fill_lines(self) -> None:
        shown = self._broken(self.contentsRect().width() - 2 * self.margin())
        if shown != super().text():
            super().setText(shown)

    def _broken(self, width: int) -> str:
        """The text with a line break before each sentence that does not fit ``width``."""
        return "\n".join("\n".join(self._packed(line, width)) for line in self._given.split("\n"))

    def _packed(self, line: str, width: int) -> list[str]:
        """The sentences of ``line``, as many to a line as fit ``width``."""
        metrics = self.fontMetrics()
        lines: list[str] = []
        for sentence in sentences(line):
            joined = lines[-1] + sentence if lines else ""
            # A sentence longer than a whole line wraps inside itself wherever it starts: it
            # goes on, rather than leave the line before it half empty.
            fits_alone = metrics.horizontalAdvance(sentence) <= width
            if lines and (metrics.horizontalAdvance(joined) <= width or not fits_alone):
                lines[-1] = joined
            else:
                lines.append(sentence)
        return lines or [line]
