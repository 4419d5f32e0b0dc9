"""What the charts with one column per day share: hover highlight with a plain-text tooltip,
and a value axis (bold title, grid lines, right-aligned labels). Used by the 配信状況 chart and
the DMARC day chart."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QMouseEvent, QPainter, QPen
from PySide6.QtWidgets import QToolTip, QWidget

from app.ui.safe_text import tooltip_text
from app.ui.widgets.chart_model import AxisTick

GRID_COLOR = QColor("#e3e3e3")
AXIS_COLOR = QColor("#555555")
TEXT_COLOR = QColor("#222222")


class DayColumnsChart(QWidget):
    """Base widget: ``day_at(x)`` and ``tooltip_at(x)`` are given by the chart; the column
    under the mouse is ``_hover`` (painted by the chart) and its tooltip is escaped."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._hover: int | None = None
        self.setMouseTracking(True)

    def day_at(self, x: float) -> int | None:
        raise NotImplementedError

    def tooltip_at(self, x: float) -> str:
        raise NotImplementedError

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # Qt override
        index = self.day_at(event.position().x())
        if index != self._hover:
            self._hover = index
            self.update()
        text = self.tooltip_at(event.position().x())
        if text:
            QToolTip.showText(event.globalPosition().toPoint(), tooltip_text(text), self)
        else:
            QToolTip.hideText()
        super().mouseMoveEvent(event)

    def leaveEvent(self, event: object) -> None:  # Qt override
        self._hover = None
        self.update()
        super().leaveEvent(event)  # type: ignore[arg-type]


def paint_value_axis(
    painter: QPainter,
    font: QFont,
    title: str,
    ticks: Iterable[AxisTick],
    plot: QRectF,
    metrics: QFontMetrics,
    *,
    day_axis: bool = False,
) -> None:
    """Bold title above ``plot``, grid lines with right-aligned labels, the left axis (and
    the day axis along the bottom)."""
    painter.setPen(TEXT_COLOR)
    title_font = QFont(font)
    title_font.setBold(True)
    painter.setFont(title_font)
    painter.drawText(QPointF(plot.left(), plot.top() - 6), title)
    painter.setFont(font)
    for tick in ticks:
        y = plot.bottom() - tick.fraction * plot.height()
        painter.setPen(QPen(GRID_COLOR, 1))
        painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
        painter.setPen(AXIS_COLOR)
        label_rect = QRectF(0, y - metrics.height() / 2, plot.left() - 6, metrics.height())
        painter.drawText(
            label_rect, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, tick.label
        )
    painter.setPen(QPen(AXIS_COLOR, 1))
    painter.drawLine(plot.bottomLeft(), plot.topLeft())
    if day_axis:
        painter.drawLine(plot.bottomLeft(), plot.bottomRight())
