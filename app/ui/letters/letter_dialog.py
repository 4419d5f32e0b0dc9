"""LetterDialog: the letters for the selected entries, as plain text, to copy or save.

Letters quote bounce text from remote servers: everything is shown in a ``QPlainTextEdit`` and
plain-text labels, so nothing in a reason is ever interpreted as HTML.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Signal, Slot
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.core.export.output import ExportError, save_text
from app.core.file_name_part import file_name_part
from app.core.letters import LetterKind
from app.core.letters.compose import Letter
from app.core.letters.polish import PolishResult
from app.ui.letters import letter_texts as texts
from app.ui.letters.letter_sets import LetterChoices, LetterSet
from app.ui.safe_text import address_line, plain_label
from app.ui.widgets.screen_fit import resize_within_screen

log = logging.getLogger(__name__)

# ask_path(dialog, suggested file name) -> the chosen path, or None when cancelled
AskPath = Callable[[QWidget, str], Path | None]
MAX_LEFT_OUT_SHOWN = 8


def ask_save_path(parent: QWidget, suggested: str) -> Path | None:
    chosen, _ = QFileDialog.getSaveFileName(
        parent, texts.SAVE_CAPTION, str(Path.home() / suggested), texts.SAVE_FILTER
    )
    return Path(chosen) if chosen else None


class LetterDialog(QDialog):
    """Takes the composed letters (every kind) and whether AI polish is available.

    Signals:
        fill_in_requested: 送信元の情報を入力… (the controller opens the settings, then calls
            ``set_choices`` with letters composed from the new facts).
        polish_requested: object, the Letter to polish (the answer comes to ``show_polish``).
    """

    fill_in_requested = Signal()
    polish_requested = Signal(object)

    def __init__(
        self,
        choices: LetterChoices,
        *,
        ai_available: bool,
        ask_path: AskPath = ask_save_path,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(texts.LETTERS_TITLE)
        resize_within_screen(self, 900, 680)
        self._choices = choices
        self._letters: list[Letter] = []
        self._ask_path = ask_path
        self._ai_available = ai_available

        self.kind_combo = QComboBox()
        self.kind_combo.addItem(texts.KIND_AUTO, None)
        for kind in LetterKind:
            self.kind_combo.addItem(kind.label_ja, kind.value)
        self.letter_combo = QComboBox()
        self.letter_combo.setMinimumContentsLength(30)
        self.warning_label = plain_label()
        self.warning_label.setWordWrap(True)
        self.warning_label.setStyleSheet("color: #b26a00;")
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.missing_label = plain_label()
        self.missing_label.setWordWrap(True)
        self.fill_in_button = QPushButton(texts.FILL_IN)
        self.left_out_label = plain_label()
        self.left_out_label.setWordWrap(True)
        self.left_out_label.setStyleSheet("color: #555;")
        self.status_label = plain_label()
        self.status_label.setWordWrap(True)
        self.polish_button = QPushButton(texts.POLISH)
        self.polish_button.setToolTip(texts.POLISH_TIP if ai_available else texts.POLISH_OFF_TIP)
        self.copy_button = QPushButton(texts.COPY)
        self.save_button = QPushButton(texts.SAVE)
        self.close_button = QPushButton(texts.CLOSE)
        self.close_button.setAutoDefault(False)

        form = QFormLayout()
        form.addRow(texts.KIND_LABEL, self.kind_combo)
        form.addRow(texts.LETTER_LABEL, self.letter_combo)
        missing_row = QHBoxLayout()
        missing_row.addWidget(self.missing_label, 1)
        missing_row.addWidget(self.fill_in_button)
        buttons = QHBoxLayout()
        buttons.addWidget(self.polish_button)
        buttons.addStretch(1)
        buttons.addWidget(self.copy_button)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.warning_label)
        layout.addWidget(self.text, 1)
        layout.addLayout(missing_row)
        layout.addWidget(self.left_out_label)
        layout.addWidget(self.status_label)
        layout.addLayout(buttons)

        self.kind_combo.currentIndexChanged.connect(self._on_kind_combo_changed)
        self.letter_combo.currentIndexChanged.connect(self._on_letter_combo_changed)
        self.fill_in_button.clicked.connect(self.fill_in_requested)
        self.polish_button.clicked.connect(self._on_polish_clicked)
        self.copy_button.clicked.connect(self.copy_letter)
        self.save_button.clicked.connect(self._on_save_clicked)
        self.close_button.clicked.connect(self.accept)
        self._show_set()

    # -- state ---------------------------------------------------------------------------

    @property
    def kind(self) -> LetterKind | None:
        value = self.kind_combo.currentData()
        return LetterKind(value) if value else None

    @property
    def current_letter(self) -> Letter | None:
        index = self.letter_combo.currentIndex()
        return self._letters[index] if 0 <= index < len(self._letters) else None

    def current_set(self) -> LetterSet:
        return self._choices.sets[self.kind]

    def select_kind(self, kind: LetterKind | None) -> None:
        self.kind_combo.setCurrentIndex(
            max(0, self.kind_combo.findData(kind.value if kind else None))
        )

    def set_choices(self, choices: LetterChoices) -> None:
        """New letters (e.g. after the sender facts were filled in); keeps kind and position."""
        position = self.letter_combo.currentIndex()
        self._choices = choices
        self._show_set(position)

    def show_polish(self, result: PolishResult, original: Letter) -> None:
        """The answer to ``polish_requested``: swap the letter in when it was accepted."""
        self.polish_button.setEnabled(self._ai_available)
        if not result.applied:
            self.status_label.setStyleSheet("color: #b26a00;")
            self.status_label.setText(
                texts.POLISH_REFUSED.format(problems=" / ".join(result.problems))
            )
            return
        for index, letter in enumerate(self._letters):
            if letter is original:
                self._letters[index] = result.letter
                if index == self.letter_combo.currentIndex():
                    self._show_letter()
        self.status_label.setStyleSheet("color: #1b5e20;")
        self.status_label.setText(texts.POLISH_APPLIED)

    def show_polish_running(self) -> None:
        self.polish_button.setEnabled(False)
        self.status_label.setStyleSheet("")
        self.status_label.setText(texts.POLISHING)

    def show_polish_failed(self, message: str) -> None:
        self.polish_button.setEnabled(self._ai_available)
        self.status_label.setStyleSheet("color: #c62828;")
        self.status_label.setText(message)

    # -- display -------------------------------------------------------------------------

    def _show_set(self, position: int = 0) -> None:
        letter_set = self.current_set()
        self._letters = list(letter_set.letters)
        self.letter_combo.blockSignals(True)
        self.letter_combo.clear()
        for letter in self._letters:
            self.letter_combo.addItem(
                texts.LETTER_ITEM.format(title=letter.title, side=address_line(letter.side))
            )
        self.letter_combo.setCurrentIndex(min(max(0, position), len(self._letters) - 1))
        self.letter_combo.setEnabled(len(self._letters) > 1)
        self.letter_combo.blockSignals(False)
        warnings = list(self._choices.warnings_ja)
        if letter_set.overridden:
            warnings.insert(0, texts.OVERRIDE_WARNING)
        self.warning_label.setText("\n".join(warnings))
        self.warning_label.setVisible(bool(warnings))
        self.left_out_label.setText(self._left_out_text(letter_set))
        self.left_out_label.setVisible(bool(letter_set.left_out) and bool(self._letters))
        self._show_letter()

    def _left_out_text(self, letter_set: LetterSet) -> str:
        lines = [texts.LEFT_OUT_HEAD.format(count=len(letter_set.left_out))]
        for email, why in letter_set.left_out[:MAX_LEFT_OUT_SHOWN]:
            lines.append(texts.LEFT_OUT_LINE.format(email=address_line(email), why=why))
        if len(letter_set.left_out) > MAX_LEFT_OUT_SHOWN:
            lines.append("…")
        return "\n".join(lines)

    def _show_letter(self) -> None:
        letter = self.current_letter
        has_letter = letter is not None
        for button in (self.copy_button, self.save_button):
            button.setEnabled(has_letter)
        self.polish_button.setEnabled(has_letter and self._ai_available)
        self.status_label.clear()
        if letter is None:
            reasons = "\n".join(
                texts.LEFT_OUT_LINE.format(email=address_line(email), why=why)
                for email, why in self.current_set().left_out[:MAX_LEFT_OUT_SHOWN]
            )
            self.text.setPlainText(texts.NO_LETTER.format(reasons=reasons))
            self.missing_label.clear()
            self.fill_in_button.setVisible(False)
            return
        self.text.setPlainText(letter.as_text())
        missing = letter.missing_ja
        if missing:
            self.missing_label.setStyleSheet("color: #c62828;")
            lines = [texts.MISSING_HEAD.format(items="、".join(missing))]
            lines += [
                texts.SENDER_LEFT_OUT.format(why=why) for why in self._choices.sender_left_out_ja
            ]
            self.missing_label.setText("\n".join(lines))
        else:
            self.missing_label.setStyleSheet("color: #1b5e20;")
            self.missing_label.setText(texts.MISSING_NONE)
        self.fill_in_button.setVisible(True)

    # -- actions -------------------------------------------------------------------------

    @Slot()
    def copy_letter(self) -> None:
        letter = self.current_letter
        if letter is not None:
            QGuiApplication.clipboard().setText(letter.as_text())
            self.status_label.setStyleSheet("")
            self.status_label.setText(texts.COPIED)

    def save_to(self, path: Path) -> bool:
        letter = self.current_letter
        if letter is None:
            return False
        try:
            save_text(path, letter.as_text())
        except ExportError as failure:  # in Japanese already (the OS's strerror is English)
            log.warning("letter not saved: %s", failure.detail)
            self.status_label.setStyleSheet("color: #c62828;")
            self.status_label.setText(
                texts.SAVE_FAILED.format(message=failure.message_ja, next_step=failure.next_step_ja)
            )
            return False
        self.status_label.setStyleSheet("")
        self.status_label.setText(texts.SAVED.format(path=path))
        return True

    def suggested_file_name(self) -> str:
        letter = self.current_letter
        side = file_name_part(letter.side) if letter else ""
        return f"連絡文_{side}.txt"

    @Slot()
    def _on_save_clicked(self) -> None:
        path = self._ask_path(self, self.suggested_file_name())
        if path is not None:
            self.save_to(path)

    @Slot()
    def _on_polish_clicked(self) -> None:
        letter = self.current_letter
        if letter is not None and self._ai_available:
            self.show_polish_running()
            self.polish_requested.emit(letter)

    @Slot(int)
    def _on_kind_combo_changed(self, _: int) -> None:
        self._show_set()

    @Slot(int)
    def _on_letter_combo_changed(self, _: int) -> None:
        self._show_letter()
