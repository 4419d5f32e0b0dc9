"""ReportDialog (月次レポート): pick a month, preview its key figures, save xlsx and/or PDF,
open the folder. Data in (months, folder), intents out (signals): the window runs the jobs
and hands their results back (``show_report``, ``show_progress``, ``show_saved``)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import TodokuError
from app.core.file_name_part import file_name_part
from app.ui.history import texts
from app.ui.safe_text import plain_label
from app.ui.texts import in_the_window

if TYPE_CHECKING:
    from app.core.history.report import MonthlyReport
    from app.core.storage.history.interface import AccountKey


def key_figures(report: MonthlyReport) -> str:
    """The preview: the figures a manager reads first (plain text)."""
    lists = "、".join(f"{c.label} {c.current:,}" for c in report.by_list if c.current or c.previous)
    causes = "、".join(f"{c.label_ja} {c.count:,}" for c in report.causes[:3]) or texts.REPORT_NONE
    growing = (
        "、".join(f"{g.domain} +{g.change:,}" for g in report.growing[:3]) or texts.REPORT_NONE
    )
    if not report.previous_recorded:
        from app.core.history.report import NO_PREVIOUS_RECORD

        growing = f"—（{NO_PREVIOUS_RECORD}）"  # every domain "grew" from a month never fetched
    rate = report.delivery_rate
    figures = texts.REPORT_FIGURES.format(
        month=report.month_label,
        account=texts.account_shown(report.account.account, report.account.practice),
        total=report.total.current,
        change=report.total_change_ja(),
        lists=lists or texts.REPORT_NONE,
        causes=causes,
        growing=growing,
        deletions=len(report.deletions),
        deleted=sum(line.succeeded for line in report.deletions),
        returns=len(report.returns),
        rate=texts.REPORT_RATE_NONE if rate is None else f"{rate * 100:.1f}%",
    )
    if report.partial:
        figures = f"{figures}\n\n{report.partial_note_ja()}"
    if report.total.current == 0 and not report.deletions:
        return f"{figures}\n\n{texts.REPORT_EMPTY_MONTH}"
    return figures


def _account_part(account: AccountKey) -> str:
    """「_練習モード」, 「_cmc1」…: the default account's report keeps its plain name; any other
    account's (a practice one too) names it, or one month's reports overwrote each other."""
    from app.ui.history.session import DEFAULT_ACCOUNT, PRACTICE_ACCOUNT

    parts = (
        [account.account] if account.account not in ("", DEFAULT_ACCOUNT, PRACTICE_ACCOUNT) else []
    )
    parts += [account.subuser] if account.subuser else []
    parts += [texts.PRACTICE_ACCOUNT_SHOWN] if account.practice else []
    return "".join(f"_{file_name_part(part)}" for part in parts)


class ReportDialog(QDialog):
    """Signals:
    month_chosen: date (first day), preview wanted.
    save_requested: (MonthlyReport, xlsx Path or None, pdf Path or None).
    cancel_requested: stop the saving job.
    open_folder_requested: Path of the folder to show.
    """

    month_chosen = Signal(object)
    save_requested = Signal(object, object, object)
    cancel_requested = Signal()
    open_folder_requested = Signal(object)

    def __init__(self, months: list[date], folder: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(texts.REPORT_TITLE)
        self.resize(620, 520)
        self.report: MonthlyReport | None = None
        self.saved: tuple[Path, ...] = ()
        self._busy = False
        self.month_combo = QComboBox()
        for month in months:
            self.month_combo.addItem(f"{month.year}年{month.month}月", month)
        # The last complete month is what a monthly report is usually about; when it has no
        # records (the first month of use) the dialog moves on to this month once, by itself.
        self.month_combo.setCurrentIndex(1 if len(months) > 1 else 0)
        self._may_move_to_this_month = len(months) > 1
        self._note = ""
        self.preview = QPlainTextEdit()  # plain text: domains and causes come from remote data
        self.preview.setReadOnly(True)
        self.xlsx_box = QCheckBox(texts.REPORT_XLSX)
        self.xlsx_box.setChecked(True)
        self.pdf_box = QCheckBox(texts.REPORT_PDF)
        self.pdf_box.setChecked(True)
        self.folder_edit = QLineEdit(str(folder))
        self.choose_button = QPushButton(texts.REPORT_CHOOSE)
        self.status = plain_label("")
        self.status.setWordWrap(True)
        self.save_button = QPushButton(texts.REPORT_SAVE)
        self.save_button.setDefault(True)
        self.cancel_button = QPushButton(texts.REPORT_CANCEL)
        self.cancel_button.setVisible(False)
        self.open_folder_button = QPushButton(texts.REPORT_OPEN_FOLDER)
        self.open_folder_button.setEnabled(False)
        self.close_button = QPushButton(texts.REPORT_CLOSE)

        form = QFormLayout()
        form.addRow(texts.REPORT_MONTH, self.month_combo)
        formats = QHBoxLayout()
        formats.addWidget(self.xlsx_box)
        formats.addWidget(self.pdf_box)
        formats.addStretch(1)
        form.addRow("", formats)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder_edit, 1)
        folder_row.addWidget(self.choose_button)
        form.addRow(texts.REPORT_FOLDER, folder_row)
        buttons = QHBoxLayout()
        buttons.addWidget(self.open_folder_button)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(plain_label(texts.REPORT_PREVIEW))
        layout.addWidget(self.preview, 1)
        layout.addWidget(self.status)
        layout.addLayout(buttons)

        self.month_combo.activated.connect(self._on_month_activated)
        self.choose_button.clicked.connect(self._on_choose_clicked)
        self.save_button.clicked.connect(self._on_save_clicked)
        self.cancel_button.clicked.connect(self.cancel_requested)
        self.open_folder_button.clicked.connect(self._on_open_folder_clicked)
        self.close_button.clicked.connect(self.reject)
        self._update_buttons()

    @property
    def month(self) -> date:
        return self.month_combo.currentData()

    def paths(self) -> tuple[Path | None, Path | None]:
        folder = Path(self.folder_edit.text().strip() or ".")
        stem = texts.REPORT_FILE.format(month=f"{self.month:%Y-%m}")
        if self.report is not None:
            stem += _account_part(self.report.account)
        return (
            folder / f"{stem}.xlsx" if self.xlsx_box.isChecked() else None,
            folder / f"{stem}.pdf" if self.pdf_box.isChecked() else None,
        )

    # -- results handed back by the window ---------------------------------------------------

    def show_report(self, report: MonthlyReport) -> None:
        if report.month != self.month:
            return  # the operator picked another month meanwhile
        if self._may_move_to_this_month:
            self._may_move_to_this_month = False
            if report.total.current == 0 and not report.deletions:
                # A first-day operator fetched this month's rows and saw only zeros for last
                # month; the way out (「対象月」) is there, but this month is what they meant.
                self._note = texts.REPORT_MOVED_TO_THIS_MONTH
                self.month_combo.setCurrentIndex(0)
                self.month_chosen.emit(self.month)
                return
        self.report = report
        self.preview.setPlainText(key_figures(report))
        self.status.setText(self._note)
        self._update_buttons()

    def show_progress(self, text: str) -> None:
        self.status.setText(text)

    def set_busy(self, busy: bool) -> None:
        self._busy = busy
        self._update_buttons()

    def show_saved(self, paths: tuple[Path, ...]) -> None:
        self.saved = tuple(paths)
        self.status.setText(texts.REPORT_SAVED.format(files="、".join(str(p) for p in paths)))
        self._update_buttons()

    def show_error(self, error: TodokuError) -> None:
        self.status.setText(f"{error.message_ja} {in_the_window(error.next_step_ja)}")

    # -- slots -----------------------------------------------------------------------------

    def _update_buttons(self) -> None:
        self.save_button.setVisible(not self._busy)
        self.cancel_button.setVisible(self._busy)
        self.save_button.setEnabled(self.report is not None and not self._busy)
        self.month_combo.setEnabled(not self._busy)
        self.open_folder_button.setEnabled(bool(self.saved))

    @Slot(int)
    def _on_month_activated(self, _: int) -> None:
        self._may_move_to_this_month = False  # the operator's choice stands
        self._note = ""
        self.report = None
        self.saved = ()
        self.preview.setPlainText("")
        self._update_buttons()
        self.month_chosen.emit(self.month)

    @Slot()
    def _on_choose_clicked(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self, texts.REPORT_FOLDER, self.folder_edit.text()
        )
        if folder:
            self.folder_edit.setText(folder)

    @Slot()
    def _on_save_clicked(self) -> None:
        xlsx, pdf = self.paths()
        if xlsx is None and pdf is None:
            self.status.setText(texts.REPORT_NOTHING)
            return
        if self.report is not None and not self._busy:
            self.save_requested.emit(self.report, xlsx, pdf)

    @Slot()
    def _on_open_folder_clicked(self) -> None:
        if self.saved:
            self.open_folder_requested.emit(self.saved[0].parent)
