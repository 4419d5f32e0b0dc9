"""An account name is shown in the removal question: it must stay plain text."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import Qt as GuiQt  # mightBeRichText lives in QtGui
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox

from app.ui.accounts.manage_flow import ask_remove


def test_account_name_with_markup_is_not_rendered_as_rich_text(qtbot) -> None:
    # Names are free text (settings.json accepts any non-empty string, the edit dialog too).
    name = "<img src='file:///etc/passwd'><a href='javascript:x'>本番</a>"
    seen: dict[str, object] = {}

    def answer() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, answer)
            return
        label = box.findChild(QLabel, "qt_msgbox_label")
        seen["format"] = label.textFormat()
        seen["rich"] = label.textFormat() == Qt.TextFormat.RichText or (
            label.textFormat() == Qt.TextFormat.AutoText and GuiQt.mightBeRichText(label.text())
        )
        box.button(QMessageBox.StandardButton.No).click()

    QTimer.singleShot(20, answer)
    assert ask_remove(name, None) is False
    # QMessageBox.question leaves AutoText: the name made Qt guess rich text and render <img>/<a>.
    assert seen["rich"] is False, seen
