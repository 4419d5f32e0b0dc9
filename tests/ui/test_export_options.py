"""The export options dialog: data in, decision out, and a clear message for a bad folder."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt

from app.core.types import DateRange
from app.ui.export.options_dialog import ExportOptionsDialog

RANGE = DateRange(date(2026, 11, 1), date(2026, 11, 30))


def make(qtbot, tmp_path: Path, shown: int = 10, total: int = 10) -> ExportOptionsDialog:
    dialog = ExportOptionsDialog(
        date_range=RANGE, total_rows=total, shown_rows=shown, last_folder=tmp_path
    )
    qtbot.addWidget(dialog)
    return dialog


def test_defaults_to_xlsx_with_the_range_in_the_name(qtbot, tmp_path: Path) -> None:
    dialog = make(qtbot, tmp_path)
    assert dialog.path_edit.text() == str(tmp_path / "todoku_20261101-20261130.xlsx")
    assert not dialog.filtered_radio.isEnabled() and dialog.all_radio.isChecked()
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.choice is not None
    assert (dialog.choice.fmt, dialog.choice.scope) == ("xlsx", "all")


def test_filtered_rows_and_csv(qtbot, tmp_path: Path) -> None:
    dialog = make(qtbot, tmp_path, shown=3, total=10)
    assert dialog.filtered_radio.isChecked() and "3 件" in dialog.filtered_radio.text()
    dialog.csv_radio.setChecked(True)
    assert dialog.path_edit.text().endswith(".csv")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.choice.scope == "filtered" and dialog.choice.path.suffix == ".csv"


def test_missing_folder_is_explained_and_nothing_is_chosen(qtbot, tmp_path: Path) -> None:
    dialog = make(qtbot, tmp_path)
    dialog.path_edit.setText(str(tmp_path / "no-such-folder" / "x.xlsx"))
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.choice is None
    assert "見つかりません" in dialog.error_label.text()


def test_a_folder_name_with_markup_stays_plain_text_in_the_error(qtbot, tmp_path: Path) -> None:
    # The error quotes the typed folder; "<b>" in it must show as typed, never as bold.
    dialog = make(qtbot, tmp_path)
    dialog.path_edit.setText(str(tmp_path / "<b>no-such</b>" / "x.xlsx"))
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert "<b>no-such</b>" in dialog.error_label.text()
    assert dialog.error_label.textFormat() == Qt.TextFormat.PlainText


def test_an_existing_file_is_replaced_only_after_a_second_press(qtbot, tmp_path: Path) -> None:
    # The default name repeats for the same range: yesterday's export (perhaps with notes
    # added in Excel) was overwritten without a word.
    (tmp_path / "todoku_20261101-20261130.xlsx").write_bytes(b"yesterday")
    dialog = make(qtbot, tmp_path)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.choice is None
    assert "すでにあります" in dialog.error_label.text() and dialog.error_label.isVisibleTo(dialog)
    assert dialog.save_button.text() == "上書きして書き出す"
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.choice is not None
    assert dialog.choice.path == tmp_path / "todoku_20261101-20261130.xlsx"


def test_changing_the_name_after_the_question_asks_again(qtbot, tmp_path: Path) -> None:
    (tmp_path / "a.xlsx").write_bytes(b"a")
    (tmp_path / "b.xlsx").write_bytes(b"b")
    dialog = make(qtbot, tmp_path)
    dialog.path_edit.setText(str(tmp_path / "a.xlsx"))
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    dialog.path_edit.setText(str(tmp_path / "b.xlsx"))
    assert dialog.save_button.text() == "書き出す"
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.choice is None and "b.xlsx" in dialog.error_label.text()
