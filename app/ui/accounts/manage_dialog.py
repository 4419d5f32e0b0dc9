"""AccountsDialog: the list of accounts with 追加 / 編集 / 削除 / 接続テスト / このアカウントを使う.

It holds no account logic: each button emits an intent with the selected account's name, and
``set_accounts`` / ``show_test_result`` show what the controller did; ``show_write`` waits for
a keyring write (a removal's), saying so, and shows the keyring's refusal.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.core.accounts import Account, ProviderName
from app.core.errors import TodokuError
from app.core.types import ListPermissions
from app.ui.accounts import account_texts as texts
from app.ui.safe_text import plain_label
from app.ui.secret_writes import save_showing_progress
from app.ui.widgets.sentence_label import SentenceLabel
from app.ui.widgets.test_outcome import show_test_outcome
from app.ui.widgets.tint import set_text_colour

_NAME_ROLE = 256  # Qt.ItemDataRole.UserRole


@dataclass(frozen=True)
class AccountRow:
    account: Account
    current: bool
    saved: bool

    def text(self) -> str:
        marks = ""  # the default account's label already says （既定）
        if self.current:
            marks += texts.CURRENT_MARK
        if self.account.provider is ProviderName.SES and self.account.aws_credentials == "chain":
            state = texts.CHAIN_MARK
        else:
            state = texts.SAVED_MARK if self.saved else texts.UNSAVED_MARK
        return f"{self.account.label_ja}{marks}\n    {state}"

    @property
    def untestable(self) -> bool:
        """Nothing saved to test with (SES's standard chain needs nothing saved)."""
        chain = (
            self.account.provider is ProviderName.SES and self.account.aws_credentials == "chain"
        )
        return not self.saved and not chain


class AccountsDialog(QDialog):
    """Signals (each with the selected account's name, except add):
    add_requested, edit_requested, remove_requested, test_requested, use_requested."""

    add_requested = Signal()
    edit_requested = Signal(str)
    remove_requested = Signal(str)
    test_requested = Signal(str)
    use_requested = Signal(str)

    def __init__(
        self,
        rows: list[AccountRow],
        parent: QWidget | None = None,
        *,
        keys_persistent: bool = True,
    ) -> None:
        """``keys_persistent``: the credentials reach the OS keyring (else memory only)."""
        super().__init__(parent)
        self.setWindowTitle(texts.MANAGE_TITLE)
        self.setMinimumSize(620, 420)
        # Broken between its sentences, never inside a word (「直し／てください」 at 1024 px).
        intro = SentenceLabel(texts.MANAGE_INTRO if keys_persistent else texts.MANAGE_INTRO_MEMORY)
        self.list = QListWidget()
        self.list.setAlternatingRowColors(True)
        self.list.currentRowChanged.connect(self._on_current_changed)
        self.list.itemDoubleClicked.connect(self._on_edit_clicked)
        self.add_button = QPushButton(texts.ADD)
        self.edit_button = QPushButton(texts.EDIT)
        self.remove_button = QPushButton(texts.REMOVE)
        self.test_button = QPushButton(texts.TEST)
        self.use_button = QPushButton(texts.USE)
        self.add_button.clicked.connect(self.add_requested)
        self.edit_button.clicked.connect(self._on_edit_clicked)
        self.remove_button.clicked.connect(self._on_remove_clicked)
        self.test_button.clicked.connect(self._on_test_clicked)
        self.use_button.clicked.connect(self._on_use_clicked)
        self.result_label = plain_label()
        self.result_label.setWordWrap(True)
        close = QPushButton(texts.CLOSE)
        close.clicked.connect(self.accept)
        self.close_button = close
        self.saving = False

        # The buttons in one widget, held together while the keyring is written.
        self.button_column = QWidget()
        side = QVBoxLayout(self.button_column)
        side.setContentsMargins(0, 0, 0, 0)
        for button in (
            self.add_button,
            self.edit_button,
            self.remove_button,
            self.test_button,
            self.use_button,
        ):
            side.addWidget(button)
        side.addStretch(1)
        middle = QHBoxLayout()
        middle.addWidget(self.list, 1)
        middle.addWidget(self.button_column)
        bottom = QHBoxLayout()
        bottom.addWidget(self.result_label, 1)
        bottom.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(middle, 1)
        layout.addLayout(bottom)
        self._rows: list[AccountRow] = []
        self.set_accounts(rows)

    def set_accounts(self, rows: list[AccountRow], select: str = "") -> None:
        keep = select or self.selected_name()
        self._rows = rows
        self.list.clear()
        for row in rows:
            item = QListWidgetItem(row.text())
            item.setData(_NAME_ROLE, row.account.name)
            self.list.addItem(item)
        names = [row.account.name for row in rows]
        current = next((i for i, row in enumerate(rows) if row.current), 0)
        self.list.setCurrentRow(names.index(keep) if keep in names else current)

    def selected_name(self) -> str:
        item = self.list.currentItem()
        return str(item.data(_NAME_ROLE)) if item is not None else ""

    def select(self, name: str) -> None:
        for index in range(self.list.count()):
            if self.list.item(index).data(_NAME_ROLE) == name:
                self.list.setCurrentRow(index)

    def show_test_result(
        self, name: str, outcome: tuple[ListPermissions, ...] | TodokuError
    ) -> None:
        self.test_button.setEnabled(True)
        show_test_outcome(self.result_label, outcome, prefix=f"{name}: ")

    def show_message(self, text: str) -> None:
        set_text_colour(self.result_label, "#555555")
        self.result_label.setText(text)

    def show_write(self, saving_ja: str, write: Callable[[], TodokuError | None]) -> bool:
        """Run ``write`` (a keyring write in a job) with the buttons held and ``saving_ja``
        shown; True once written, else the keyring's refusal stays shown in red."""
        self.saving = True
        self.close_button.setEnabled(False)
        try:
            written = save_showing_progress(self.result_label, self.button_column, saving_ja, write)
        finally:
            self.saving = False
            self.close_button.setEnabled(True)
        if written:
            self.result_label.clear()
        self.result_label.setVisible(True)  # hidden after a write: later messages need it
        return written

    def reject(self) -> None:
        if self.saving:  # the keyring write runs: the dialog closes when it has ended
            return
        super().reject()

    @Slot(int)
    def _on_current_changed(self, index: int) -> None:
        row = self._rows[index] if 0 <= index < len(self._rows) else None
        for button in (self.edit_button, self.test_button):
            button.setEnabled(row is not None)
        self.remove_button.setEnabled(row is not None and not row.account.is_default)
        self.use_button.setEnabled(row is not None and not row.current)

    @Slot()
    def _on_edit_clicked(self) -> None:
        if self.selected_name():
            self.edit_requested.emit(self.selected_name())

    @Slot()
    def _on_remove_clicked(self) -> None:
        if self.selected_name():
            self.remove_requested.emit(self.selected_name())

    @Slot()
    def _on_test_clicked(self) -> None:
        row = next((r for r in self._rows if r.account.name == self.selected_name()), None)
        if row is not None and row.untestable:
            # Without a key the test went to the real service and, a dozen seconds of retries
            # later, advised checking the internet connection.
            set_text_colour(self.result_label, "#b00020")
            self.result_label.setText(
                texts.TEST_NEEDS_CREDENTIALS.format(label=row.account.label_ja)
            )
            return
        if self.selected_name():
            self.test_button.setEnabled(False)
            self.show_message(texts.TESTING)
            self.test_requested.emit(self.selected_name())

    @Slot()
    def _on_use_clicked(self) -> None:
        if self.selected_name():
            self.use_requested.emit(self.selected_name())
