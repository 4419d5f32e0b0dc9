"""DeliveryChart: daily delivery rate (line and points), threshold line, bounce/block bars.

Why a small painted QWidget and not a chart library: Qt Charts is deprecated since Qt 6.10;
Qt Graphs needs QML/Quick from the heavy PySide6-Addons wheel (we ship PySide6-Essentials);
pyqtgraph would add a dependency for two simple charts. A QPainter widget is ~300 lines, has no
dependency, paints a month in a few milliseconds (~4.5 ms for 30 days at 800×440, offscreen,
on the 2-core dev machine) and is testable because every value it draws comes from the Qt-free
``DeliveryChartModel`` (app/ui/widgets/chart_model.py).

Reading it without numbers: the blue line is the rate, the red dashed line the threshold; a day
under it gets a red point, a pale red column and its rate written next to the point. Below, a
second plot shows that day's bounces (amber) and blocks (purple) on a shared day axis.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
)
from PySide6.QtWidgets import QWidget

from app.ui.widgets.chart_model import AxisTick, DayPoint, DeliveryChartModel
from app.ui.widgets.day_columns import (
    AXIS_COLOR,
    TEXT_COLOR,
    DayColumnsChart,
    paint_value_axis,
)

RATE_COLOR = QColor("#1f6fb2")
BELOW_COLOR = QColor("#d62728")
BELOW_BAND = QColor(214, 39, 40, 34)
HOVER_BAND = QColor(31, 111, 178, 22)
THRESHOLD_COLOR = QColor("#d62728")
BOUNCE_COLOR = QColor("#f0a30a")
BLOCK_COLOR = QColor("#7b4fa0")
NO_DATA_COLOR = QColor("#9a9a9a")

RATE_TITLE = "配信率（配信成功 ÷ リクエスト）"
COUNT_TITLE = "バウンス・ブロック（件数）"
EMPTY_TEXT = "配信統計がまだありません"
LEGEND = (
    ("line", RATE_COLOR, "配信率"),
    ("dash", THRESHOLD_COLOR, "しきい値"),
    ("band", BELOW_COLOR, "しきい値を下回った日"),
    ("hollow", NO_DATA_COLOR, "送信なし・データなし"),
    ("box", BOUNCE_COLOR, "バウンス"),
    ("box", BLOCK_COLOR, "ブロック"),
)


class DeliveryChart(DayColumnsChart):
    """Paints a DeliveryChartModel; hover a day for its numbers (plain-text tooltip)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._model: DeliveryChartModel | None = None
        self.empty_text = EMPTY_TEXT  # what an empty chart says (the view names why)
        self.setMinimumSize(420, 300)

    # -- data ------------------------------------------------------------------------------------

    def set_model(self, model: DeliveryChartModel | None) -> None:
        self._model = model
        self._hover = None
        self.update()

    def model(self) -> DeliveryChartModel | None:
        return self._model

    def sizeHint(self) -> QSize:  # Qt override
        return QSize(760, 440)

    # -- geometry (shared by painting and hit-testing) ------------------------------------------

    def _areas(self) -> tuple[QRectF, QRectF]:
        """(rate plot, count plot) in widget coordinates."""
        metrics = QFontMetrics(self.font())
        line = metrics.height()
        left = metrics.horizontalAdvance("100%") + 14
        right_pad = metrics.horizontalAdvance("しきい値 97.5%") + 10
        legend_h = self._legend_height(metrics)
        top = legend_h + line + 10
        bottom = self.height() - line - 10  # x labels
        usable = max(40.0, bottom - top - (line + 16))
        rate_h = usable * 0.64
        rate = QRectF(left, top, max(40.0, self.width() - left - right_pad), rate_h)
        count_top = rate.bottom() + line + 16
        count = QRectF(left, count_top, rate.width(), max(20.0, bottom - count_top))
        return rate, count

    def _column(self, plot: QRectF, index: int, count: int) -> tuple[float, float]:
        """(center x, width) of day ``index``."""
        width = plot.width() / max(1, count)
        return plot.left() + width * (index + 0.5), width

    def day_at(self, x: float) -> int | None:
        """The day column under widget x, or None."""
        if self._model is None or self._model.empty:
            return None
        rate, _ = self._areas()
        if not rate.left() <= x < rate.right():
            return None
        count = len(self._model.points)
        return min(count - 1, int((x - rate.left()) / (rate.width() / count)))

    def tooltip_at(self, x: float) -> str:
        """Plain tooltip text for the day under x ("" when none)."""
        index = self.day_at(x)
        if index is None or self._model is None:
            return ""
        return self._model.points[index].tooltip

    # -- painting --------------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:  # Qt override
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor("white"))
        model = self._model
        if model is None or model.empty:
            painter.setPen(NO_DATA_COLOR)
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self.empty_text)
            return
        metrics = QFontMetrics(self.font())
        rate, count = self._areas()
        self._paint_legend(painter, metrics)
        self._paint_bands(painter, model, rate, count)
        self._paint_axis(painter, RATE_TITLE, model.rate_ticks, rate, metrics)
        self._paint_axis(painter, COUNT_TITLE, model.count_ticks, count, metrics, day_axis=True)
        self._paint_bars(painter, model, count)
        self._paint_threshold(painter, model, rate, metrics)
        self._paint_rate_line(painter, model, rate, metrics)
        self._paint_day_labels(painter, model, count, metrics)

    def _legend_positions(self, metrics: QFontMetrics) -> list[tuple[float, float]]:
        """Top-left of each legend item; items wrap to a new line when the widget is narrow."""
        positions: list[tuple[float, float]] = []
        x, y = 8.0, 4.0
        for _, _, text in LEGEND:
            width = 24 + metrics.horizontalAdvance(text) + 18
            if x > 8.0 and x + width - 18 > self.width() - 4:
                x, y = 8.0, y + metrics.height() + 4
            positions.append((x, y))
            x += width
        return positions

    def _legend_height(self, metrics: QFontMetrics) -> int:
        return int(self._legend_positions(metrics)[-1][1]) + metrics.height() + 4

    def _paint_legend(self, painter: QPainter, metrics: QFontMetrics) -> None:
        h = metrics.height()
        for (shape, color, text), (x, y) in zip(
            LEGEND, self._legend_positions(metrics), strict=True
        ):
            mid = y + h / 2
            if shape == "line":
                painter.setPen(QPen(color, 2.5))
                painter.drawLine(QPointF(x, mid), QPointF(x + 18, mid))
                painter.setBrush(color)
                painter.drawEllipse(QPointF(x + 9, mid), 3, 3)
            elif shape == "dash":
                painter.setPen(QPen(color, 2, Qt.PenStyle.DashLine))
                painter.drawLine(QPointF(x, mid), QPointF(x + 18, mid))
            elif shape == "band":
                painter.fillRect(QRectF(x, y + 1, 18, h - 2), BELOW_BAND)
                painter.setPen(QPen(QColor("white"), 1.5))
                painter.setBrush(color)
                painter.drawEllipse(QPointF(x + 9, mid), 4.5, 4.5)
            elif shape == "hollow":
                painter.setPen(QPen(color, 1.5))
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawEllipse(QPointF(x + 9, mid), 4, 4)
            else:
                painter.fillRect(QRectF(x + 3, y + 3, 12, h - 6), color)
            painter.setPen(TEXT_COLOR)
            painter.drawText(QPointF(x + 24, y + metrics.ascent()), text)

    def _paint_bands(
        self, painter: QPainter, model: DeliveryChartModel, rate: QRectF, count: QRectF
    ) -> None:
        total = len(model.points)
        for index, point in enumerate(model.points):
            center, width = self._column(rate, index, total)
            color = BELOW_BAND if point.below else HOVER_BAND if index == self._hover else None
            if color is None:
                continue
            painter.fillRect(QRectF(center - width / 2, rate.top(), width, rate.height()), color)
            painter.fillRect(QRectF(center - width / 2, count.top(), width, count.height()), color)

    def _paint_axis(
        self,
        painter: QPainter,
        title: str,
        ticks: tuple[AxisTick, ...],
        plot: QRectF,
        metrics: QFontMetrics,
        *,
        day_axis: bool = False,
    ) -> None:
        paint_value_axis(painter, self.font(), title, ticks, plot, metrics, day_axis=day_axis)

    def _paint_bars(self, painter: QPainter, model: DeliveryChartModel, plot: QRectF) -> None:
        total = len(model.points)
        for index, point in enumerate(model.points):
            center, width = self._column(plot, index, total)
            bar = min(28.0, width * 0.32)
            for offset, fraction, color in (
                (-bar, point.bounce_fraction, BOUNCE_COLOR),
                (0.0, point.block_fraction, BLOCK_COLOR),
            ):
                height = fraction * plot.height()
                if height <= 0:
                    continue
                painter.fillRect(
                    QRectF(center + offset, plot.bottom() - height, bar, max(1.0, height)), color
                )

    def _paint_threshold(
        self, painter: QPainter, model: DeliveryChartModel, plot: QRectF, metrics: QFontMetrics
    ) -> None:
        y = plot.bottom() - model.threshold_fraction * plot.height()
        painter.setPen(QPen(THRESHOLD_COLOR, 2, Qt.PenStyle.DashLine))
        painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
        painter.setPen(THRESHOLD_COLOR)
        painter.drawText(QPointF(plot.right() + 6, y + metrics.ascent() / 2 - 1), "しきい値")
        painter.drawText(
            QPointF(plot.right() + 6, y + metrics.ascent() / 2 + metrics.height() - 1),
            model.threshold_label.removeprefix("しきい値 "),
        )

    def _paint_rate_line(
        self, painter: QPainter, model: DeliveryChartModel, plot: QRectF, metrics: QFontMetrics
    ) -> None:
        total = len(model.points)
        positions: list[QPointF | None] = []
        for index, point in enumerate(model.points):
            center, _ = self._column(plot, index, total)
            if point.rate_fraction is None:
                positions.append(None)
            else:
                positions.append(
                    QPointF(center, plot.bottom() - point.rate_fraction * plot.height())
                )
        # The line breaks at days without a rate: joining across them would invent a trend.
        path = QPainterPath()
        pen_down = False
        for position in positions:
            if position is None:
                pen_down = False
            elif pen_down:
                path.lineTo(position)
            else:
                path.moveTo(position)
                pen_down = True
        painter.setPen(QPen(RATE_COLOR, 2.5))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(path)
        for index, (point, position) in enumerate(zip(model.points, positions, strict=True)):
            center, _ = self._column(plot, index, total)
            if position is None:
                painter.setPen(QPen(NO_DATA_COLOR, 1.5))
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawEllipse(QPointF(center, plot.bottom() - 6), 4, 4)
                continue
            self._paint_point(painter, point, position, plot, metrics)

    def _paint_point(
        self,
        painter: QPainter,
        point: DayPoint,
        position: QPointF,
        plot: QRectF,
        metrics: QFontMetrics,
    ) -> None:
        if not point.below:
            painter.setPen(QPen(QColor("white"), 1.5))
            painter.setBrush(RATE_COLOR)
            painter.drawEllipse(position, 4, 4)
            return
        painter.setPen(QPen(QColor("white"), 2))
        painter.setBrush(BELOW_COLOR)
        painter.drawEllipse(position, 6.5, 6.5)
        # Write the rate of a bad day beside its point: the one number a manager needs.
        bold = QFont(self.font())
        bold.setBold(True)
        painter.setFont(bold)
        painter.setPen(BELOW_COLOR)
        text_width = QFontMetrics(bold).horizontalAdvance(point.rate_text)
        x = position.x() + 9
        if x + text_width > plot.right():
            x = position.x() - 9 - text_width
        y = position.y() + metrics.ascent() / 2 - 1
        y = min(max(y, plot.top() + metrics.ascent()), plot.bottom() - 4)
        painter.drawText(QPointF(x, y), point.rate_text)
        painter.setFont(self.font())

    def _paint_day_labels(
        self, painter: QPainter, model: DeliveryChartModel, plot: QRectF, metrics: QFontMetrics
    ) -> None:
        total = len(model.points)
        _, width = self._column(plot, 0, total)
        widest = max(metrics.horizontalAdvance(point.label) for point in model.points)
        every = max(1, math.ceil((widest + 8) / width))
        bold = QFont(self.font())
        bold.setBold(True)
        for index in _labelled_days(model, every):
            point = model.points[index]
            center, _ = self._column(plot, index, total)
            painter.setFont(bold if point.below else self.font())
            painter.setPen(BELOW_COLOR if point.below else AXIS_COLOR)
            rect = QRectF(center - width * every / 2, plot.bottom() + 4, width * every, 40)
            painter.drawText(
                rect, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, point.label
            )
        painter.setFont(self.font())


def _labelled_days(model: DeliveryChartModel, every: int) -> list[int]:
    """Indices whose x label is drawn: every bad day first, then every ``every``-th day where
    it does not collide with a label already chosen (labels need ``every`` columns)."""
    chosen: list[int] = []
    for index in model.highlighted:
        if all(abs(index - other) >= every for other in chosen):
            chosen.append(index)
    for index in range(0, len(model.points), every):
        if all(abs(index - other) >= every for other in chosen):
            chosen.append(index)
    return sorted(chosen)
