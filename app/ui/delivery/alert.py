"""DeliveryAlert: the main window's one-line warning when a day fell below the threshold."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QToolButton, QWidget

from app.ui import texts
from app.ui.safe_text import plain_label
from app.ui.widgets.compact_strips import CompactStrip, compact_button
from app.ui.widgets.tint import set_text_colour


class DeliveryAlert(CompactStrip):
    """A one-line, non-modal warning in the main window when a day fell below the threshold.

    Signals:
        show_requested: 配信状況を見る was pressed.
    """

    show_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("deliveryAlert", "#fde8e8", "#e8a0a0", (10, 4, 6, 4), parent)
        self.label = plain_label("")
        self.label.setWordWrap(True)
        set_text_colour(self.label, "#a61b1b", bold=True)
        self.show_button = QPushButton(texts.DELIVERY_ALERT_SHOW)
        self.close_button = QToolButton()
        self.close_button.setText("×")
        self.close_button.setToolTip(texts.DISMISS_TOOLTIP)
        self.close_button.setAutoRaise(True)
        layout = QHBoxLayout(self)
        self.set_margins(layout)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.show_button)
        layout.addWidget(self.close_button)
        self.show_button.clicked.connect(self.show_requested)
        self.close_button.clicked.connect(self._dismiss)
        self._below_days = 0
        self._dismissed = False
        # On the 配信状況 tab itself, 「配信状況タブを確認してください」 and 配信状況を見る point at
        # the page already shown: the strip steps aside there (the tab title keeps its ⚠) and
        # comes back on another tab while the days are still below the threshold.
        self._on_its_tab = False
        self.setVisible(False)

    def set_compact(self, compact: bool) -> None:
        super().set_compact(compact)
        compact_button(self.show_button, compact)

    def update_days(self, below_days: int, threshold: float) -> None:
        """Show the warning when ``below_days`` > 0, hide it otherwise."""
        if below_days:
            # Here, not at the top: app.core.stats is not needed before the first paint.
            from app.core.stats import format_percent

            self.label.setText(
                texts.DELIVERY_ALERT.format(threshold=format_percent(threshold), count=below_days)
            )
        self._below_days = below_days
        self._dismissed = False  # new figures: warn again, as a new fetch always did
        self._show_if_due()

    def set_on_its_tab(self, on_its_tab: bool) -> None:
        """Whether the 配信状況 tab is the one showing."""
        self._on_its_tab = on_its_tab
        self._show_if_due()

    def _dismiss(self) -> None:
        self._dismissed = True
        self._show_if_due()

    def _show_if_due(self) -> None:
        self.setVisible(self._below_days > 0 and not self._dismissed and not self._on_its_tab)
        self.content_changed.emit()
