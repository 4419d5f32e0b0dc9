"""Export choices: file format, all rows or only the filtered ones, and where to save."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.core.export.context import ExportScope, default_file_name
from app.core.export.incomplete import IncompleteFetch
from app.core.types import DateRange
from app.ui.safe_text import plain_label

SAVE = "書き出す"
OVERWRITE = "上書きして書き出す"
OVERWRITE_ASK = (
    "「{name}」はすでにあります。置き換えてよければ「上書きして書き出す」を押してください。"
)


def _is_file(path: Path) -> bool:
    """False too for a name the OS refuses: the export reports that in its own words."""
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def incomplete_warning(incomplete: IncompleteFetch) -> str:
    why = (
        "取得を途中でキャンセルしたため"
        if incomplete.cancelled
        else "取得がエラーで途中で止まったため"
    )
    return (
        f"{why}、一覧は期間・リストの一部の行だけです。Excel ブックには条件シートと"
        "集計シートにそう記します。CSV には書く場所がないため、初めのファイル名に"
        "「途中まで」を付けています。"
        "すべての行が必要なときは、取得し直してから書き出してください。"
    )


@dataclass(frozen=True, slots=True)
class ExportChoice:
    """What the operator chose. ``scope`` is ``all`` or ``filtered``; ``fmt`` is xlsx or csv."""

    path: Path
    scope: ExportScope
    fmt: str


class ExportOptionsDialog(QDialog):
    """Data in (row counts, range, last folder), decision out (``choice``); no file I/O here."""

    def __init__(
        self,
        *,
        date_range: DateRange,
        total_rows: int,
        shown_rows: int,
        last_folder: Path,
        incomplete: IncompleteFetch | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("書き出し")
        self._date_range = date_range
        self._incomplete = incomplete is not None
        self.choice: ExportChoice | None = None
        # An existing file is replaced only after a second press (or the file chooser's own
        # question): the default name repeats for the same range, and yesterday's file, perhaps
        # with the operator's notes in it, was overwritten without a word.
        self._overwrite_ok: Path | None = None
        # The rows of a fetch that stopped early: said before the file is made, and again in it.
        self.incomplete_label = plain_label(incomplete_warning(incomplete) if incomplete else "")
        self.incomplete_label.setWordWrap(True)
        self.incomplete_label.setStyleSheet("color: #c62828; font-weight: bold;")
        self.incomplete_label.setVisible(incomplete is not None)

        format_box = QGroupBox("形式")
        self.xlsx_radio = QRadioButton("Excel ブック（.xlsx）: 一覧・集計・条件の 3 シート")
        self.csv_radio = QRadioButton("CSV（.csv）: Excel で開ける UTF-8（BOM 付き）")
        self.xlsx_radio.setChecked(True)
        self._formats = QButtonGroup(self)
        for button in (self.xlsx_radio, self.csv_radio):
            self._formats.addButton(button)
        format_layout = QVBoxLayout(format_box)
        format_layout.addWidget(self.xlsx_radio)
        format_layout.addWidget(self.csv_radio)

        scope_box = QGroupBox("対象の行")
        self.filtered_radio = QRadioButton(f"表示中の行だけ（{shown_rows:,} 件）")
        self.all_radio = QRadioButton(f"取得したすべての行（{total_rows:,} 件）")
        filtered_differs = shown_rows != total_rows
        self.filtered_radio.setEnabled(filtered_differs)
        (self.filtered_radio if filtered_differs else self.all_radio).setChecked(True)
        self._scopes = QButtonGroup(self)
        for button in (self.filtered_radio, self.all_radio):
            self._scopes.addButton(button)
        scope_layout = QVBoxLayout(scope_box)
        scope_layout.addWidget(self.filtered_radio)
        scope_layout.addWidget(self.all_radio)

        self.path_edit = QLineEdit(
            str(last_folder / default_file_name(date_range, "xlsx", incomplete=self._incomplete))
        )
        browse = QPushButton("参照…")
        browse.clicked.connect(self._browse)
        path_row = QHBoxLayout()
        path_row.addWidget(self.path_edit, 1)
        path_row.addWidget(browse)

        # The error quotes the typed path, which may hold "<": never guessed as rich text.
        self.error_label = plain_label()
        self.error_label.setStyleSheet("color: #b00020;")
        self.error_label.hide()

        buttons = QDialogButtonBox()
        self.save_button = buttons.addButton(SAVE, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton("キャンセル", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.incomplete_label)
        layout.addWidget(format_box)
        layout.addWidget(scope_box)
        layout.addWidget(QLabel("保存先"))
        layout.addLayout(path_row)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)
        self.xlsx_radio.toggled.connect(self._sync_extension)
        self.path_edit.textChanged.connect(self._forget_overwrite)
        # The warning wraps: its height depends on the width, which sizeHint ignores.
        self.resize(560, max(self.sizeHint().height(), layout.totalHeightForWidth(560)))

    @property
    def fmt(self) -> str:
        return "xlsx" if self.xlsx_radio.isChecked() else "csv"

    def _sync_extension(self) -> None:
        path = Path(
            self.path_edit.text().strip()
            or default_file_name(self._date_range, incomplete=self._incomplete)
        )
        self.path_edit.setText(str(path.with_suffix("." + self.fmt)))

    def _browse(self) -> None:
        filters = "Excel ブック (*.xlsx)" if self.fmt == "xlsx" else "CSV (*.csv)"
        chosen, _ = QFileDialog.getSaveFileName(
            self, "保存先を選ぶ", self.path_edit.text(), filters
        )
        if chosen:
            self.path_edit.setText(chosen)
            self._sync_extension()
            self._overwrite_ok = Path(self.path_edit.text()).expanduser()  # asked already

    def _forget_overwrite(self) -> None:
        if self._overwrite_ok is not None:
            self._overwrite_ok = None
            self.save_button.setText(SAVE)
            self.error_label.hide()

    def _accept(self) -> None:
        text = self.path_edit.text().strip()
        if not text:
            self._show_error("保存先のファイル名を入力してください。")
            return
        path = Path(text).expanduser()
        if path.suffix.lower() != "." + self.fmt:
            path = path.with_suffix("." + self.fmt)
        if not path.parent.is_dir():
            self._show_error(
                f"フォルダ「{path.parent}」が見つかりません。別の保存先を選んでください。"
            )
            return
        if _is_file(path) and path != self._overwrite_ok:
            self._show_error(OVERWRITE_ASK.format(name=path.name))
            self._overwrite_ok = path
            self.save_button.setText(OVERWRITE)
            return
        scope: ExportScope = "filtered" if self.filtered_radio.isChecked() else "all"
        self.choice = ExportChoice(path=path, scope=scope, fmt=self.fmt)
        self.accept()

    def _show_error(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.show()
