"""Error panel: the Japanese cause and next step stay until dismissed; 詳細 expands the detail."""

from __future__ import annotations

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import TodokuError
from app.ui import texts
from app.ui.safe_text import plain_label
from app.ui.widgets.tint import TintedFrame, set_text_colour


class StatusPanel(TintedFrame):
    """Shows one error at a time (the newest). Hidden until ``show_error``.

    Signals:
        dismissed: the × button was pressed.
    """

    dismissed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("statusPanel", "#fdecea", "#e57373", parent)
        self.error: TodokuError | None = None
        self.message_label = plain_label()
        self.message_label.setWordWrap(True)
        set_text_colour(self.message_label, "#b71c1c", bold=True)
        self.next_step_label = plain_label()
        self.next_step_label.setWordWrap(True)
        self.details_button = QToolButton()
        self.details_button.setText(texts.DETAILS_SHOW)
        self.details_button.setAutoRaise(True)
        self.details_button.setCheckable(True)
        self.close_button = QToolButton()
        self.close_button.setText("×")
        self.close_button.setToolTip(texts.DISMISS_TOOLTIP)
        self.close_button.setAutoRaise(True)
        self.detail_text = QPlainTextEdit()  # plain text: server answers are untrusted
        self.detail_text.setReadOnly(True)
        self.detail_text.setMaximumHeight(140)
        self.detail_text.setVisible(False)

        header = QHBoxLayout()
        header.addWidget(self.message_label, 1)
        header.addWidget(self.details_button)
        header.addWidget(self.close_button)
        next_row = QHBoxLayout()
        next_row.addWidget(QLabel(texts.ERROR_NEXT_STEP + ":"))
        next_row.addWidget(self.next_step_label, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 6, 6)
        layout.addLayout(header)
        layout.addLayout(next_row)
        layout.addWidget(self.detail_text)

        self.details_button.toggled.connect(self._on_details_toggled)
        self.close_button.clicked.connect(self._on_close_clicked)
        self.setVisible(False)

    def show_error(self, error: TodokuError) -> None:
        self.error = error
        self.message_label.setText(error.message_ja)
        self.next_step_label.setText(error.next_step_ja)
        detail = error.detail or type(error).__name__
        self.detail_text.setPlainText(f"{type(error).__name__}\n{detail}")
        self.details_button.setChecked(False)
        self.setVisible(True)

    @Slot(bool)
    def _on_details_toggled(self, shown: bool) -> None:
        self.detail_text.setVisible(shown)
        self.details_button.setText(texts.DETAILS_HIDE if shown else texts.DETAILS_SHOW)

    @Slot()
    def _on_close_clicked(self) -> None:
        self.error = None
        self.setVisible(False)
        self.dismissed.emit()
