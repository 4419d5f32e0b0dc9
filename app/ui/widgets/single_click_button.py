"""A push button that a double click's second half cannot press.

When a click makes a button disappear and another appear in its place (取得 / 全件再取得 give
way to キャンセル while the fetch runs), the second click of a double click lands on the new
button, and Qt gives it only the double-click event (QWidget.mouseDoubleClickEvent, "if
another widget that overlaps this widget disappears in response to press or release events,
then this widget will only receive the double click event"), which QPushButton treats as a
press: double-clicking 全件再取得 started a full fetch and cancelled it at once. The same half
reached 取得 or 削除 again when the job had already ended (a small practice fetch): a second
fetch, a second confirmation. A double click on any of them now acts once."""

from __future__ import annotations

from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QPushButton


class SingleClickButton(QPushButton):
    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        event.accept()  # the first click of the pair already did what a click does
