"""ErrorDetailsDialog: friendly Japanese message, expandable copyable detail, log location."""

from __future__ import annotations

from PySide6.QtCore import Slot
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.ui import texts
from app.ui.safe_text import plain_label, shown
from app.ui.widgets.sentence_label import SentenceLabel


class ErrorDetailsDialog(QDialog):
    """Also used by the excepthook, so it depends on nothing but its arguments."""

    def __init__(
        self,
        message_ja: str,
        next_step_ja: str,
        detail: str,
        log_path: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(texts.ERROR_DIALOG_TITLE)
        self.resize(640, 420)
        message = plain_label(shown(message_ja))
        message.setWordWrap(True)
        message.setStyleSheet("font-weight: bold; font-size: 14px;")
        # Broken between its sentences, not inside a word.
        next_step = SentenceLabel(shown(f"{texts.ERROR_NEXT_STEP}: {next_step_ja}"))
        self.detail_text = QPlainTextEdit(shown(detail))
        self.detail_text.setReadOnly(True)
        self.detail_text.setVisible(False)
        self.toggle_button = QPushButton(texts.DETAILS_SHOW)
        self.toggle_button.setCheckable(True)
        self.toggle_button.toggled.connect(self._on_toggle_toggled)
        log_label = plain_label(texts.ERROR_DIALOG_LOG.format(path=log_path) if log_path else "")
        log_label.setWordWrap(True)
        log_label.setStyleSheet("color: #555;")
        buttons = QDialogButtonBox()
        self.copy_button = buttons.addButton(
            texts.ERROR_DIALOG_COPY, QDialogButtonBox.ButtonRole.ActionRole
        )
        close = buttons.addButton(texts.ERROR_DIALOG_CLOSE, QDialogButtonBox.ButtonRole.AcceptRole)
        close.setDefault(True)
        self.copy_button.clicked.connect(self._on_copy_clicked)
        buttons.accepted.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(message)
        layout.addWidget(next_step)
        layout.addWidget(self.toggle_button)
        layout.addWidget(self.detail_text, 1)
        layout.addWidget(log_label)
        # Folded, the room the details' box leaves goes here: shared among the lines, each
        # sat centred in a wide blank band. Unfolded, the box takes it all (stretch 0 here).
        self._room_index = layout.count()
        layout.addStretch(1)
        layout.addWidget(buttons)
        self._layout = layout
        self._copy_text = f"{message_ja}\n{next_step_ja}\n\n{detail}\n{log_path}".strip()

    @Slot(bool)
    def _on_toggle_toggled(self, shown: bool) -> None:
        self.detail_text.setVisible(shown)
        self._layout.setStretch(self._room_index, 0 if shown else 1)
        self.toggle_button.setText(texts.DETAILS_HIDE if shown else texts.DETAILS_SHOW)

    @Slot()
    def _on_copy_clicked(self) -> None:
        QGuiApplication.clipboard().setText(self._copy_text)
