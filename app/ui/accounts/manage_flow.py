"""AccountsFlow: the アカウントの管理 dialog from opening to closing — its buttons become the
controller's calls, the edit dialog opens for 追加 / 編集, test results go back to whichever
dialog asked."""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, cast

from PySide6.QtCore import QObject, Qt, Slot
from PySide6.QtWidgets import QDialog, QMessageBox, QWidget

from app.ui.accounts import account_texts as texts
from app.ui.accounts.manage_dialog import AccountRow, AccountsDialog

if TYPE_CHECKING:
    from app.core.errors import TodokuError
    from app.core.types import ListPermissions
    from app.ui.accounts.controller import AccountsController
    from app.ui.accounts.edit_dialog import AccountEditDialog

log = logging.getLogger(__name__)

# run_manage(dialog): shows the list until closed; run_edit(dialog) -> True when saved;
# confirm_remove(name, parent) -> True to remove. Tests drive the dialogs themselves.
ManageRunner = Callable[[AccountsDialog], None]
EditRunner = Callable[["AccountEditDialog"], bool]
RemoveConfirm = Callable[[str, QWidget | None], bool]


def exec_manage_dialog(dialog: AccountsDialog) -> None:
    dialog.exec()


def exec_edit_dialog(dialog: AccountEditDialog) -> bool:
    return dialog.exec() == QDialog.DialogCode.Accepted


def ask_remove(name: str, parent: QWidget | None) -> bool:
    # Built by hand, not QMessageBox.question: that one guesses the format (AutoText), and an
    # account name is free text, so "<img …>" in a name would be rendered as rich text.
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle(texts.MANAGE_TITLE)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setText(texts.REMOVE_CONFIRM.format(name=name))
    box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
    box.setDefaultButton(QMessageBox.StandardButton.No)
    return box.exec() == QMessageBox.StandardButton.Yes


class AccountsFlow(QObject):
    def __init__(
        self,
        controller: AccountsController,
        *,
        run_manage: ManageRunner = exec_manage_dialog,
        run_edit: EditRunner = exec_edit_dialog,
        confirm_remove: RemoveConfirm = ask_remove,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._controller = controller
        self.run_manage = run_manage
        self.run_edit = run_edit
        self.confirm_remove = confirm_remove
        self.dialog: AccountsDialog | None = None
        self.edit_dialog: AccountEditDialog | None = None
        controller.connection_tested.connect(self._on_controller_connection_tested)
        controller.accounts_changed.connect(self._refresh)
        controller.account_changed.connect(self._refresh)

    def rows(self) -> list[AccountRow]:
        controller = self._controller
        current = controller.current.name
        return [
            AccountRow(account, account.name == current, controller.has_credentials(account))
            for account in controller.accounts()
        ]

    def open(self, parent: QWidget | None = None) -> None:
        """Read which accounts have credentials saved, then show the dialog. The read is a job
        of the exclusive lane (the keyring may wait for its unlock prompt): the window stays
        responsive, and no fetch or deletion starts before the dialog is up."""
        if self.dialog is not None:
            return
        controller = self._controller

        def then(using: AbstractContextManager[None]) -> bool:
            with using:
                rows = self.rows()
            self._show(rows, parent)
            return False  # no job follows the dialog

        controller.read_first(
            "accounts",
            controller.read_ahead(controller.accounts()),
            then,
            texts.READING_CREDENTIALS,
        )

    def _show(self, rows: list[AccountRow], parent: QWidget | None) -> None:
        dialog = AccountsDialog(rows, parent, keys_persistent=self._controller.secrets.persistent)
        dialog.add_requested.connect(self.add)
        dialog.edit_requested.connect(self.edit)
        dialog.remove_requested.connect(self.remove)
        dialog.test_requested.connect(self.test)
        dialog.use_requested.connect(self._controller.request_switch)
        self.dialog = dialog
        try:
            self.run_manage(dialog)
        finally:
            self.dialog = None
            dialog.deleteLater()

    # -- the dialog's intents ------------------------------------------------------------

    @Slot()
    def add(self) -> bool:
        return self._edit(None, {})

    @Slot(str)
    def edit(self, name: str) -> None:
        """The saved secrets' masks (the placeholders) are read in a job, then the dialog."""
        controller = self._controller
        account = next((a for a in controller.accounts() if a.name == name), None)
        if account is None or self.edit_dialog is not None:
            return
        controller.with_credentials_read(
            (account,),
            lambda: controller.masked_secrets(account),
            lambda saved: self._edit(account.name, saved),
        )

    def _edit(self, name: str | None, saved_secrets: dict[str, str]) -> bool:
        from app.ui.accounts.edit_dialog import AccountEditDialog

        controller = self._controller
        accounts = controller.accounts()
        account = next((a for a in accounts if a.name == name), None)
        if self.edit_dialog is not None:
            return False
        dialog = AccountEditDialog(
            account,
            saved_secrets=saved_secrets if account else {},
            taken_names=tuple(a.name for a in accounts),
            parent=self.dialog,
        )
        dialog.test_requested.connect(controller.test)
        # 保存 writes the secrets in a job, the dialog waiting (and saying why) until the
        # keyring has answered; the account's settings are stored only once they are in.
        dialog.write_credentials = lambda: controller.write_credentials(
            dialog.result_account(), dialog.new_credentials(), previous=account
        )
        self.edit_dialog = dialog
        try:
            saved = self.run_edit(dialog)
            if saved:
                # Accepted without 保存 (a driver of the dialog): the secrets are written now.
                result = dialog.result_account()
                saved = controller.save_account(
                    result,
                    dialog.new_credentials(),
                    previous=account,
                    written=dialog.credentials_written,
                )
            if saved:
                self._refresh(select=result.name)
        finally:
            self.edit_dialog = None
            dialog.deleteLater()
        return saved

    @Slot(str)
    def remove(self, name: str) -> bool:
        account = next((a for a in self._controller.accounts() if a.name == name), None)
        if account is None:
            return False
        if account.is_default:
            if self.dialog is not None:
                self.dialog.show_message(texts.REMOVE_DEFAULT)
            return False
        if not self.confirm_remove(name, self.dialog):
            return False
        dialog = self.dialog
        if dialog is None:
            return self._controller.remove_account(name)
        # The secrets are removed in a job while the list waits, saying so; if the keyring
        # refuses, the list says that instead and the account stays.
        removed = self._controller.remove_account(
            name, lambda write: dialog.show_write(texts.REMOVING_CREDENTIALS, write)
        )
        if removed:
            dialog.show_message(texts.REMOVED.format(name=name))
        return removed

    @Slot(str)
    def test(self, name: str) -> None:
        account = next((a for a in self._controller.accounts() if a.name == name), None)
        if account is not None:
            self._controller.test(account, {})

    # -- controller → dialogs ------------------------------------------------------------

    @Slot()
    def _refresh(self, *_: object, select: str = "") -> None:
        """The dialog's rows again, credentials read in a job."""
        if self.dialog is None:
            return
        controller = self._controller

        def show(rows: list[AccountRow]) -> None:
            if self.dialog is not None:
                self.dialog.set_accounts(rows, select=select)

        controller.with_credentials_read(controller.accounts(), self.rows, show)

    @Slot(object)
    def _on_controller_connection_tested(self, outcome: object) -> None:
        name, result = cast("tuple[str, tuple[ListPermissions, ...] | TodokuError]", outcome)
        if self.edit_dialog is not None:
            self.edit_dialog.show_test_result(result)
        elif self.dialog is not None:
            self.dialog.show_test_result(name, result)
