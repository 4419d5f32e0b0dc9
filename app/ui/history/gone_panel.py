"""GonePanel: the 他所で削除 rows of the fetched range (a full pass no longer saw them and Todoku
did not delete them), with the date each was noticed. Hidden while there are none.

Apart from the grid on purpose: these addresses are no longer on the list, so they must not be
checked, deleted or exported with the rows that are.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from app.core.dates import JST
from app.ui.history import texts
from app.ui.safe_text import plain_label
from app.ui.widgets.tint import TintedFrame

if TYPE_CHECKING:
    from app.ui.history.fetch_work import GoneRow

SHOWN_ROWS = 3  # rows visible without scrolling
MAX_SHOWN = 500  # a full pass rarely finds more; the count says how many there are


class GonePanel(TintedFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("gonePanel", "#f3f0fa", "#b8a9d9", parent)
        self.title = plain_label("")
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(list(texts.GONE_HEADERS))
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        for column, width in enumerate((100, 260, 90)):
            self.tree.setColumnWidth(column, width)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addWidget(self.title)
        layout.addWidget(self.tree)
        self.rows: tuple[GoneRow, ...] = ()
        self.setVisible(False)

    def set_rows(self, rows: Sequence[GoneRow]) -> None:
        self.rows = tuple(rows)
        self.tree.clear()
        self.title.setText(texts.GONE_TITLE.format(count=len(self.rows)))
        items = []
        for row in self.rows[:MAX_SHOWN]:
            noticed = row.noticed_at.astimezone(JST).strftime("%Y-%m-%d %H:%M")
            items.append(
                QTreeWidgetItem([row.list_kind.label_ja, row.email, row.label_ja, noticed])
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
        self.tree.setFixedHeight(header + frame + row_height * min(len(items), SHOWN_ROWS) + 2)
        self.setVisible(bool(self.rows))
