"""HistorySettingsDialog (取得履歴の設定): how long history keeps rows, and
「このアドレスの記録を消す」 (confirmed with an explanation of what happens in each store)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.ui.history import texts
from app.ui.safe_text import plain_label
from app.ui.widgets.fitted_note import FittedNote
from app.ui.widgets.screen_fit import fit_height_to_content

# ask(parent, text) -> True when the operator confirmed the erase
EraseConfirm = Callable[[QWidget, str], bool]


def ask_erase(parent: QWidget, text: str) -> bool:
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(texts.ERASE_CONFIRM_TITLE)
    box.setTextFormat(Qt.TextFormat.PlainText)  # the address is typed by the operator
    box.setText(text)
    erase = box.addButton(
        texts.SETTINGS_ERASE_BUTTON.rstrip("…"), QMessageBox.ButtonRole.AcceptRole
    )
    cancel = box.addButton(texts.REPORT_CANCEL, QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(cancel)
    box.exec()
    return box.clickedButton() is erase


class HistorySettingsDialog(QDialog):
    """Data in (retention days), outcome out (``retention_days``); erasing is an intent.

    Signals:
        erase_requested: str, an address the operator confirmed to erase.
    """

    erase_requested = Signal(str)

    def __init__(
        self,
        retention_days: int,
        parent: QWidget | None = None,
        *,
        confirm_erase: EraseConfirm = ask_erase,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(texts.SETTINGS_TITLE)
        self.setMinimumWidth(520)
        self._confirm_erase = confirm_erase
        self._fitted = False
        self.retention_spin = QSpinBox()
        self.retention_spin.setRange(1, 3650)
        self.retention_spin.setSuffix(texts.SETTINGS_RETENTION_SUFFIX)
        self.retention_spin.setValue(retention_days)
        hint = FittedNote(texts.SETTINGS_RETENTION_HINT)  # its lines' height, no blank band
        self.erase_edit = QLineEdit()
        self.erase_edit.setPlaceholderText(texts.SETTINGS_ERASE_PLACEHOLDER)
        self.erase_button = QPushButton(texts.SETTINGS_ERASE_BUTTON)
        self.erase_status = plain_label(texts.SETTINGS_ERASE_HINT)
        self.erase_status.setWordWrap(True)

        form = QFormLayout()
        form.addRow(texts.SETTINGS_RETENTION, self.retention_spin)
        form.addRow("", hint)
        erase_group = QGroupBox(texts.SETTINGS_ERASE_GROUP)
        erase_row = QHBoxLayout()
        erase_row.addWidget(self.erase_edit, 1)
        erase_row.addWidget(self.erase_button)
        erase_layout = QVBoxLayout(erase_group)
        erase_layout.addLayout(erase_row)
        erase_layout.addWidget(self.erase_status)
        buttons = QDialogButtonBox()
        self.save_button = buttons.addButton(
            texts.SETTINGS_SAVE, QDialogButtonBox.ButtonRole.AcceptRole
        )
        buttons.addButton(texts.REPORT_CANCEL, QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(erase_group)
        layout.addWidget(buttons)
        self.erase_button.clicked.connect(self._on_erase_clicked)
        self.erase_edit.returnPressed.connect(self._on_erase_clicked)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._fitted:  # the first size was reckoned for a narrower width: too tall
            self._fitted = True
            fit_height_to_content(self)

    @property
    def retention_days(self) -> int:
        return self.retention_spin.value()

    def show_erase_result(self, text: str) -> None:
        self.erase_status.setText(text)

    @Slot()
    def _on_erase_clicked(self) -> None:
        email = self.erase_edit.text().strip()
        if "@" not in email:
            self.erase_status.setText(texts.SETTINGS_ERASE_INVALID)
            return
        if self._confirm_erase(self, texts.ERASE_CONFIRM.format(email=email)):
            self.erase_requested.emit(email)
