"""ListPage (一覧 tab): filters, delete bar, the grid and the details pane.

Sorting and filtering run inside the model (docs/ui.md); this page only turns widget events into
model calls and shows the current row's details as plain text.

The grid itself (QTableView, its header and the model's first Python calls) is built just after
the window's first paint (``ensure_grid``): until then an empty framed area of the same look holds
its place. Everything that reaches the table builds it first, so nothing waits for that pass.
``Qt`` (the namespace) is imported only inside the methods that need it: importing it builds
~95 enum classes (~11 ms), which the first paint does not need.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelection, QModelIndex, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QApplication,
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.core.types import ALL_LISTS, ListKind, SuppressionEntry
from app.ui import texts
from app.ui.fetch.delete_bar import DeleteBar
from app.ui.models.entry_columns import effect_summary
from app.ui.models.entry_table import Column, EntryTableModel
from app.ui.safe_text import plain_label, shown, spreadsheet_clipboard_cell, text_head
from app.ui.widgets.grid_first_splitter import GridFirstSplitter
from app.ui.widgets.side_scroller import SideScroller

if TYPE_CHECKING:
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QTableView

WAIT_CURSOR_ROWS = 100_000
FILTER_DELAY_MS = 250
MAX_DOMAINS_IN_FILTER = 200
# Every column, 対応, 削除すると and 分類 included, fits the grid of a 1280-px-wide window (1240 px
# of viewport; the last one stretches); the operator's widths are remembered. 削除すると got its
# 130 px mostly from 理由 (the server's raw, usually English reply: cut short at any width, whole
# in its tooltip and the details pane) and a little from 原因 (tooltip), 対応, address and domain.
DEFAULT_WIDTHS = {
    Column.CHECK: 28,
    Column.KIND: 100,  # 迷惑メール報告, the longest list name, whole
    Column.EMAIL: 156,
    Column.DOMAIN: 90,
    Column.CREATED: 118,
    Column.STATUS: 72,  # its title ステータス is 5 characters; the codes (5.1.1) are shorter
    Column.REASON: 84,  # the whole reason is in the details pane
    Column.CAUSE: 144,  # 原因 and 対応 are whole in the details pane
    Column.ACTION: 142,
    Column.CATEGORY: 108,
    Column.HISTORY: 64,  # 新着 / 再発 n: short words
    Column.DELETE_EFFECT: 130,  # the longest label (変化なし（ブロック）) is 10 characters
}
# The details pane never shrinks below this many lines (it scrolls for the rest); on a short
# window the grid keeps GRID_ROWS_WANTED rows first, then the details get back up to
# DETAILS_HEIGHT_WANTED (原因 and 対応 of a typical row without scrolling): GridFirstSplitter.
DETAILS_MIN_LINES = 4
DETAILS_HEIGHT_WANTED = 150
GRID_ROWS_WANTED = 5
# The most characters of one field (reason, status, address, 原因, 対応) the details pane lays
# out. QPlainTextEdit wraps an unbroken line glyph by glyph, in time that grows faster than its
# length: 10,000 characters take ~30 ms, a 1 MB reason blocked the window 18 s (minutes in a
# narrow pane). Real reasons are a few hundred characters; the rest goes to the clipboard whole.
DETAILS_FIELD_LIMIT = 5_000
# Qt enum values set through Qt properties, so building the page needs no ``Qt`` import.
_VERTICAL = 2  # Qt::Vertical
_TOOL_BUTTON_TEXT_ONLY = 1  # Qt::ToolButtonTextOnly


class ListPage(QWidget):
    """The grid and everything that works on it directly.

    Signals:
        filters_applied: the visible rows changed because a filter changed.
        status_message: str, a short note for the status bar (e.g. rows copied).
        grid_built: the table now exists (``table``); its header may be restored.
        highlight_changed: the highlighted (selected) rows changed (``highlighted_count``).
    """

    filters_applied = Signal()
    status_message = Signal(str)
    grid_built = Signal()
    highlight_changed = Signal()

    def __init__(self, model: EntryTableModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self._table: QTableView | None = None
        # Lines another feature adds under the details (e.g. the Zendesk ticket link).
        self.details_footer: Callable[[SuppressionEntry], str] | None = None
        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText(texts.FILTER_PLACEHOLDER)
        self.filter_edit.setClearButtonEnabled(True)
        self.list_filter = QComboBox()
        self.category_filter = QComboBox()
        self.domain_filter = QComboBox()
        self.domain_filter.setMinimumWidth(160)
        self.mark_filter = QComboBox()  # 履歴: 新着 / 再発 (marks from the fetch history)
        for label, mark in texts.MARK_FILTERS:
            self.mark_filter.addItem(label, mark)
        self.shown_label = plain_label(texts.COUNTS_NONE)
        # The window gives it its 書き出し action (shared with the menu and Ctrl+E).
        self.export_button = QToolButton()
        self.export_button.setProperty("toolButtonStyle", _TOOL_BUTTON_TEXT_ONLY)
        self.delete_bar = DeleteBar()
        # The table's context-menu actions: made now (the window enables them from the start),
        # added to the table when it is built.
        self.copy_action = QAction(texts.ACTION_COPY, self)
        self.copy_action.triggered.connect(self.copy_selection)
        self.check_all_action = QAction(texts.ACTION_CHECK_SHOWN, self)
        self.check_all_action.triggered.connect(self.check_all_shown)
        self.uncheck_all_action = QAction(texts.ACTION_UNCHECK_ALL, self)
        self.uncheck_all_action.triggered.connect(self.uncheck_all)
        self.toggle_check_action = QAction(texts.ACTION_TOGGLE_CHECK, self)
        self.toggle_check_action.triggered.connect(self.toggle_highlighted_checks)
        self.delete_action = QAction(texts.DELETE_CHECKED, self)
        self.delete_action.triggered.connect(self.delete_bar.delete_requested)
        # Until the grid is built: a scroll area's frame and white viewport, as the empty
        # table's own (its header row appears with it, a pass after the first paint).
        self._grid_placeholder: QWidget | None = QAbstractScrollArea()
        self.details = QPlainTextEdit()  # plain text only: reasons are untrusted
        self.details.setReadOnly(True)
        self.details.setPlaceholderText(texts.DETAILS_EMPTY)
        self.splitter = GridFirstSplitter(self._grid_height_wanted, DETAILS_HEIGHT_WANTED)
        self.splitter.setProperty("orientation", _VERTICAL)
        self.splitter.addWidget(self._grid_placeholder)
        self.splitter.addWidget(self.details)
        lines = self.details.fontMetrics().lineSpacing() * DETAILS_MIN_LINES
        frame = 2 * self.details.frameWidth() + 2 * round(self.details.document().documentMargin())
        self.details.setMinimumHeight(lines + frame)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([380, 250])

        filters = QHBoxLayout()
        filters.addWidget(self.filter_edit, 3)
        filters.addWidget(self.list_filter, 1)
        filters.addWidget(self.category_filter, 1)
        filters.addWidget(self.domain_filter, 1)
        filters.addWidget(self.mark_filter)
        filters.addWidget(self.shown_label)
        filters.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 6, 4, 4)
        layout.addLayout(filters)
        # Scrolls sideways on a narrow screen rather than widen the window past it.
        layout.addWidget(SideScroller(self.delete_bar))
        layout.addWidget(self.splitter, 1)
        self._reset_filter_choices()

        self._filter_timer = QTimer(self)
        self._filter_timer.setSingleShot(True)
        self._filter_timer.setInterval(FILTER_DELAY_MS)
        self._filter_timer.timeout.connect(self._apply_text_filter)
        self.filter_edit.textChanged.connect(self._filter_timer.start)
        self.list_filter.activated.connect(self._on_filter_combo_activated)
        self.category_filter.activated.connect(self._on_filter_combo_activated)
        self.domain_filter.activated.connect(self._on_filter_combo_activated)
        self.mark_filter.activated.connect(self._on_filter_combo_activated)
        self.delete_bar.check_shown_requested.connect(self.check_all_shown)
        self.delete_bar.uncheck_all_requested.connect(self.uncheck_all)

    # -- the grid, built after the first paint -----------------------------------------------

    @property
    def table(self) -> QTableView:
        """The grid (built now if the post-paint build has not run yet)."""
        return self.ensure_grid()

    def _grid_height_wanted(self) -> int:
        """Header and GRID_ROWS_WANTED rows of the grid, with its frame and scroll bar."""
        table = self._table
        if table is None:
            return 0  # the placeholder: the grid's own pass sets the sizes
        header = table.horizontalHeader().sizeHint().height()
        rows = table.verticalHeader().defaultSectionSize() * GRID_ROWS_WANTED
        scroll_bar = table.horizontalScrollBar().sizeHint().height()
        return header + rows + scroll_bar + 2 * table.frameWidth()

    @property
    def has_grid(self) -> bool:
        return self._table is not None

    @Slot()
    def ensure_grid(self) -> QTableView:
        """Build the table in the placeholder's place, once; returns it."""
        if self._table is None:
            table = self._build_table()
            self._table = table
            placeholder, self._grid_placeholder = self._grid_placeholder, None
            if placeholder is not None:
                sizes = self.splitter.sizes()
                self.splitter.replaceWidget(0, table)
                self.splitter.setSizes(sizes)  # as laid out (or restored) for the placeholder
                self.splitter.share_room()
                placeholder.deleteLater()
            header = table.horizontalHeader()
            header.sortIndicatorChanged.connect(self._on_header_sort_changed)
            table.selectionModel().currentRowChanged.connect(self._on_table_current_changed)
            table.selectionModel().selectionChanged.connect(self._on_table_selection_changed)
            # Built after the window: Tab reaches the grid after the bar above it (not last),
            # and the details under it after the grid.
            QWidget.setTabOrder(self.delete_bar.delete_button, table)
            QWidget.setTabOrder(table, self.details)
            self.grid_built.emit()
        return self._table

    def _build_table(self) -> QTableView:
        from PySide6.QtCore import Qt
        from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

        table = QTableView()
        table.setModel(self.model)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        table.setWordWrap(False)
        # Tab leaves the grid (the arrow keys move between cells): no keyboard trap.
        table.setTabKeyNavigation(False)
        table.setAlternatingRowColors(True)
        table.setTextElideMode(Qt.TextElideMode.ElideRight)
        table.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        vertical = table.verticalHeader()
        vertical.setVisible(False)
        # Fixed row height: Qt never measures a million rows.
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vertical.setDefaultSectionSize(table.fontMetrics().height() + 8)
        header = table.horizontalHeader()
        header.setSectionsClickable(True)
        header.setSortIndicatorShown(True)
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.setHighlightSections(False)
        for column, width in DEFAULT_WIDTHS.items():
            header.resizeSection(column, width)
        # 履歴 is the last column of the model (saved headers stay valid) but is read first.
        header.moveSection(header.visualIndex(Column.HISTORY), 1)
        # 削除すると is read right after 対応 (both answer "what do I do"); 分類 stays last.
        header.moveSection(
            header.visualIndex(Column.DELETE_EFFECT), header.visualIndex(Column.CATEGORY)
        )
        # (QAction.setShortcut imports ``Qt``: one more reason to wait for the table.)
        self.copy_action.setShortcut(QKeySequence.StandardKey.Copy)
        self.copy_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        # Space ticks the highlighted rows: the bridge from "selected" to "checked".
        self.toggle_check_action.setShortcut(QKeySequence("Space"))
        self.toggle_check_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        table.addActions(
            [
                self.copy_action,
                self.toggle_check_action,
                self.check_all_action,
                self.uncheck_all_action,
                self.delete_action,
            ]
        )
        table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        return table

    @Slot()
    def check_all_shown(self) -> None:
        self.model.set_checked_visible(True)

    @Slot()
    def uncheck_all(self) -> None:
        self.model.set_checked_visible(False)

    @property
    def highlighted_count(self) -> int:
        if self._table is None:
            return 0
        return len(self._table.selectionModel().selectedRows())

    @Slot()
    def toggle_highlighted_checks(self) -> None:
        """Tick the highlighted rows (or untick them when all are ticked already)."""
        from PySide6.QtCore import Qt

        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        if not rows:
            return
        model, role = self.model, Qt.ItemDataRole.CheckStateRole
        indexes = [model.index(row, Column.CHECK) for row in rows]
        all_checked = all(i.data(role) == Qt.CheckState.Checked for i in indexes)
        state = Qt.CheckState.Unchecked if all_checked else Qt.CheckState.Checked
        for index in indexes:
            model.setData(index, state, role)

    @Slot()
    def copy_selection(self) -> None:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        if not rows:
            return
        titles = [texts.COLUMN_TITLES[column] for column in Column if column != Column.CHECK]
        lines = ["\t".join(titles)]
        lines.extend(
            "\t".join(spreadsheet_clipboard_cell(cell) for cell in self.model.row_text(row))
            for row in rows
        )
        QGuiApplication.clipboard().setText("\r\n".join(lines) + "\r\n")
        self.status_message.emit(texts.COPIED.format(rows=len(rows)))

    def _busy_cursor_if_large(self) -> bool:
        if self.model.total < WAIT_CURSOR_ROWS:
            return False
        from PySide6.QtCore import Qt

        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        return True

    @Slot(int, "Qt::SortOrder")  # by name: no ``Qt`` import when the class is made
    def _on_header_sort_changed(self, column: int, order: Qt.SortOrder) -> None:
        if column < 0:
            return
        busy = self._busy_cursor_if_large()
        try:
            self.model.sort(column, order)
        finally:
            if busy:
                QApplication.restoreOverrideCursor()

    @Slot()
    def _apply_text_filter(self) -> None:
        self._apply_filters()

    @Slot(int)
    def _on_filter_combo_activated(self, _: int) -> None:
        self._apply_filters()

    def _apply_filters(self) -> None:
        busy = self._busy_cursor_if_large()
        try:
            # QComboBox hands a StrEnum back as a plain str: turn it into a ListKind again.
            kind = self.list_filter.currentData()
            self.model.set_filters(
                text=self.filter_edit.text(),
                list_kind=ListKind(kind) if kind else None,
                category=self.category_filter.currentData() or "",
                domain=self.domain_filter.currentData() or "",
                mark=self.mark_filter.currentData() or "",
            )
        finally:
            if busy:
                QApplication.restoreOverrideCursor()
        self.filters_applied.emit()

    def _reset_filter_choices(self) -> None:
        self.list_filter.clear()
        self.list_filter.addItem(texts.ALL_LISTS, None)
        for kind in ALL_LISTS:
            self.list_filter.addItem(kind.label_ja, kind)
        self._fill_combo(self.category_filter, texts.ALL_CATEGORIES, [])
        self._fill_combo(self.domain_filter, texts.ALL_DOMAINS, [])

    def _fill_combo(self, combo: QComboBox, all_text: str, items: list[tuple[str, str]]) -> None:
        current = combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(all_text, "")
        for label, value in items:
            combo.addItem(label, value)
        position = combo.findData(current) if current else 0
        combo.setCurrentIndex(max(0, position))
        combo.blockSignals(False)

    def refresh_filter_choices(self) -> None:
        categories = sorted(self.model.counts_by_category.items(), key=lambda item: -item[1])
        self._fill_combo(
            self.category_filter,
            texts.ALL_CATEGORIES,
            [(f"{self.model.category_label(n)} ({count:,})", n) for n, count in categories],
        )
        domains = self.model.counts_by_domain.most_common(MAX_DOMAINS_IN_FILTER)
        self._fill_combo(
            self.domain_filter,
            texts.ALL_DOMAINS,
            [(f"{name} ({count:,})", name) for name, count in domains],
        )

    def filter_description(self) -> str:
        """The filters in force, in Japanese (for the export's 条件 sheet); "" when none."""
        parts = []
        text = self.filter_edit.text().strip()
        if text:
            parts.append(texts.FILTER_TEXT.format(text=text))
        for combo, template in (
            (self.list_filter, texts.FILTER_LIST),
            (self.category_filter, texts.FILTER_CATEGORY),
            (self.domain_filter, texts.FILTER_DOMAIN),
            (self.mark_filter, texts.FILTER_MARK),
        ):
            if combo.currentData():
                label = combo.currentText().rsplit(" (", 1)[0]  # without the "(count)" suffix
                parts.append(template.format(label=label))
        return texts.FILTER_JOIN.join(parts)

    def show_counts(self, shown: int, total: int) -> None:
        """表示中 n / 全 m 件; when the filters hide every fetched row, the empty details pane
        says so and how to get the rows back."""
        self.shown_label.setText(texts.COUNTS.format(shown=shown, total=total))
        hidden_all = total > 0 and shown == 0
        self.details.setPlaceholderText(
            texts.DETAILS_ALL_FILTERED.format(total=total) if hidden_all else texts.DETAILS_EMPTY
        )

    def refresh_details(self) -> None:
        """Show the current row again (its explanation may have been refined)."""
        self._on_table_current_changed(self.table.currentIndex(), QModelIndex())

    @Slot(QModelIndex, QModelIndex)
    def _on_table_current_changed(self, current: QModelIndex, _: QModelIndex) -> None:
        if not current.isValid():
            self.details.clear()
            return
        entry = self.model.entry_at(current.row())
        explanation = self.model.explanation_at(current.row())
        source = ""
        if explanation is not None:
            source = texts.SOURCE_LLM if explanation.source == "llm" else texts.SOURCE_RULES
        # From the fetch history: 新着, and the 再発 line (how often, the last return).
        mark, note = self.model.mark_at(current.row()), self.model.note_at(current.row())
        parts = [part for part in mark.split("・") if part and not (note and "再発" in part)]
        history = " / ".join([*parts, note] if note else parts)
        history = f"■ {texts.DETAILS_HISTORY}: {history}\n" if history else ""
        # Every part may quote a server or an LLM (the category's words too): bidi controls
        # are written out (⟨U+202E⟩) so none reorders what the operator reads.
        self.details.setPlainText(
            shown(
                history
                + texts.DETAILS_TEMPLATE.format(
                    email=_head(entry.email),
                    kind=entry.list_kind.label_ja,
                    created=texts.format_jst(entry.created),
                    status=_head(entry.status) or "—",
                    reason_heading=_reason_heading(entry.list_kind),
                    reason=_head(entry.reason) or _no_reason(entry.list_kind),
                    category=(
                        f"{self.model.category_label(explanation.category)}（{explanation.label_ja}）"
                        if explanation
                        else texts.NOT_CLASSIFIED
                    ),
                    source=source or "—",
                    explanation=_head(explanation.explanation_ja) if explanation else "",
                    action=_head(explanation.action_ja) if explanation else "",
                    effect=f"■ {effect_summary(explanation)}\n" if explanation else "",
                )
                + (self.details_footer(entry) if self.details_footer else "")
            )
        )

    @Slot(QItemSelection, QItemSelection)
    def _on_table_selection_changed(self, *_: object) -> None:
        selected = self.table.selectionModel().hasSelection()
        self.copy_action.setEnabled(selected)
        self.toggle_check_action.setEnabled(selected)
        self.highlight_changed.emit()


def _reason_heading(kind: ListKind) -> str:
    """Whose words the 理由 field holds (the receiving server's only for bounces and blocks)."""
    if kind in (ListKind.BOUNCES, ListKind.BLOCKS):
        return texts.DETAILS_REASON_SERVER
    return texts.DETAILS_REASON_SERVICE


def _no_reason(kind: ListKind) -> str:
    """An empty 理由: spam reports and unsubscribes never have one; elsewhere it is missing."""
    if kind in (ListKind.SPAM_REPORTS, ListKind.UNSUBSCRIBES):
        return texts.DETAILS_REASON_NONE
    return "—"


def _head(text: str) -> str:
    """One field of the details pane, cut with a note when it is too long to lay out."""
    return text_head(text, DETAILS_FIELD_LIMIT, texts.DETAILS_CUT)
