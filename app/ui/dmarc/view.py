"""DmarcView: what an import shows — per-source table with the details pane, the per-reporter
and per-day charts, and the domain's published records with the policy advice. Built by the
tab when first needed (it brings the DMARC core and the chart modules with it)."""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.core.dmarc.analysis import DmarcResult, SourceView
from app.ui.dmarc import texts
from app.ui.dmarc.day_chart import DayChart
from app.ui.dmarc.presentation import day_chart, details_text, domain_text, reporter_breakdown
from app.ui.dmarc.source_table import (
    SOURCE_ROLE,
    VERDICT_COLUMN,
    SourceTableModel,
    VerdictBadgeDelegate,
)
from app.ui.safe_text import text_head
from app.ui.widgets.breakdown_chart import BreakdownChart

REPORTER_TITLE = "報告元別（メッセージ数と DMARC 失敗）"
REPORTER_EMPTY = "レポートを読み込むと、報告元ごとの件数がここに表示されます"
_COLUMN_WIDTHS = (200, 110, 200, 120, 80, 150, 150, 100)


def _plain_box(placeholder: str) -> QPlainTextEdit:
    box = QPlainTextEdit()
    box.setReadOnly(True)  # plain text only: report content is never rendered as HTML
    box.setPlaceholderText(placeholder)
    return box


class DmarcView(QWidget):
    """Signals:
    check_requested(tuple[str, ...]): DNS で公開レコードを確認 with these DKIM selectors.
    """

    check_requested = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = SourceTableModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)  # the model sorts itself (see source_table)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)  # the core's order: failing first
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(False)
        self.table.setItemDelegateForColumn(VERDICT_COLUMN, VerdictBadgeDelegate(self.table))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in enumerate(_COLUMN_WIDTHS):
            self.table.setColumnWidth(column, width)
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.details = _plain_box(texts.DETAILS_EMPTY)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.table)
        splitter.addWidget(self.details)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([1000, 300])
        self.splitter = splitter

        self.day_chart = DayChart()
        self.reporter_chart = BreakdownChart(title=REPORTER_TITLE, empty_text=REPORTER_EMPTY)
        charts = QWidget()
        charts_layout = QHBoxLayout(charts)
        charts_layout.addWidget(self.day_chart, 3)
        charts_layout.addWidget(self.reporter_chart, 2)
        # The charts keep a readable least height; the page scrolls below it instead. A
        # QTabWidget is as tall as its tallest page at least, and the main window as tall as
        # its tallest tab: at 200 % on a 1920×1080 screen (960×540 for Qt) the bare charts made
        # the window 595 px tall, and on a 1024×600 screen with the practice banner and the
        # delivery warning 639 px: its status bar below the screen's edge either way.
        charts_scroll = QScrollArea()
        charts_scroll.setFrameShape(QFrame.Shape.NoFrame)
        charts_scroll.setWidgetResizable(True)
        charts_scroll.setWidget(charts)

        self.check_button = QPushButton(texts.CHECK_DNS)
        self.check_button.setEnabled(False)
        self.check_button.clicked.connect(self._on_check_clicked)
        self.selectors_edit = QLineEdit()
        self.selectors_edit.setPlaceholderText(texts.SELECTORS_PLACEHOLDER)
        check_row = QHBoxLayout()
        check_row.addWidget(self.check_button)
        check_row.addSpacing(12)
        check_row.addWidget(QLabel(texts.SELECTORS_LABEL))
        check_row.addWidget(self.selectors_edit, 1)
        self.domain_box = _plain_box(texts.DNS_NOT_YET)
        domain = QWidget()
        domain_layout = QVBoxLayout(domain)
        domain_layout.addLayout(check_row)
        domain_layout.addWidget(self.domain_box, 1)

        self.sections = QTabWidget()
        self.sections.addTab(splitter, texts.SECTION_SOURCES)
        self.sections.addTab(charts_scroll, texts.SECTION_CHARTS)
        self.sections.addTab(domain, texts.SECTION_DOMAIN)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.sections)

    def show_result(self, result: DmarcResult) -> None:
        self.model.set_sources(result.sources)
        self.details.clear()
        self.day_chart.set_model(day_chart(result.days))
        self.reporter_chart.set_model(reporter_breakdown(result.reporters))
        self.domain_box.setPlainText(_pane(domain_text(result, None)))
        self.check_button.setEnabled(bool(result.domains))
        if self.model.rowCount():
            self.table.selectRow(0)

    def show_check(self, result: DmarcResult, checked: object) -> None:
        self.domain_box.setPlainText(_pane(domain_text(result, checked)))

    def set_busy(self, busy: bool) -> None:
        self.check_button.setEnabled(not busy and self.model.rowCount() > 0)

    def selected_source(self) -> SourceView | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        source = rows[0].data(SOURCE_ROLE)
        return source if isinstance(source, SourceView) else None

    @Slot(QItemSelection, QItemSelection)
    def _on_selection_changed(self, *_: object) -> None:
        source = self.selected_source()
        self.details.setPlainText("" if source is None else _pane(details_text(source)))

    @Slot()
    def _on_check_clicked(self) -> None:
        selectors = tuple(
            part.strip() for part in self.selectors_edit.text().replace("、", ",").split(",")
        )
        self.check_requested.emit(tuple(s for s in selectors if s))


def _pane(text: str) -> str:
    return text_head(text, texts.PANE_CHARS, texts.PANE_CUT)
