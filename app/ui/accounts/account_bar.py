"""AccountBar: which account the window is on, a chooser to switch, and 管理…; it sits at the
right of the menu bar, so it costs the grid no height."""

from __future__ import annotations

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QWidget

from app.core.accounts import Account
from app.ui.accounts import account_texts as texts
from app.ui.safe_text import plain_label
from app.ui.widgets.tint import set_text_colour


class AccountBar(QWidget):
    """Signals:
    switch_requested: str, the account name the operator chose.
    manage_requested: 管理… pressed."""

    switch_requested = Signal(str)
    manage_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.combo = QComboBox()
        self.combo.setMinimumContentsLength(18)
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.combo.setToolTip(texts.ACCOUNT_LABEL)
        self.combo.activated.connect(self._on_combo_activated)
        self.mode_label = plain_label()
        self.manage_button = QPushButton(texts.MANAGE)
        self.manage_button.clicked.connect(self.manage_requested)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 0, 6, 0)
        layout.addWidget(QLabel(texts.ACCOUNT_LABEL))
        layout.addWidget(self.combo)
        layout.addWidget(self.mode_label)
        layout.addWidget(self.manage_button)

    def set_accounts(self, accounts: tuple[Account, ...], current: str) -> None:
        self.combo.blockSignals(True)
        self.combo.clear()
        for account in accounts:
            self.combo.addItem(account.label_ja, account.name)
        self.combo.setCurrentIndex(max(0, self.combo.findData(current)))
        self.combo.blockSignals(False)

    def current_name(self) -> str:
        return str(self.combo.currentData() or "")

    def set_mode(self, practice: bool, mode_text: str) -> None:
        self.mode_label.setText(mode_text)
        set_text_colour(self.mode_label, "#7a5a00" if practice else "#1b5e20", bold=True)

    def set_busy(self, busy: bool) -> None:
        """No switch while a fetch, a delete or an export runs (its rows are this account's)."""
        self.combo.setEnabled(not busy)
        self.manage_button.setEnabled(not busy)

    @Slot(int)
    def _on_combo_activated(self, index: int) -> None:
        self.switch_requested.emit(str(self.combo.itemData(index)))
