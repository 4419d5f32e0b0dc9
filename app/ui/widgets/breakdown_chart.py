"""BreakdownChart: horizontal bars of fetched entries by cause category and by domain group.

Painted with QPainter for the reasons given in delivery_chart.py (no chart dependency); the
values come from the Qt-free ``BreakdownChartModel`` built by ``build_breakdown``.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QMouseEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import QToolTip, QWidget

from app.ui.safe_text import tooltip_text
from app.ui.widgets.chart_model import BreakdownChartModel, BreakdownRow

SECTION_COLORS = (QColor("#3b7dd8"), QColor("#2a9d8f"))
TRACK_COLOR = QColor("#f0f0f0")
TEXT_COLOR = QColor("#222222")
MUTED_COLOR = QColor("#666666")
EMPTY_TEXT = "リストを取得すると、原因と受信ドメインの内訳がここに表示されます"
TITLE = "取得したリストの内訳（件数）"
_ROW_GAP = 6
_SECTION_GAP = 14


class BreakdownChart(QWidget):
    """Paints a BreakdownChartModel; hover a bar for its count and share (plain tooltip)."""

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        title: str = TITLE,
        empty_text: str = EMPTY_TEXT,
    ) -> None:
        super().__init__(parent)
        self._title = title
        self._empty_text = empty_text
        self._model: BreakdownChartModel | None = None
        self.setMouseTracking(True)
        self.setMinimumSize(300, 220)

    def set_model(self, model: BreakdownChartModel | None) -> None:
        self._model = model
        self.updateGeometry()
        self.update()

    def model(self) -> BreakdownChartModel | None:
        return self._model

    def sizeHint(self) -> QSize:  # Qt override
        rows = sum(len(s.rows) + 1 for s in self._model.sections) if self._model else 8
        line = QFontMetrics(self.font()).height()
        return QSize(420, 40 + rows * (line + _ROW_GAP) + 2 * _SECTION_GAP)

    # -- layout shared by painting and hit-testing ----------------------------------------------

    def _rows(self) -> list[tuple[QRectF, BreakdownRow, int, str]]:
        """(row rect, row, section index, section title) for every row, top to bottom. Each
        section's title is painted one line above its first row."""
        result: list[tuple[QRectF, BreakdownRow, int, str]] = []
        if self._model is None:
            return result
        line = QFontMetrics(self.font()).height()
        y = line + 16.0  # below the chart title
        for section_index, section in enumerate(self._model.sections):
            y += line + _ROW_GAP  # the section title
            for row in section.rows:
                result.append(
                    (QRectF(0, y, self.width(), line + 2), row, section_index, section.title)
                )
                y += line + _ROW_GAP
            y += _SECTION_GAP
        return result

    def tooltip_at(self, x: float, y: float) -> str:
        for rect, row, _, _ in self._rows():
            if rect.contains(QPointF(x, y)):
                return row.tooltip
        return ""

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # Qt override
        text = self.tooltip_at(event.position().x(), event.position().y())
        if text:
            QToolTip.showText(event.globalPosition().toPoint(), tooltip_text(text), self)
        else:
            QToolTip.hideText()
        super().mouseMoveEvent(event)

    # -- painting --------------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:  # Qt override
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor("white"))
        metrics = QFontMetrics(self.font())
        bold = QFont(self.font())
        bold.setBold(True)
        painter.setFont(bold)
        painter.setPen(TEXT_COLOR)
        painter.drawText(QPointF(8, 6 + metrics.ascent()), self._title)
        model = self._model
        if model is None or model.empty:
            painter.setFont(self.font())
            painter.setPen(MUTED_COLOR)
            painter.drawText(
                self.rect().adjusted(12, 0, -12, 0),
                Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                self._empty_text,
            )
            return
        rows = self._rows()
        labels = [row.label for _, row, _, _ in rows]
        label_width = max(metrics.horizontalAdvance(text) for text in labels) + 28
        value_width = metrics.horizontalAdvance("999,999 件（100.0%）") + 12
        bar_left = label_width
        bar_width = max(30.0, self.width() - bar_left - value_width)
        shown_titles: set[int] = set()
        for rect, row, section_index, title in rows:
            if section_index not in shown_titles:
                shown_titles.add(section_index)
                painter.setFont(bold)
                painter.setPen(TEXT_COLOR)
                total = model.sections[section_index].total
                painter.drawText(
                    QPointF(8, rect.top() - _ROW_GAP - metrics.descent()),
                    f"{title}（全 {total:,} 件）",
                )
                painter.setFont(self.font())
            text_rect = QRectF(8, rect.top(), label_width - 16, rect.height())
            painter.setPen(TEXT_COLOR)
            painter.drawText(
                text_rect, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, row.label
            )
            track = QRectF(bar_left, rect.top() + 2, bar_width, rect.height() - 4)
            painter.fillRect(track, TRACK_COLOR)
            filled = QRectF(
                track.left(), track.top(), max(2.0, bar_width * row.fraction), track.height()
            )
            painter.fillRect(filled, SECTION_COLORS[section_index % len(SECTION_COLORS)])
            painter.setPen(MUTED_COLOR)
            painter.drawText(
                QRectF(track.right() + 8, rect.top(), value_width, rect.height()),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                f"{row.count:,} 件（{row.share_text}）",
            )
