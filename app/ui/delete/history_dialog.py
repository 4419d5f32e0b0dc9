"""HistoryDialog (削除履歴): browse and search past deletions, see their addresses, export."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Protocol

from PySide6.QtCore import (
    QAbstractTableModel,
    QItemSelection,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Slot,
)
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from app.core.accounts import journal_label_ja
from app.core.dates import today_jst
from app.core.errors import TodokuError
from app.core.storage.journal import (
    RETRY_RESULTS,
    EntryRecord,
    OperationQuery,
    OperationRecord,
)
from app.ui.delete import deletion_texts as texts
from app.ui.delete.history_loading import HistorySnapshot
from app.ui.safe_text import address_line, plain_label, shown, single_line, tooltip_text
from app.ui.texts import format_jst
from app.ui.widgets.date_edit import JapaneseDateEdit
from app.ui.widgets.screen_fit import resize_within_screen

SEARCH_DELAY_MS = 250
OPERATION_WIDTHS = (130, 90, 60, 60, 60, 150, 260)
ENTRY_WIDTHS = (100, 240, 130, 200, 150, 120)
_NUMERIC_OPERATION_COLUMNS = frozenset((2, 3, 4))
_ModelIndex = QModelIndex | QPersistentModelIndex


class HistorySource(Protocol):
    """What the dialog reads (the DeletionJournal: local SQLite, a few milliseconds a query)."""

    def list_operations(
        self, query: OperationQuery | None = None
    ) -> tuple[OperationRecord, ...]: ...

    def entries(self, operation_id: int) -> tuple[EntryRecord, ...]: ...


# exporter(path, operation_ids) -> a result with .operations and .entries (JournalExportSummary)
HistoryExporter = Callable[[Path, tuple[int, ...]], Any]
# reader(read, on_done, on_failed): run ``read()`` off the GUI thread, then call back on it (the
# shared store: a read goes over the network). Without one the dialog reads directly (SQLite).
HistoryReader = Callable[
    [Callable[[], Any], Callable[[Any], None], Callable[[TodokuError], None]], None
]


class _RowsModel(QAbstractTableModel):
    """A read-only table of preformatted text rows; each row carries its record."""

    def __init__(self, headers: Sequence[str], numeric: frozenset[int] = frozenset()) -> None:
        super().__init__()
        self._headers = tuple(headers)
        self._numeric = numeric
        self._rows: list[tuple[str, ...]] = []
        self._tooltips: list[tuple[str, ...]] = []
        self._records: list[object] = []

    def set_rows(
        self,
        rows: Sequence[tuple[str, ...]],
        records: Sequence[object],
        full: Sequence[tuple[str, ...]],
    ) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._records = list(records)
        self._tooltips = list(full)
        self.endResetModel()

    def record(self, row: int) -> object | None:
        return self._records[row] if 0 <= row < len(self._records) else None

    def rowCount(self, parent: _ModelIndex = QModelIndex()) -> int:  # noqa: B008 (Qt default)
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._headers)

    def data(self, index: _ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, column = index.row(), index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._rows[row][column]
        if role == Qt.ItemDataRole.ToolTipRole:
            return tooltip_text(self._tooltips[row][column]) or None
        if role == Qt.ItemDataRole.TextAlignmentRole and column in self._numeric:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(self._headers)
        ):
            return self._headers[section]
        return None


def operation_row(op: OperationRecord) -> tuple[str, ...]:
    state = op.state.label_ja + (texts.HISTORY_PRACTICE_MARK if op.practice else "")
    return (
        format_jst(op.started_at),
        single_line(op.os_user),  # a team database's row: anyone's PC wrote it
        f"{op.total:,}",
        f"{op.succeeded:,}",
        f"{op.failed:,}",
        state,
        single_line(op.note),
    )


def entry_row(entry: EntryRecord) -> tuple[str, ...]:
    return (
        entry.list_kind.label_ja,
        address_line(entry.email),
        entry.result.label_ja,
        single_line(entry.detail),
        entry.explanation_label,
        format_jst(entry.created) if entry.created else "",
    )


def _table(parent: QWidget, model: _RowsModel, widths: Sequence[int]) -> QTableView:
    view = QTableView(parent)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    view.verticalHeader().setVisible(False)
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 8)
    view.horizontalHeader().setStretchLastSection(True)
    for column, width in enumerate(widths):  # fixed widths: resizeColumnsToContents is slow
        view.setColumnWidth(column, width)
    return view


class HistoryDialog(QDialog):
    """削除履歴. Reads the journal it is given; exports through the injected ``exporter``.

    ``exec()`` returns ``RETRY`` when the operator asked to retry an operation's failures
    (``retry_operation_id`` says which); the caller runs ``retry_failed``.
    """

    RETRY = 2

    def __init__(
        self,
        source: HistorySource,
        parent: QWidget | None = None,
        *,
        exporter: HistoryExporter | None = None,
        today: date | None = None,
        snapshot: HistorySnapshot | None = None,
        reader: HistoryReader | None = None,
    ) -> None:
        super().__init__(parent)
        self._source = source
        self._exporter = exporter
        self._reader = reader
        # Entries read with the snapshot (the first operation's), shown without a new read.
        self._entries_read: dict[int, tuple[EntryRecord, ...]] = (
            dict(snapshot.entries) if snapshot is not None else {}
        )
        # Reads started per kind ("operations", "entries"): an older answer is dropped.
        self._reads: dict[str, int] = {}
        self._closed = False
        self.retry_operation_id: int | None = None
        self.setWindowTitle(texts.HISTORY_TITLE)
        resize_within_screen(self, 1000, 640)
        layout = QVBoxLayout(self)

        filters = QHBoxLayout()
        self.search_edit = QLineEdit(self)
        self.search_edit.setPlaceholderText(texts.HISTORY_SEARCH_PLACEHOLDER)
        self.search_edit.setClearButtonEnabled(True)
        filters.addWidget(self.search_edit, 1)
        self.use_dates = QCheckBox(texts.HISTORY_USE_DATES, self)
        filters.addWidget(self.use_dates)
        day = today or today_jst()
        self.start_edit = self._date_edit(day - timedelta(days=30))
        self.end_edit = self._date_edit(day)
        filters.addWidget(self.start_edit)
        filters.addWidget(plain_label(texts.HISTORY_DATE_TO, self))
        filters.addWidget(self.end_edit)
        layout.addLayout(filters)

        self.operations_model = _RowsModel(
            texts.HISTORY_OPERATION_HEADERS, _NUMERIC_OPERATION_COLUMNS
        )
        self.entries_model = _RowsModel(texts.HISTORY_ENTRY_HEADERS)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        top = QWidget(splitter)
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        self.count_label = plain_label("", top)
        top_layout.addWidget(self.count_label)
        self.operations_view = _table(top, self.operations_model, OPERATION_WIDTHS)
        self.operations_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        top_layout.addWidget(self.operations_view)
        bottom = QWidget(splitter)
        bottom_layout = QVBoxLayout(bottom)
        bottom_layout.setContentsMargins(0, 0, 0, 0)
        self.detail_label = plain_label(texts.HISTORY_SELECT, bottom)
        bottom_layout.addWidget(self.detail_label)
        self.entries_view = _table(bottom, self.entries_model, ENTRY_WIDTHS)
        bottom_layout.addWidget(self.entries_view)
        splitter.addWidget(top)
        splitter.addWidget(bottom)
        splitter.setSizes([300, 300])
        layout.addWidget(splitter, 1)
        self.status_label = plain_label("", self)
        self.status_label.setWordWrap(True)
        layout.addWidget(self.status_label)

        buttons = QDialogButtonBox(self)
        self.export_button = QPushButton(texts.HISTORY_EXPORT, self)
        self.retry_button = QPushButton(texts.HISTORY_RETRY, self)
        self.close_button = QPushButton(texts.HISTORY_CLOSE, self)
        for button in (self.export_button, self.retry_button):
            button.setAutoDefault(False)
            buttons.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.close_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.close_button.setDefault(True)
        self.export_button.setEnabled(exporter is not None)
        self.retry_button.setEnabled(False)
        layout.addWidget(buttons)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.refresh)
        self.search_edit.textChanged.connect(self._search_timer.start)
        self.use_dates.toggled.connect(self._on_dates_toggled)
        self.start_edit.dateChanged.connect(self._search_timer.start)
        self.end_edit.dateChanged.connect(self._search_timer.start)
        self.operations_view.selectionModel().selectionChanged.connect(self._on_operation_selected)
        self.export_button.clicked.connect(self._on_export_clicked)
        self.retry_button.clicked.connect(self._on_retry_clicked)
        self.close_button.clicked.connect(self.reject)
        self.start_edit.setEnabled(False)
        self.end_edit.setEnabled(False)
        if snapshot is not None:
            self._show_operations(snapshot.operations, None)
        else:
            self.refresh()

    def _date_edit(self, day: date) -> QDateEdit:
        return JapaneseDateEdit(day, self)

    # -- reading -------------------------------------------------------------------------------

    def query(self) -> OperationQuery:
        start = end = None
        if self.use_dates.isChecked():
            start = self.start_edit.date().toPython()
            end = self.end_edit.date().toPython()
        return OperationQuery(text=self.search_edit.text(), start=start, end=end)  # type: ignore[arg-type]

    @Slot()
    def refresh(self) -> None:
        """Re-run the search; keeps the selected operation selected when it is still listed."""
        selected = self.selected_operation()
        query = self.query()
        if self._reader is not None:
            self._read(
                "operations",
                lambda: self._source.list_operations(query),
                lambda operations: self._show_operations(operations, selected),
            )
            return
        try:
            operations = self._source.list_operations(query)
        except TodokuError as error:
            self.status_label.setText(shown(error.user_text()))
            operations = ()
        self._show_operations(operations, selected)

    def _read(
        self,
        kind: str,
        read: Callable[[], Any],
        show: Callable[[Any], None],
        waiting: str = texts.HISTORY_READING,
        failure: str = "{message}",
    ) -> None:
        """Through the reader: show the answer unless a newer read of its kind started or the
        dialog closed meanwhile; meanwhile ``waiting``, an error in ``failure`` (status line)."""
        assert self._reader is not None
        number = self._reads[kind] = self._reads.get(kind, 0) + 1
        self.status_label.setText(waiting)

        def current() -> bool:
            return isValid(self) and not self._closed and number == self._reads[kind]

        def done(result: Any) -> None:
            if current():
                self.status_label.setText("")
                show(result)

        def failed(error: TodokuError) -> None:
            if current():
                self.status_label.setText(shown(failure.format(message=error.user_text())))

        self._reader(read, done, failed)

    def done(self, code: int) -> None:
        self._closed = True  # a read still running answers into nothing
        super().done(code)

    def _show_operations(
        self, operations: Sequence[OperationRecord], selected: OperationRecord | None
    ) -> None:
        self.operations_model.set_rows(
            [operation_row(op) for op in operations],
            operations,
            [(*operation_row(op)[:-1], op.note) for op in operations],
        )
        self.count_label.setText(self._count_text(len(operations)))
        ids = [op.id for op in operations]
        if selected is not None and selected.id in ids:
            self.operations_view.selectRow(ids.index(selected.id))
        elif operations:
            self.operations_view.selectRow(0)
        else:
            self._show_entries(None)

    def _count_text(self, count: int) -> str:
        if count:
            return texts.HISTORY_COUNT.format(count=count)
        query = self.query()
        filtered = bool(query.text.strip()) or query.start is not None
        return texts.HISTORY_NONE_MATCHING if filtered else texts.HISTORY_NONE

    def selected_operation(self) -> OperationRecord | None:
        rows = self.operations_view.selectionModel().selectedRows()
        if not rows:
            return None
        record = self.operations_model.record(rows[0].row())
        return record if isinstance(record, OperationRecord) else None

    def _show_entries(self, op: OperationRecord | None) -> None:
        if op is None:
            self.entries_model.set_rows([], [], [])
            self.detail_label.setText(texts.HISTORY_SELECT)
            self.retry_button.setEnabled(False)
            return
        if op.id in self._entries_read:
            self._show_operation_entries(op, self._entries_read.pop(op.id))
            return
        if self._reader is not None:
            self.entries_model.set_rows([], [], [])
            self.retry_button.setEnabled(False)
            self._read(
                "entries",
                lambda: self._source.entries(op.id),
                lambda entries: self._show_operation_entries(op, entries),
            )
            return
        try:
            entries = self._source.entries(op.id)
        except TodokuError as error:
            self.status_label.setText(shown(error.user_text()))
            entries = ()
        self._show_operation_entries(op, entries)

    def _show_operation_entries(self, op: OperationRecord, entries: Sequence[EntryRecord]) -> None:
        rows = [entry_row(e) for e in entries]
        full = [(*row[:3], e.detail, row[4], row[5]) for row, e in zip(rows, entries, strict=True)]
        self.entries_model.set_rows(rows, entries, full)
        # The account's name and the host come from a settings file or a team database someone
        # else may have written: one line each, bidi and invisible characters written out.
        host = texts.HISTORY_PRACTICE_HOST if op.practice else single_line(op.base_host)
        self.detail_label.setText(
            texts.HISTORY_DETAIL.format(
                id=op.id,
                started=format_jst(op.started_at),
                account=single_line(journal_label_ja(op.account_label)) or "-",
                host=host or "-",
            )
        )
        retryable = any(e.result in RETRY_RESULTS for e in entries)
        self.retry_button.setEnabled(retryable and not op.unfinished)

    # -- slots ---------------------------------------------------------------------------------

    @Slot(bool)
    def _on_dates_toggled(self, checked: bool) -> None:
        self.start_edit.setEnabled(checked)
        self.end_edit.setEnabled(checked)
        self._search_timer.start()

    @Slot(QItemSelection, QItemSelection)
    def _on_operation_selected(self, selected: QItemSelection, deselected: QItemSelection) -> None:
        self._show_entries(self.selected_operation())

    @Slot()
    def _on_export_clicked(self) -> None:
        if self._exporter is None:
            return
        # In the home folder: a bare name opened the dialog in the process's working folder
        # (the program's own folder when started by run.py or a shortcut).
        suggested = Path.home() / f"削除履歴_{today_jst():%Y%m%d}.xlsx"
        path, _ = QFileDialog.getSaveFileName(
            self, texts.HISTORY_EXPORT_DIALOG, str(suggested), texts.HISTORY_EXPORT_FILTER
        )
        if path:
            self.export_to(Path(path))

    def export_to(self, path: Path) -> bool:
        """Export the operations now listed. The local journal is small (a few thousand rows
        take well under a second): written on the GUI thread with a wait cursor. With a reader
        (the shared store) the export is a job: True means started, the status line says how
        it ended."""
        assert self._exporter is not None
        exporter = self._exporter
        if path.suffix.lower() != ".xlsx":
            path = path.with_name(path.name + ".xlsx")
        ids = tuple(
            record.id
            for row in range(self.operations_model.rowCount())
            if isinstance(record := self.operations_model.record(row), OperationRecord)
        )
        if self._reader is not None:
            self._read(
                "export",
                lambda: exporter(path, ids),
                lambda summary: self._show_exported(summary, path),
                texts.HISTORY_EXPORTING,
                texts.HISTORY_EXPORT_FAILED,
            )
            return True
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            summary = exporter(path, ids)
        except TodokuError as error:
            self.status_label.setText(
                shown(texts.HISTORY_EXPORT_FAILED.format(message=error.user_text()))
            )
            return False
        finally:
            QGuiApplication.restoreOverrideCursor()
        self._show_exported(summary, path)
        return True

    def _show_exported(self, summary: Any, path: Path) -> None:
        self.status_label.setText(
            texts.HISTORY_EXPORT_DONE.format(
                operations=summary.operations, entries=summary.entries, path=path
            )
        )

    @Slot()
    def _on_retry_clicked(self) -> None:
        op = self.selected_operation()
        if op is None:
            return
        self.retry_operation_id = op.id
        self.done(self.RETRY)
