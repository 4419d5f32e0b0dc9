"""A one-row bar that scrolls sideways when the window is narrower than its buttons.

A row of buttons cannot shrink below the sum of its buttons: on an 800 px screen the delete
bar alone made the window 932 px wide, so its right end (チェックした項目を削除) and the window's
right edge were off-screen with no way to reach them. Inside this area the row keeps its full
width and a horizontal scroll bar appears only while it does not fit; its height grows by the
scroll bar's then, so the buttons are never covered.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QFrame, QScrollArea, QSizePolicy, QWidget


class SideScroller(QScrollArea):
    def __init__(self, content: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setWidgetResizable(True)  # wide enough: the row stretches as it did unwrapped
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setWidget(content)
        self._fit_height()

    def _overflows(self) -> bool:
        content = self.widget()
        return content is not None and content.minimumSizeHint().width() > self.width()

    def _fit_height(self) -> None:
        content = self.widget()
        height = content.sizeHint().height() if content is not None else 0
        if self._overflows():
            height += self.horizontalScrollBar().sizeHint().height()
        if height != self.height() or self.minimumHeight() != height:
            self.setFixedHeight(height)

    def sizeHint(self) -> QSize:
        content = self.widget()
        hint = content.sizeHint() if content is not None else QSize()
        return QSize(hint.width(), self.height())

    def minimumSizeHint(self) -> QSize:
        return QSize(0, self.height())  # any width: the rest scrolls

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_height()  # only the height changes, so this cannot resize it again sideways
