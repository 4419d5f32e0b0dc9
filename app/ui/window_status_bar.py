"""WindowStatusBar: the grid's counts per list and category on the left, AI refinement's
progress or note and its キャンセル button on the right."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QStatusBar, QToolButton, QWidget

from app.core.types import ALL_LISTS, ListKind
from app.ui import texts
from app.ui.safe_text import plain_label, tooltip_text
from app.ui.widgets.eliding_label import ElidingLabel

if TYPE_CHECKING:  # the grid model loads after the first paint
    from app.ui.models.entry_table import EntryTableModel

TOP_CATEGORIES = 4


class WindowStatusBar(QStatusBar):
    """The main window's status bar (short notes still go through ``showMessage``)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # Counts of five lists and four categories, beside the AI note, came to ~1,300 px and
        # widened the window past a 1280 px screen: cut short instead, between two counts and
        # with "…" (never mid-number); the tooltip has it all.
        self.counts_label = ElidingLabel("　")
        self.addWidget(self.counts_label, 1)
        # AI refinement runs beside everything else: its progress and note live on the right.
        self.ai_label = plain_label()
        self.ai_cancel_button = QToolButton()
        self.ai_cancel_button.setText(texts.CANCEL)
        self.ai_cancel_button.setToolTip(texts.LLM_CANCEL_TIP)
        self.ai_cancel_button.setVisible(False)
        self.addPermanentWidget(self.ai_label)
        self.addPermanentWidget(self.ai_cancel_button)
        self._lists: tuple[ListKind, ...] = ALL_LISTS

    def set_available_lists(self, kinds: tuple[ListKind, ...]) -> None:
        """The lists the account's provider has (CMC: no 無効アドレス etc.): the others are not
        counted as 0, which read as if they had been checked and found empty."""
        self._lists = tuple(kinds)

    def show_counts(self, model: EntryTableModel) -> None:
        """Rows per list, then the most common categories."""
        counts_by_list = model.counts_by_list
        per_list = "　".join(
            f"{kind.label_ja} {counts_by_list.get(kind, 0):,}"
            for kind in ALL_LISTS
            if kind in self._lists or counts_by_list.get(kind, 0)  # rows still shown count
        )
        top = model.counts_by_category.most_common(TOP_CATEGORIES)
        per_category = "　".join(f"{model.category_label(n)} {c:,}" for n, c in top)
        counts = per_list + (f"　｜　{per_category}" if per_category else "")
        self.counts_label.setText(counts)
        self.counts_label.setToolTip(tooltip_text(counts))
