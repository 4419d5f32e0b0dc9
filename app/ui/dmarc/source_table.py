"""The per-source table: a model over ``SourceView`` rows and a delegate that paints the
verdict as a coloured badge.

Usually a few hundred rows, but one report of legitimate shape may name 160,000 sources: a
row's texts are therefore made when the view first asks for them (the rows on screen), not
all at once when the result arrives: that took seconds on the GUI thread, a frozen window.
For the same reason the model sorts itself, one key per row and one Python sort, instead of
leaving it to a sort proxy: the proxy asks data() twice per comparison, and at 160,000 rows a
click on a header froze the window for half a minute."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QRectF, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from app.core.dmarc.analysis import SourceView
from app.ui.dmarc import texts
from app.ui.dmarc.presentation import VERDICT_COLOURS, cell_texts, details_text, sort_key
from app.ui.safe_text import single_line, tooltip_text

SOURCE_ROLE = Qt.ItemDataRole.UserRole + 1
VERDICT_COLUMN = 0
_NUMERIC_COLUMNS = (4,)

ModelIndex = QModelIndex | QPersistentModelIndex


class SourceTableModel(QAbstractTableModel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._sources: tuple[SourceView, ...] = ()  # the core's order: failing first
        self._view: list[int] = []  # indices into _sources, in the order shown
        self._cells: list[tuple[str, ...] | None] = []  # per source, made on the first ask
        self._keys: dict[int, list[Any]] = {}  # per column, one sort key per source
        self._sort: tuple[int, Qt.SortOrder] = (-1, Qt.SortOrder.AscendingOrder)

    def set_sources(self, sources: Sequence[SourceView]) -> None:
        self.beginResetModel()
        self._sources = tuple(sources)
        self._cells = [None] * len(self._sources)
        self._keys = {}
        self._view = self._ordered(*self._sort)  # a new import keeps the header's sort
        self.endResetModel()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Rows by ``column`` (stable: equal values keep the core's order); a column of -1
        restores the core's order. The selection follows its rows."""
        self._sort = (column, order)
        order_now = self._ordered(column, order)
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        held = [self._view[index.row()] for index in persistent]
        self._view = order_now
        if persistent:
            row_of = {source: row for row, source in enumerate(order_now)}
            self.changePersistentIndexList(
                persistent,
                [
                    self.index(row_of[source], index.column())
                    for source, index in zip(held, persistent, strict=True)
                ],
            )
        self.layoutChanged.emit()

    def _ordered(self, column: int, order: Qt.SortOrder) -> list[int]:
        if column < 0 or column >= len(texts.COLUMN_TITLES):
            return list(range(len(self._sources)))
        keys = self._keys.get(column)
        if keys is None:
            keys = self._keys[column] = [sort_key(source, column) for source in self._sources]
        descending = order == Qt.SortOrder.DescendingOrder
        return sorted(range(len(keys)), key=keys.__getitem__, reverse=descending)

    def _row_cells(self, row: int) -> tuple[str, ...]:
        at = self._view[row]
        cells = self._cells[at]
        if cells is None:
            cells = self._cells[at] = tuple(
                single_line(text) for text in cell_texts(self._sources[at])
            )
        return cells

    def source(self, row: int) -> SourceView:
        return self._sources[self._view[row]]

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008 (Qt API)
        return 0 if parent.isValid() else len(self._sources)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008 (Qt API)
        return 0 if parent.isValid() else len(texts.COLUMN_TITLES)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return texts.COLUMN_TITLES[section]
        return None

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, column = index.row(), index.column()
        source = self._sources[self._view[row]]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._row_cells(row)[column]
        if role == Qt.ItemDataRole.ToolTipRole:
            # Tooltips are rich text in Qt: report content is escaped (safe_text).
            return tooltip_text(
                details_text(source) if column == VERDICT_COLUMN else cell_texts(source)[column]
            )
        if role == Qt.ItemDataRole.TextAlignmentRole and column in _NUMERIC_COLUMNS:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == SOURCE_ROLE:
            return source
        return None


class VerdictBadgeDelegate(QStyledItemDelegate):
    """The verdict cell as a rounded badge in the verdict's colours (text painted as text)."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: ModelIndex) -> None:
        source = index.data(SOURCE_ROLE)
        if not isinstance(source, SourceView):
            super().paint(painter, option, index)
            return
        background, foreground = VERDICT_COLOURS[source.verdict]
        painter.save()
        if option.state & QStyle.StateFlag.State_Selected:
            painter.fillRect(option.rect, option.palette.highlight())
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRectF(option.rect).adjusted(3, 3, -3, -3)
        painter.setPen(QColor(foreground))
        painter.setBrush(QColor(background))
        painter.drawRoundedRect(rect, 6, 6)
        text = option.fontMetrics.elidedText(
            str(index.data()), Qt.TextElideMode.ElideRight, int(rect.width()) - 12
        )
        painter.drawText(rect.adjusted(6, 0, -6, 0), Qt.AlignmentFlag.AlignVCenter, text)
        painter.restore()
