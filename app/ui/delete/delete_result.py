"""DeleteResultDialog: successes and failures per list, failure details, and a retry decision."""

from __future__ import annotations

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.core.deletion.run import DeletionReport
from app.ui.delete import deletion_texts as texts
from app.ui.safe_text import address_line, plain_label, shown, spreadsheet_clipboard_cell
from app.ui.widgets.screen_fit import content_height, resize_within_screen

DIALOG_WIDTH = 600
LISTING_HEIGHT = 420  # with failures or conflicts listed


def failure_listing(report: DeletionReport) -> str:
    """One tab-separated line per failed address (pastes into Excel as three columns, each
    as text: the address came from the provider)."""
    return "\n".join(
        texts.RESULT_FAILURE_LINE.format(
            label=o.list_kind.label_ja,
            email=spreadsheet_clipboard_cell(address_line(o.email)),
            detail=spreadsheet_clipboard_cell(o.detail),
        )
        for o in report.failed
    )


def conflict_listing(report: DeletionReport) -> str:
    """One line per address another operator had: list, address, 「田中さんが 10:42 に削除済み」."""
    return "\n".join(
        texts.RESULT_CONFLICT_LINE.format(
            label=c.list_kind.label_ja,
            email=spreadsheet_clipboard_cell(address_line(c.email)),
            who=spreadsheet_clipboard_cell(c.label_ja),
        )
        for c in report.conflicts
    )


class DeleteResultDialog(QDialog):
    """Shows what a deletion did. ``exec()`` returns ``RETRY`` when the operator asked to retry
    the failed addresses (the caller runs ``retry_failed``); this dialog calls no service."""

    RETRY = 2

    def __init__(self, report: DeletionReport, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.report = report
        self.setWindowTitle(texts.RESULT_TITLE)
        layout = QVBoxLayout(self)

        ok, failed = len(report.succeeded), len(report.failed)
        if not report.outcomes and report.conflicts:
            summary = texts.RESULT_NOTHING_CLAIMED
        elif not failed and report.conflicts:  # not "all": some were another operator's
            summary = texts.RESULT_OK_BESIDE_CONFLICTS.format(ok=ok)
        elif not failed:
            summary = texts.RESULT_ALL_OK.format(ok=ok)
        else:
            summary = texts.RESULT_PARTIAL.format(ok=ok, failed=failed)
        self.summary_label = plain_label(summary, self)
        bold = QFont(self.summary_label.font())
        bold.setBold(True)
        self.summary_label.setFont(bold)
        layout.addWidget(self.summary_label)
        if report.cancelled:
            layout.addWidget(plain_label(texts.RESULT_CANCELLED, self))
        if report.practice:
            provider = texts.provider_words(report.provider)
            layout.addWidget(plain_label(texts.RESULT_PRACTICE.format(provider=provider), self))

        # Numbers sit right-aligned under right-aligned headers, and the columns keep their
        # natural width (a stretching last column takes the rest): spread across the dialog,
        # a left-aligned header and a right-aligned number read as belonging to the next column.
        grid = QGridLayout()
        grid.setHorizontalSpacing(24)
        self.header_labels: list[QLabel] = []
        for column, header in enumerate(texts.RESULT_HEADERS):
            label = plain_label(header, self)
            label.setFont(bold)
            if column:
                label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.header_labels.append(label)
            grid.addWidget(label, 0, column)
        grid.setColumnStretch(len(texts.RESULT_HEADERS), 1)
        self.value_labels: list[list[QLabel]] = []
        for row, result in enumerate(report.per_list, 1):
            values = (
                result.list_kind.label_ja,
                f"{result.deleted:,}",
                f"{result.not_found:,}",
                f"{result.failed:,}",
            )
            row_labels: list[QLabel] = []
            self.value_labels.append(row_labels)
            for column, value in enumerate(values):
                label = plain_label(value, self)
                row_labels.append(label)
                if column:
                    label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if column == 3 and result.failed:
                    label.setStyleSheet("color: #b00020; font-weight: bold;")
                grid.addWidget(label, row, column)
        layout.addLayout(grid)

        self.failures: QPlainTextEdit | None = None
        if failed:
            layout.addWidget(plain_label(texts.RESULT_FAILURES, self))
            self.failures = QPlainTextEdit(self)
            self.failures.setReadOnly(True)
            self.failures.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
            self.failures.setPlainText(shown(failure_listing(report)))
            layout.addWidget(self.failures, 1)
        # Team mode: what was not sent because another operator had it (plain text: names
        # come from the shared store).
        self.conflicts: QPlainTextEdit | None = None
        if report.conflicts:
            layout.addWidget(
                plain_label(texts.RESULT_CONFLICTS.format(count=len(report.conflicts)), self)
            )
            self.conflicts = QPlainTextEdit(self)
            self.conflicts.setReadOnly(True)
            self.conflicts.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
            self.conflicts.setPlainText(shown(conflict_listing(report)))
            layout.addWidget(self.conflicts, 1)
        if report.operation_id:  # 0: every address conflicted, nothing was recorded
            layout.addWidget(
                plain_label(texts.RESULT_RECORDED.format(operation_id=report.operation_id), self)
            )

        buttons = QDialogButtonBox(self)
        self.retry_button = QPushButton(texts.RESULT_RETRY, self)
        self.close_button = QPushButton(texts.RESULT_CLOSE, self)
        buttons.addButton(self.retry_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.close_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.retry_button.setEnabled(bool(failed))
        self.retry_button.setHidden(not failed)  # a greyed retry after a clean run reads as a fault
        self.retry_button.setAutoDefault(False)
        self.close_button.setDefault(True)
        self.retry_button.clicked.connect(self._on_retry_clicked)
        self.close_button.clicked.connect(self.reject)
        layout.addWidget(buttons)
        # With listings the text boxes take the room (420 px shows a dozen lines); without, the
        # dialog is as tall as its lines: a fixed 260 px spread them apart with blank bands.
        lists = self.failures is not None or self.conflicts is not None
        height = LISTING_HEIGHT if lists else content_height(self, DIALOG_WIDTH)
        resize_within_screen(self, DIALOG_WIDTH, height)

    @property
    def retry_requested(self) -> bool:
        return self.result() == self.RETRY

    @Slot()
    def _on_retry_clicked(self) -> None:
        self.done(self.RETRY)
