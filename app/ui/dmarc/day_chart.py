"""DayChart: DMARC pass (blue) and failure (red) messages per JST day as stacked bars, painted
like the 配信状況 charts (same colours, grid and hover tooltips; the reasons for painting with
QPainter instead of a chart library are in app/ui/widgets/delivery_chart.py). The values come
from the Qt-free ``presentation.DayChartModel``."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QFontMetrics, QPainter, QPaintEvent
from PySide6.QtWidgets import QWidget

from app.ui.dmarc.presentation import DayChartModel
from app.ui.widgets.day_columns import AXIS_COLOR, TEXT_COLOR, DayColumnsChart, paint_value_axis
from app.ui.widgets.delivery_chart import BELOW_COLOR, HOVER_BAND, RATE_COLOR

TITLE = "日別のメッセージ数（日本時間）"
EMPTY_TEXT = "レポートを読み込むと、日ごとの DMARC 合格・失敗がここに表示されます"
LEGEND = ((RATE_COLOR, "DMARC 合格"), (BELOW_COLOR, "DMARC 失敗"))


class DayChart(DayColumnsChart):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._model: DayChartModel | None = None
        self.setMinimumSize(360, 220)

    def set_model(self, model: DayChartModel | None) -> None:
        self._model = model
        self._hover = None
        self.update()

    def model(self) -> DayChartModel | None:
        return self._model

    def sizeHint(self) -> QSize:  # Qt override
        return QSize(640, 320)

    def _plot(self) -> QRectF:
        metrics = QFontMetrics(self.font())
        line = metrics.height()
        count_max = self._model.count_max if self._model else 1
        left = metrics.horizontalAdvance(f"{count_max:,}") + 14
        top = 2 * line + 18  # the legend, then the axis title
        return QRectF(
            left,
            top,
            max(40.0, self.width() - left - 12),
            max(40.0, self.height() - top - line - 12),
        )

    def day_at(self, x: float) -> int | None:
        if self._model is None or self._model.empty:
            return None
        plot = self._plot()
        if not plot.left() <= x < plot.right():
            return None
        count = len(self._model.bars)
        return min(count - 1, int((x - plot.left()) / (plot.width() / count)))

    def tooltip_at(self, x: float) -> str:
        index = self.day_at(x)
        return "" if index is None or self._model is None else self._model.bars[index].tooltip

    def paintEvent(self, event: QPaintEvent) -> None:  # Qt override
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), Qt.GlobalColor.white)
        metrics = QFontMetrics(self.font())
        model = self._model
        if model is None or model.empty:
            painter.setPen(AXIS_COLOR)
            painter.drawText(
                self.rect().adjusted(12, 0, -12, 0),
                Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                EMPTY_TEXT,
            )
            return
        x = 8.0
        for colour, label in LEGEND:
            painter.fillRect(QRectF(x, 9, 12, metrics.height() - 6), colour)
            painter.setPen(TEXT_COLOR)
            painter.drawText(QPointF(x + 16, 6 + metrics.ascent()), label)
            x += 16 + metrics.horizontalAdvance(label) + 18
        plot = self._plot()
        paint_value_axis(painter, self.font(), TITLE, model.ticks, plot, metrics, day_axis=True)
        count = len(model.bars)
        width = plot.width() / count
        every = max(1, int(metrics.horizontalAdvance("12/31") * 1.6 // max(1.0, width)) + 1)
        for index, bar in enumerate(model.bars):
            left = plot.left() + width * index
            if index == self._hover:
                painter.fillRect(QRectF(left, plot.top(), width, plot.height()), HOVER_BAND)
            bar_width = max(2.0, width * 0.7)
            bx = left + (width - bar_width) / 2
            pass_h = plot.height() * bar.pass_fraction
            fail_h = plot.height() * bar.fail_fraction
            painter.fillRect(QRectF(bx, plot.bottom() - pass_h, bar_width, pass_h), RATE_COLOR)
            painter.fillRect(
                QRectF(bx, plot.bottom() - pass_h - fail_h, bar_width, fail_h), BELOW_COLOR
            )
            if index % every == 0:
                painter.setPen(AXIS_COLOR)
                painter.drawText(
                    QRectF(left - width, plot.bottom() + 4, width * 3, metrics.height()),
                    Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
                    bar.label,
                )
