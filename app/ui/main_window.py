"""MainWindow: range bar, practice banner, error panel, filterable grid and details pane."""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QItemSelection, QModelIndex, Qt, QTimer, Slot
from PySide6.QtGui import QAction, QCloseEvent, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QPlainTextEdit,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import TodokuError
from app.core.storage.secrets import LLM_KEY, SENDGRID_KEY, mask_secret
from app.core.types import ALL_LISTS, ListKind
from app.ui import texts
from app.ui.controller import MainController
from app.ui.dialogs.settings import SettingsDialog
from app.ui.models.entry_table import Column
from app.ui.persist import UiState
from app.ui.safe_text import clipboard_cell, plain_label
from app.ui.widgets.date_range import DateRangeBar
from app.ui.widgets.practice_banner import PracticeBanner
from app.ui.widgets.status_panel import StatusPanel

log = logging.getLogger(__name__)

WAIT_CURSOR_ROWS = 100_000
FILTER_DELAY_MS = 250
MAX_DOMAINS_IN_FILTER = 200
DEFAULT_WIDTHS = {  # fits a 1366-px-wide screen; the operator's widths are remembered
    Column.CHECK: 28,
    Column.KIND: 100,
    Column.EMAIL: 220,
    Column.DOMAIN: 120,
    Column.CREATED: 122,
    Column.STATUS: 60,
    Column.REASON: 240,
    Column.CAUSE: 210,
    Column.ACTION: 170,
    Column.CATEGORY: 120,
}

SettingsDialogRunner = Callable[[SettingsDialog], bool]


def _exec_dialog(dialog: SettingsDialog) -> bool:
    return dialog.exec() == SettingsDialog.DialogCode.Accepted


