"""GonePanel: the 他所で削除 rows of the fetched range (a full pass no longer saw them and Todoku
did not delete them), with the date each was noticed. Hidden while there are none.

Apart from the grid on purpose: these addresses are no longer on the list, so they must not be
checked, deleted or exported with the rows that are. Compact (a short window, see
``widgets/compact_strips``), only its title line shows, with 一覧 ▸ for the addresses.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QHBoxLayout,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core.dates import JST
from app.ui.history import texts
from app.ui.safe_text import address_line, plain_label
from app.ui.widgets.compact_strips import CompactStrip

if TYPE_CHECKING:
    from app.ui.history.fetch_work import GoneRow

SHOWN_ROWS = 3  # rows visible without scrolling
MAX_SHOWN = 500  # a full pass rarely finds more; the count says how many there are


class GonePanel(CompactStrip):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("gonePanel", "#f3f0fa", "#b8a9d9", (8, 4, 8, 4), parent)
        self.title = plain_label("")
        self.rows_button = QToolButton()  # compact only: shows the addresses
        self.rows_button.setText(texts.GONE_ROWS_SHOW)
        self.rows_button.setAutoRaise(True)
        self.rows_button.setCheckable(True)
        self.rows_button.setVisible(False)
        self.rows_button.toggled.connect(self._on_rows_button_toggled)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(list(texts.GONE_HEADERS))
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        for column, width in enumerate((100, 260, 90)):
            self.tree.setColumnWidth(column, width)
        title_row = QHBoxLayout()
        title_row.addWidget(self.title, 1)
        title_row.addWidget(self.rows_button)
        layout = QVBoxLayout(self)
        self.set_margins(layout)
        layout.addLayout(title_row)
        layout.addWidget(self.tree)
        self.rows: tuple[GoneRow, ...] = ()
        self._tree_heights = (0, 0)  # its least and its usual height
        self.setVisible(False)

    def set_rows(self, rows: Sequence[GoneRow]) -> None:
        self.rows = tuple(rows)
        self.tree.clear()
        self.title.setText(texts.GONE_TITLE.format(count=len(self.rows)))
        items = []
        for row in self.rows[:MAX_SHOWN]:
            noticed = row.noticed_at.astimezone(JST).strftime("%Y-%m-%d %H:%M")
            items.append(
                QTreeWidgetItem(
                    [row.list_kind.label_ja, address_line(row.email), row.label_ja, noticed]
                )
            )
        if len(self.rows) > MAX_SHOWN:
            items.append(
                QTreeWidgetItem(["", texts.GONE_MORE.format(count=len(self.rows) - MAX_SHOWN)])
            )
        self.tree.addTopLevelItems(items)
        # As tall as its rows, up to SHOWN_ROWS (then it scrolls): the grid keeps the room.
        row_height = self.tree.sizeHintForRow(0) if items else 0
        header = self.tree.header().sizeHint().height()
        frame = self.tree.frameWidth() * 2
        self._tree_heights = (
            header + frame + row_height * min(len(items), 1) + 2,
            header + frame + row_height * min(len(items), SHOWN_ROWS) + 2,
        )
        self._size_tree()
        self.setVisible(bool(self.rows))
        self.content_changed.emit()

    def set_compact(self, compact: bool) -> None:
        super().set_compact(compact)
        self.rows_button.setVisible(compact)
        self._on_rows_button_toggled(self.rows_button.isChecked())
        self._size_tree()

    def _size_tree(self) -> None:
        """As tall as SHOWN_ROWS rows; compact, it may give way down to one (it scrolls)
        rather than push the window past a short screen."""
        one_row, shown_rows = self._tree_heights
        self.tree.setMinimumHeight(one_row if self.compact else shown_rows)
        self.tree.setMaximumHeight(shown_rows)

    @Slot(bool)
    def _on_rows_button_toggled(self, shown: bool) -> None:
        self.tree.setVisible(shown or not self.compact)
        self.rows_button.setText(texts.GONE_ROWS_HIDE if shown else texts.GONE_ROWS_SHOW)
