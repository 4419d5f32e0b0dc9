"""NoteDialog: a titled plain-text note with an OK button, whose text scrolls when the screen is
too short for it.

QMessageBox fixes its own size to the whole text: 使い方 is 572 px tall at 200 % scaling on a
1920×1080 laptop, whose screen Qt sees as 960×540, so its OK button opened below the screen's
edge with no way to reach it. Here the text sits in a scroll area and the dialog is cut to the
screen's free area; where the text fits it looks like the message box did.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.ui.safe_text import plain_label
from app.ui.widgets.screen_fit import resize_within_screen

# How wide the text runs, in full-width characters: about as wide as QMessageBox made it.
TEXT_WIDTH_CHARS = 34


class NoteDialog(QDialog):
    def __init__(self, title: str, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.label: QLabel = plain_label(text, self)
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # A little air between the lines' ends and the scroll bar.
        self.label.setContentsMargins(0, 0, self.label.fontMetrics().horizontalAdvance("あ"), 0)
        self.text_area = QScrollArea(self)
        self.text_area.setFrameShape(QFrame.Shape.NoFrame)
        self.text_area.setWidgetResizable(True)
        self.text_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.text_area.setWidget(self.label)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok, self)
        self.buttons.accepted.connect(self.accept)
        self._layout = QVBoxLayout(self)
        self._layout.addWidget(self.text_area, 1)
        self._layout.addWidget(self.buttons)
        self._fit_text()

    def _fit_text(self) -> None:
        """As wide as TEXT_WIDTH_CHARS characters (less on a narrow screen), as tall as the text
        at that width; resize_within_screen cuts the height, and then the text scrolls."""
        metrics = self.label.fontMetrics()
        width = TEXT_WIDTH_CHARS * metrics.horizontalAdvance("あ")
        text = self.label.text()
        if "\t" in text:
            # A table (キーボード操作): a wrapped row's end went to the next line's start,
            # under the keys, where it read as a key. It is as wide as its longest row.
            # Measured unwrapped by the label itself: its tab stops are its own.
            self.label.setWordWrap(False)
            width = max(width, self.label.sizeHint().width())
            self.label.setWordWrap(True)
        screen = self.screen()
        if screen is not None:
            width = min(width, screen.availableGeometry().width() - 4 * metrics.height())
        margins = self._layout.contentsMargins()
        scroll_bar = self.text_area.verticalScrollBar().sizeHint().width()
        text_height = self.label.heightForWidth(width)
        height = (
            text_height
            + self._layout.spacing()
            + self.buttons.sizeHint().height()
            + margins.top()
            + margins.bottom()
        )
        # Room for the scroll bar, so the lines wrap the same when it appears.
        resize_within_screen(self, width + scroll_bar + margins.left() + margins.right(), height)

    # QMessageBox's accessors, which the ヘルプ menu's callers and tests use.
    def text(self) -> str:
        return self.label.text()

    def textFormat(self) -> Qt.TextFormat:  # QMessageBox's name (the tests call it)
        return self.label.textFormat()
