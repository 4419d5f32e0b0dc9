"""The 配信状況 tab page (a status line above DeliveryView) and the window's delivery alert line."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QPushButton, QToolButton, QVBoxLayout, QWidget

from app.core.errors import TodokuError
from app.core.stats import DailyStats, format_percent
from app.ui import texts
from app.ui.delivery_view import DeliveryView
from app.ui.safe_text import plain_label

_MESSAGE_STYLES = {
    "error": "background: #fdecea; color: #b71c1c; border: 1px solid #e57373;",
    "info": "background: #f2f2f2; color: #555555; border: 1px solid #d6d6d6;",
}
_ALERT_STYLE = (
    "#deliveryAlert { background: #fde8e8; border: 1px solid #e8a0a0; border-radius: 4px; }"
)


class DeliveryTab(QWidget):
    """DeliveryView plus a line for loading and failure messages (the view itself only shows
    what it is given, so a failed stats request is explained here, in Japanese)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.message_label = plain_label("")
        self.message_label.setWordWrap(True)
        self.message_label.setContentsMargins(10, 6, 10, 6)
        self.message_label.setVisible(False)
        self.view = DeliveryView()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.message_label)
        layout.addWidget(self.view, 1)

    def show_loading(self) -> None:
        self._message("info", texts.STATS_LOADING)

    def show_error(self, error: TodokuError, threshold: float) -> None:
        """Stats could not be fetched: say why; the old chart would be misleading, clear it."""
        self.view.set_stats((), threshold)
        self.view.set_breakdown_model(None)
        text = texts.STATS_FAILED.format(message=error.message_ja)
        text += "\n" + texts.STATS_FAILED_NEXT.format(next_step=error.next_step_ja)
        self._message("error", text)

    def show_stats(
        self, daily: Sequence[DailyStats], threshold: float, today: date | None = None
    ) -> None:
        self.message_label.setVisible(False)
        self.view.set_stats(daily, threshold, today)

    @property
    def message(self) -> str:
        return "" if self.message_label.isHidden() else self.message_label.text()

    def _message(self, kind: str, text: str) -> None:
        self.message_label.setText(text)
        self.message_label.setStyleSheet(
            f"QLabel {{ {_MESSAGE_STYLES[kind]} border-radius: 4px; }}"
        )
        self.message_label.setVisible(True)


class DeliveryAlert(QFrame):
    """A one-line, non-modal warning in the main window when a day fell below the threshold.

    Signals:
        show_requested: 配信状況を見る was pressed.
    """

    show_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("deliveryAlert")
        self.setStyleSheet(_ALERT_STYLE)
        self.label = plain_label("")
        self.label.setWordWrap(True)
        self.label.setStyleSheet("color: #a61b1b; font-weight: bold;")
        self.show_button = QPushButton(texts.DELIVERY_ALERT_SHOW)
        self.close_button = QToolButton()
        self.close_button.setText("×")
        self.close_button.setToolTip(texts.DISMISS_TOOLTIP)
        self.close_button.setAutoRaise(True)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 4, 6, 4)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.show_button)
        layout.addWidget(self.close_button)
        self.show_button.clicked.connect(self.show_requested)
        self.close_button.clicked.connect(self.hide)
        self.setVisible(False)

    def update_days(self, below_days: int, threshold: float) -> None:
        """Show the warning when ``below_days`` > 0, hide it otherwise."""
        if below_days:
            self.label.setText(
                texts.DELIVERY_ALERT.format(threshold=format_percent(threshold), count=below_days)
            )
        self.setVisible(below_days > 0)