class MainWindow(QMainWindow):
    """Thin: forwards intents to the controller and shows its state."""

    def __init__(
        self,
        controller: MainController,
        ui_state: UiState,
        *,
        log_path: str = "",
        run_settings_dialog: SettingsDialogRunner = _exec_dialog,
    ) -> None:
        super().__init__()
        self.controller = controller
        self.model = controller.model
        self.ui_state = ui_state
        self.log_path = log_path
        self._run_settings_dialog = run_settings_dialog
        self.settings_dialog: SettingsDialog | None = None
        self.setWindowTitle(texts.APP_TITLE)
        self.resize(1280, 800)

        self.banner = PracticeBanner()
        self.range_bar = DateRangeBar()
        self.status_panel = StatusPanel()
        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText(texts.FILTER_PLACEHOLDER)
        self.filter_edit.setClearButtonEnabled(True)
        self.list_filter = QComboBox()
        self.category_filter = QComboBox()
        self.domain_filter = QComboBox()
        self.domain_filter.setMinimumWidth(160)
        self.shown_label = plain_label(texts.COUNTS_NONE)
        self.table = self._build_table()
        self.details = QPlainTextEdit()  # plain text only: reasons are untrusted
        self.details.setReadOnly(True)
        self.details.setPlaceholderText(texts.DETAILS_EMPTY)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(self.details)
        self.splitter.setStretchFactor(0, 4)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([560, 150])
        self.counts_label = plain_label()
        self.statusBar().addWidget(self.counts_label, 1)

        filters = QHBoxLayout()
        filters.addWidget(self.filter_edit, 3)
        filters.addWidget(self.list_filter, 1)
        filters.addWidget(self.category_filter, 1)
        filters.addWidget(self.domain_filter, 1)
        filters.addWidget(self.shown_label)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(8, 6, 8, 4)
        layout.addWidget(self.banner)
        layout.addWidget(self.range_bar)
        layout.addWidget(self.status_panel)
        layout.addLayout(filters)
        layout.addWidget(self.splitter, 1)
        self.setCentralWidget(central)
        self._build_menus()
        self._reset_filter_choices()

        self._filter_timer = QTimer(self)
        self._filter_timer.setSingleShot(True)
        self._filter_timer.setInterval(FILTER_DELAY_MS)
        self._filter_timer.timeout.connect(self._apply_text_filter)

        self.range_bar.fetch_requested.connect(self._on_range_bar_fetch_requested)
        self.range_bar.cancel_requested.connect(controller.cancel_fetch)
        self.banner.switch_requested.connect(self._on_banner_switch_requested)
        self.filter_edit.textChanged.connect(self._filter_timer.start)
        self.list_filter.activated.connect(self._on_filter_combo_activated)
        self.category_filter.activated.connect(self._on_filter_combo_activated)
        self.domain_filter.activated.connect(self._on_filter_combo_activated)
        self.table.horizontalHeader().sortIndicatorChanged.connect(self._on_header_sort_changed)
        self.table.selectionModel().currentRowChanged.connect(self._on_table_current_changed)
        self.table.selectionModel().selectionChanged.connect(self._on_table_selection_changed)
        self.model.dataChanged.connect(self._update_counts)
        self.model.modelReset.connect(self._on_model_reset)
        controller.mode_changed.connect(self._on_controller_mode_changed)
        controller.fetch_running.connect(self._on_controller_fetch_running)
        controller.fetch_progress.connect(self.range_bar.set_progress_text)
        controller.fetch_done.connect(self._on_controller_fetch_done)
        controller.error_raised.connect(self._on_controller_error_raised)
        controller.model_grew.connect(self._update_counts)
        controller.connection_tested.connect(self._on_controller_connection_tested)

        self._restore_state()
        self._on_controller_mode_changed(controller.practice)
        self._update_counts()

    # -- construction --------------------------------------------------------------------

    def _build_table(self) -> QTableView:
        table = QTableView()
        table.setModel(self.model)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        table.setWordWrap(False)
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
        copy = QAction(texts.ACTION_COPY, table)
        copy.setShortcut(QKeySequence.StandardKey.Copy)
        copy.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        copy.triggered.connect(self.copy_selection)
        check_all = QAction(texts.ACTION_CHECK_SHOWN, table)
        check_all.triggered.connect(lambda: self.model.set_checked_visible(True))
        uncheck_all = QAction(texts.ACTION_UNCHECK_ALL, table)
        uncheck_all.triggered.connect(lambda: self.model.set_checked_visible(False))
        table.addActions([copy, check_all, uncheck_all])
        table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.copy_action = copy
        return table

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu(texts.MENU_FILE)
        self.settings_action = file_menu.addAction(texts.ACTION_SETTINGS)
        self.settings_action.triggered.connect(self.open_settings)
        file_menu.addSeparator()
        quit_action = file_menu.addAction(texts.ACTION_QUIT)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        account = self.menuBar().addMenu(texts.MENU_ACCOUNT)
        self.mode_action = account.addAction(texts.PRACTICE_TO_LIVE)
        self.mode_action.triggered.connect(self._on_banner_switch_requested)
        help_menu = self.menuBar().addMenu(texts.MENU_HELP)
        log_action = help_menu.addAction(texts.ACTION_OPEN_LOG)
        log_action.triggered.connect(self._on_show_log_triggered)

    def _restore_state(self) -> None:
        self.ui_state.restore_widget("main", self)
        self.ui_state.restore_splitter("main", self.splitter)
        self.ui_state.restore_header("grid", self.table.horizontalHeader())
        preset, start, end = self.ui_state.last_range()
        if preset is not None:
            self.range_bar.apply_preset(preset)
        elif start is not None and end is not None:
            self.range_bar.set_range(start, end)
        self.range_bar.set_lists(self.ui_state.last_lists())

    def save_state(self) -> None:
        self.ui_state.save_widget("main", self)
        self.ui_state.save_splitter("main", self.splitter)
        self.ui_state.save_header("grid", self.table.horizontalHeader())
        chosen = self.range_bar.date_range()
        self.ui_state.save_range(self.range_bar.preset, chosen.start, chosen.end)
        self.ui_state.save_lists(self.range_bar.chosen_lists())
        self.ui_state.sync()

    # -- intents -------------------------------------------------------------------------

    @Slot(object, object)
    def _on_range_bar_fetch_requested(self, date_range, lists) -> None:
        chosen = self.range_bar.date_range()
        self.ui_state.save_range(self.range_bar.preset, chosen.start, chosen.end)
        self.ui_state.save_lists(lists)
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.controller.start_fetch(date_range, lists)

    @Slot()
    def _on_banner_switch_requested(self) -> None:
        self.controller.set_practice(not self.controller.practice)

    @Slot()
    def open_settings(self) -> None:
        secrets = self.controller.secrets
        dialog = SettingsDialog(
            self.controller.settings,
            saved_sendgrid_key=secrets.get(SENDGRID_KEY),
            saved_llm_key=secrets.get(LLM_KEY),
            keys_persistent=secrets.persistent,
            key_store_where_ja=secrets.where_ja,
            parent=self,
        )
        dialog.test_requested.connect(self.controller.test_connection)
        self.settings_dialog = dialog
        try:
            if self._run_settings_dialog(dialog):
                self.controller.save_settings(
                    dialog.result_settings(), dialog.new_sendgrid_key(), dialog.new_llm_key()
                )
                log.info(
                    "settings saved (key %s)", "set" if dialog.new_sendgrid_key() else "unchanged"
                )
        finally:
            self.settings_dialog = None
            dialog.deleteLater()
        self._on_controller_mode_changed(self.controller.practice)

    @Slot()
    def copy_selection(self) -> None:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        if not rows:
            return
        titles = [texts.COLUMN_TITLES[column] for column in Column if column != Column.CHECK]
        lines = ["\t".join(titles)]
        lines.extend(
            "\t".join(clipboard_cell(cell) for cell in self.model.row_text(row)) for row in rows
        )
        QGuiApplication.clipboard().setText("\r\n".join(lines) + "\r\n")
        self.statusBar().showMessage(texts.COPIED.format(rows=len(rows)), 4000)

    # -- filters and sort ----------------------------------------------------------------

    def _busy_cursor_if_large(self) -> bool:
        if self.model.total < WAIT_CURSOR_ROWS:
            return False
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        return True

    @Slot(int, Qt.SortOrder)
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
            self.model.set_filters(
                text=self.filter_edit.text(),
                list_kind=self.list_filter.currentData(),
                category=self.category_filter.currentData() or "",
                domain=self.domain_filter.currentData() or "",
            )
        finally:
            if busy:
                QApplication.restoreOverrideCursor()
        self._update_counts()

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

    def _refresh_filter_choices(self) -> None:
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

    # -- controller state ----------------------------------------------------------------

    @Slot(bool)
    def _on_controller_mode_changed(self, practice: bool) -> None:
        self.banner.setVisible(practice)
        self.mode_action.setText(texts.PRACTICE_TO_LIVE if practice else texts.LIVE_TO_PRACTICE)
        title = texts.APP_TITLE
        if practice:
            title += f" — {texts.PRACTICE_TITLE}"
        else:
            masked = mask_secret(self.controller.secrets.get(SENDGRID_KEY))
            title += f" — {texts.LIVE_MODE} ({masked})"
        self.setWindowTitle(title)

    @Slot(bool)
    def _on_controller_fetch_running(self, running: bool) -> None:
        self.range_bar.set_busy(running)
        self.banner.switch_button.setEnabled(not running)
        self.mode_action.setEnabled(not running)
        self.settings_action.setEnabled(not running)
        if running:
            self.status_panel.setVisible(False)
            self.details.clear()
        else:
            self._refresh_filter_choices()
            self._update_counts()

    @Slot(str)
    def _on_controller_fetch_done(self, summary: str) -> None:
        self.range_bar.set_progress_text(summary or texts.IDLE)

    @Slot(object)
    def _on_controller_error_raised(self, error: TodokuError) -> None:
        self.status_panel.show_error(error)

    @Slot(object)
    def _on_controller_connection_tested(self, outcome) -> None:
        if self.settings_dialog is not None:
            self.settings_dialog.show_test_result(outcome)

    @Slot()
    def _on_model_reset(self) -> None:
        self.details.clear()
        self._update_counts()

    @Slot()
    def _update_counts(self, *_: object) -> None:
        model = self.model
        self.shown_label.setText(
            texts.COUNTS.format(shown=model.rowCount(), total=model.total)
            + ("　" + texts.CHECKED_COUNT.format(checked=model.checked_count))
        )
        per_list = "　".join(
            f"{kind.label_ja} {model.counts_by_list.get(kind, 0):,}" for kind in ALL_LISTS
        )
        top = model.counts_by_category.most_common(4)
        per_category = "　".join(f"{model.category_label(n)} {c:,}" for n, c in top)
        self.counts_label.setText(per_list + (f"　｜　{per_category}" if per_category else ""))

    @Slot(QModelIndex, QModelIndex)
    def _on_table_current_changed(self, current: QModelIndex, _: QModelIndex) -> None:
        if not current.isValid():
            self.details.clear()
            return
        entry = self.model.entry_at(current.row())
        explanation = self.model.explanation_at(current.row())
        self.details.setPlainText(
            texts.DETAILS_TEMPLATE.format(
                email=entry.email,
                kind=entry.list_kind.label_ja,
                created=texts.format_jst(entry.created),
                status=entry.status or "—",
                reason=entry.reason or "—",
                category=(
                    f"{self.model.category_label(explanation.category)}（{explanation.label_ja}）"
                    if explanation
                    else texts.NOT_CLASSIFIED
                ),
                explanation=explanation.explanation_ja if explanation else "",
                action=explanation.action_ja if explanation else "",
            )
        )

    @Slot(QItemSelection, QItemSelection)
    def _on_table_selection_changed(self, *_: object) -> None:
        self.copy_action.setEnabled(self.table.selectionModel().hasSelection())

    @Slot()
    def _on_show_log_triggered(self) -> None:
        box = QMessageBox(self)
        box.setWindowTitle(texts.ACTION_OPEN_LOG)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setText(texts.ERROR_DIALOG_LOG.format(path=self.log_path or "—"))
        box.open()

    # -- lifecycle -----------------------------------------------------------------------

    def selected_kinds(self) -> tuple[ListKind, ...]:
        return self.range_bar.chosen_lists()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_state()
        self.controller.shutdown()
        super().closeEvent(event)
