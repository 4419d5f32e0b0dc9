"""DeliveryTab (配信状況 tab page): a status line above DeliveryView, which is built on first use.

DeliveryView brings the stats and chart modules with it (fractions, decimal, two chart widgets:
~20 ms at start-up), and the tab is hidden at first paint, so the window builds the view just
after the first paint (``build_view``); whatever needs it earlier builds it then.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal, Slot
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QFrame, QScrollArea, QVBoxLayout, QWidget

from app.core.errors import TodokuError
from app.ui import texts
from app.ui.safe_text import plain_label

if TYPE_CHECKING:
    from app.core.stats import DailyStats
    from app.ui.delivery.view import DeliveryView
    from app.ui.widgets.chart_model import BreakdownChartModel

_MESSAGE_STYLES = {
    "error": "background: #fdecea; color: #b71c1c; border: 1px solid #e57373;",
    "info": "background: #f2f2f2; color: #555555; border: 1px solid #d6d6d6;",
}


class DeliveryTab(QWidget):
    """DeliveryView plus a line for loading and failure messages (the view itself only shows
    what it is given, so a failed stats request is explained here, in Japanese).

    Signals:
        threshold_changed(float): the operator changed the threshold (a ratio, 0.97 = 97%).
        below_days_changed(int): days under the threshold, after new stats, a failure or a new
            threshold (0 when there are no stats).
    """

    threshold_changed = Signal(float)
    below_days_changed = Signal(int)

    def __init__(self, threshold: float, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._threshold = threshold
        self._view: DeliveryView | None = None
        self.message_label = plain_label("")
        self.message_label.setWordWrap(True)
        self.message_label.setContentsMargins(10, 6, 10, 6)
        self.message_label.setVisible(False)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(4, 4, 4, 4)
        self._layout.addWidget(self.message_label)

    @property
    def view(self) -> DeliveryView:
        """The chart view, built on first access."""
        if self._view is None:
            from app.ui.delivery.view import DeliveryView

            view = DeliveryView()
            view.set_stats((), self._threshold)
            view.threshold_changed.connect(self._on_view_threshold_changed)
            # In a scroll area: the charts' minimum height (~500 px) must not set the window's,
            # which has to fit a 1366×768 laptop with the alert and error banners shown.
            scroll = QScrollArea()
            scroll.setWidgetResizable(True)
            scroll.setFrameShape(QFrame.Shape.NoFrame)
            scroll.setWidget(view)
            self._layout.addWidget(scroll, 1)
            if self.isVisible():
                scroll.show()
                view.show()
            self._view = view
        return self._view

    @property
    def has_view(self) -> bool:
        return self._view is not None

    @Slot()
    def build_view(self) -> None:
        """Build the view now (called after the first paint, so the tab opens at once)."""
        self.view  # noqa: B018 (the property builds it)

    @property
    def threshold(self) -> float:
        return self._threshold

    @property
    def below_days(self) -> int:
        report = None if self._view is None else self._view.report
        return 0 if report is None else len(report.below_days)

    @property
    def message(self) -> str:
        return "" if self.message_label.isHidden() else self.message_label.text()

    @Slot()
    def show_loading(self) -> None:
        self._message("info", texts.STATS_LOADING)

    @Slot(object)
    def show_loaded(self, loaded: tuple[Sequence[DailyStats], object]) -> None:
        """DeliveryController.stats_loaded: (daily stats, their DateRange)."""
        daily, _ = loaded
        self.show_stats(daily)

    def show_stats(self, daily: Sequence[DailyStats], today: date | None = None) -> None:
        self.message_label.setVisible(False)
        self.view.set_stats(daily, self._threshold, today)
        self.below_days_changed.emit(self.below_days)

    @Slot(object)
    def show_error(self, error: TodokuError) -> None:
        """Stats could not be fetched: say why; the old chart would be misleading, clear it."""
        self.view.set_stats((), self._threshold)
        self.view.set_breakdown_model(None)
        text = texts.STATS_FAILED.format(message=error.message_ja)
        text += "\n" + texts.STATS_FAILED_NEXT.format(next_step=error.next_step_ja)
        self._message("error", text)
        self.below_days_changed.emit(0)

    @Slot(str)
    def show_unavailable(self, text: str) -> None:
        """No statistics for the account's provider: said calmly, not as an error."""
        self.view.show_no_stats()
        self._message("info", text)
        self.below_days_changed.emit(0)

    @Slot(object)
    def set_breakdown_model(self, model: BreakdownChartModel | None) -> None:
        self.view.set_breakdown_model(model)

    @Slot()
    def clear(self) -> None:
        """The rows shown came through another connection: nothing of their overview applies
        (no stats, no breakdown, no message), as before the first fetch."""
        if self._view is not None:
            self._view.set_stats((), self._threshold)
            self._view.set_breakdown_model(None)
        self.message_label.setVisible(False)
        self.below_days_changed.emit(0)

    def showEvent(self, event: QShowEvent) -> None:
        self.build_view()  # opened before the post-paint build ran
        super().showEvent(event)

    @Slot(float)
    def _on_view_threshold_changed(self, threshold: float) -> None:
        self._threshold = threshold
        self.threshold_changed.emit(threshold)
        self.below_days_changed.emit(self.below_days)

    def _message(self, kind: str, text: str) -> None:
        self.message_label.setText(text)
        self.message_label.setStyleSheet(
            f"QLabel {{ {_MESSAGE_STYLES[kind]} border-radius: 4px; }}"
        )
        self.message_label.setVisible(True)
