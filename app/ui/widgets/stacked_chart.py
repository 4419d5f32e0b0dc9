"""StackedColumnChart: counts per period (month or week) stacked by series, painted like the
配信状況 charts (same axis, grid, legend and colours; QPainter, no chart library — see
delivery_chart.py for why).

The values come from the Qt-free ``StackedChartModel`` (``build_stacked``), so a test reads
exactly what is drawn: every column's segments, its total and its tooltip.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QToolTip, QWidget

from app.ui.safe_text import tooltip_text
from app.ui.widgets.chart_model import AxisTick, count_axis
from app.ui.widgets.day_columns import AXIS_COLOR, GRID_COLOR, TEXT_COLOR
from app.ui.widgets.delivery_chart import HOVER_BAND, NO_DATA_COLOR

# Distinct, colour-blind-friendlier hues (Okabe–Ito order, then greys); cycled past the end.
SERIES_COLORS = (
    "#0072b2",
    "#e69f00",
    "#009e73",
    "#cc79a7",
    "#56b4e9",
    "#d55e00",
    "#f0e442",
    "#7b4fa0",
    "#999999",
    "#444444",
)


@dataclass(frozen=True, slots=True)
class StackedColumn:
    label: str  # the period, e.g. 2026-11 or 2026-11-30 (a Monday)
    values: tuple[int, ...]  # one per series, in series order

    @property
    def total(self) -> int:
        return sum(self.values)


@dataclass(frozen=True, slots=True)
class StackedChartModel:
    title: str
    series: tuple[str, ...]
    columns: tuple[StackedColumn, ...]
    ticks: tuple[AxisTick, ...]
    top: int  # the axis' top value

    @property
    def empty(self) -> bool:
        return not self.columns or all(column.total == 0 for column in self.columns)

    def tooltip(self, index: int) -> str:
        """Plain text: the period, its total and each non-zero series."""
        column = self.columns[index]
        lines = [f"{column.label}: 合計 {column.total:,} 件"]
        lines.extend(
            f"  {name}: {value:,} 件"
            for name, value in zip(self.series, column.values, strict=True)
            if value
        )
        return "\n".join(lines)


def build_stacked(
    title: str,
    buckets: Sequence[str],
    series: Mapping[str, Sequence[int]],
    *,
    drop_empty_series: bool = True,
) -> StackedChartModel:
    """A chart of ``series`` (name → one count per bucket); series with no count are left out
    of the legend unless ``drop_empty_series`` is False."""
    names = [name for name, values in series.items() if any(values) or not drop_empty_series]
    columns = tuple(
        StackedColumn(label, tuple(int(series[name][index]) for name in names))
        for index, label in enumerate(buckets)
    )
    largest = max((column.total for column in columns), default=0)
    top, step = count_axis(largest)
    ticks = tuple(AxisTick(value, value / top, f"{value:,}") for value in range(0, top + 1, step))
    return StackedChartModel(title, tuple(names), columns, ticks, top)


def series_color(index: int) -> QColor:
    return QColor(SERIES_COLORS[index % len(SERIES_COLORS)])


class StackedColumnChart(QWidget):
    """Paints a StackedChartModel; hover a column for its figures (plain-text tooltip)."""

    def __init__(self, empty_text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._model: StackedChartModel | None = None
        self._hover: int | None = None
        self._empty_text = empty_text
        self.setMouseTracking(True)
        self.setMinimumSize(320, 200)

    def set_model(self, model: StackedChartModel | None) -> None:
        self._model = model
        self._hover = None
        self.update()

    def model(self) -> StackedChartModel | None:
        return self._model

    def sizeHint(self) -> QSize:  # Qt override
        return QSize(640, 300)

    # -- layout shared by painting and hit-testing ----------------------------------------------

    def _legend_positions(self, metrics: QFontMetrics) -> list[tuple[float, float]]:
        positions: list[tuple[float, float]] = []
        x, y = 8.0, metrics.height() + 10.0  # below the title
        for name in self._model.series if self._model else ():
            width = 24 + metrics.horizontalAdvance(name) + 14
            if x > 8.0 and x + width - 14 > self.width() - 4:
                x, y = 8.0, y + metrics.height() + 4
            positions.append((x, y))
            x += width
        return positions

    def _plot(self, metrics: QFontMetrics) -> QRectF:
        positions = self._legend_positions(metrics)
        legend_bottom = (positions[-1][1] if positions else metrics.height()) + metrics.height()
        top = legend_bottom + 12
        left = 12 + metrics.horizontalAdvance(f"{self._model.top if self._model else 0:,}")
        bottom = self.height() - metrics.height() * 2 - 8
        return QRectF(left, top, max(10.0, self.width() - left - 12), max(10.0, bottom - top))

    def _column(self, plot: QRectF, index: int, count: int) -> tuple[float, float]:
        width = plot.width() / max(1, count)
        return plot.left() + width * (index + 0.5), width

    def column_at(self, x: float) -> int | None:
        model = self._model
        if model is None or model.empty:
            return None
        plot = self._plot(QFontMetrics(self.font()))
        if not plot.left() <= x <= plot.right():
            return None
        index = int((x - plot.left()) / (plot.width() / len(model.columns)))
        return min(index, len(model.columns) - 1)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # Qt override
        index = self.column_at(event.position().x())
        if index != self._hover:
            self._hover = index
            self.update()
        if index is None or self._model is None:
            QToolTip.hideText()
        else:
            QToolTip.showText(
                event.globalPosition().toPoint(), tooltip_text(self._model.tooltip(index)), self
            )

    def leaveEvent(self, event: object) -> None:  # Qt override
        if self._hover is not None:
            self._hover = None
            self.update()

    # -- painting -------------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:  # Qt override
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor("white"))
        model = self._model
        metrics = QFontMetrics(self.font())
        title_font = QFont(self.font())
        title_font.setBold(True)
        painter.setFont(title_font)
        painter.setPen(TEXT_COLOR)
        if model is not None:
            painter.drawText(QPointF(8, 4 + metrics.ascent()), model.title)
        painter.setFont(self.font())
        if model is None or model.empty:
            painter.setPen(NO_DATA_COLOR)
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self._empty_text)
            return
        plot = self._plot(metrics)
        self._paint_legend(painter, metrics)
        for tick in model.ticks:
            y = plot.bottom() - tick.fraction * plot.height()
            painter.setPen(QPen(GRID_COLOR, 1))
            painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            painter.setPen(AXIS_COLOR)
            painter.drawText(
                QRectF(0, y - metrics.height() / 2, plot.left() - 6, metrics.height()),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                tick.label,
            )
        count = len(model.columns)
        for index, column in enumerate(model.columns):
            center, width = self._column(plot, index, count)
            if index == self._hover:
                painter.fillRect(
                    QRectF(center - width / 2, plot.top(), width, plot.height()), HOVER_BAND
                )
            bar = max(2.0, min(36.0, width * 0.7))
            y = plot.bottom()
            for series_index, value in enumerate(column.values):
                height = value / model.top * plot.height()
                if height <= 0:
                    continue
                painter.fillRect(
                    QRectF(center - bar / 2, y - height, bar, max(1.0, height)),
                    series_color(series_index),
                )
                y -= height
        painter.setPen(QPen(AXIS_COLOR, 1))
        painter.drawLine(plot.bottomLeft(), plot.topLeft())
        painter.drawLine(plot.bottomLeft(), plot.bottomRight())
        self._paint_labels(painter, model, plot, metrics)

    def _paint_legend(self, painter: QPainter, metrics: QFontMetrics) -> None:
        assert self._model is not None
        for index, (name, (x, y)) in enumerate(
            zip(self._model.series, self._legend_positions(metrics), strict=True)
        ):
            painter.fillRect(QRectF(x + 3, y + 3, 12, metrics.height() - 6), series_color(index))
            painter.setPen(TEXT_COLOR)
            painter.drawText(QPointF(x + 22, y + metrics.ascent()), name)

    def labelled_columns(self) -> list[int]:
        """The columns whose period label is drawn at the widget's current size."""
        model = self._model
        if model is None or not model.columns:
            return []
        metrics = QFontMetrics(self.font())
        plot = self._plot(metrics)
        return list(_labelled(len(model.columns), _widest_label(model, metrics), plot.width()))

    def _paint_labels(
        self, painter: QPainter, model: StackedChartModel, plot: QRectF, metrics: QFontMetrics
    ) -> None:
        """Period labels under the axis, thinned so they never overlap."""
        count = len(model.columns)
        widest = _widest_label(model, metrics)
        painter.setPen(AXIS_COLOR)
        for index in _labelled(count, widest, plot.width()):
            center, _ = self._column(plot, index, count)
            label = model.columns[index].label
            painter.drawText(
                QRectF(center - widest / 2, plot.bottom() + 4, widest, metrics.height()),
                Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
                label,
            )


def _widest_label(model: StackedChartModel, metrics: QFontMetrics) -> float:
    return max(metrics.horizontalAdvance(column.label) for column in model.columns) + 8


def _labelled(count: int, widest: float, plot_width: float) -> range:
    """Every how-many-th column gets its label, counted back from the newest: the current
    month (or week) is the one the operator came to see. Counted from the oldest, 12 months
    on a narrow chart labelled 2026-01, 2026-03 … 2026-11, and the newest bar — the only one
    on a first day — stood unlabelled to the right of 2026-11, read as November."""
    every = max(1, int(widest // max(1.0, plot_width / count)) + 1)
    return range(count - 1, -1, -every)
