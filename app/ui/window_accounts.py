"""The window's part of the accounts: アカウントの管理 (built on first use), the chooser in the
menu bar, and the lists the range bar offers and the status bar counts for the current
account's provider."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Slot

if TYPE_CHECKING:
    from app.core.accounts import Account
    from app.ui.accounts.manage_flow import AccountsFlow
    from app.ui.window_shape import WindowShape
else:
    WindowShape = object


class AccountsMixin(WindowShape):
    @property
    def accounts_flow(self) -> AccountsFlow:
        if self._accounts_flow is None:
            from app.ui.accounts.manage_flow import AccountsFlow

            self._accounts_flow = AccountsFlow(self.controller.accounts, parent=self)
        return self._accounts_flow

    @Slot()
    def open_accounts(self) -> None:
        """アカウントの管理…: add, edit, remove, test and choose accounts of every provider."""
        if not self.controller.is_busy():
            self.accounts_flow.open(self)

    @Slot(str)
    def _on_account_bar_switch_requested(self, name: str) -> None:
        # Refused (busy, the keyring): switch_refused has the chooser show the account again.
        self.controller.accounts.request_switch(name)

    @Slot()
    def _on_accounts_accounts_changed(self) -> None:
        accounts = self.controller.accounts
        self.account_bar.set_accounts(accounts.accounts(), accounts.current.name)
        # QMenuBar places its corner widget when it is resized, not when the widget asks for
        # more room: an account added since kept the chooser as wide as 「SendGrid（既定）」,
        # and 「cmc1（カスタマーズメールクラウド）」 was cut to 「cmc1（カスタマーズメール…」.
        from PySide6.QtGui import QResizeEvent
        from PySide6.QtWidgets import QApplication

        menu_bar = self.menuBar()
        QApplication.sendEvent(menu_bar, QResizeEvent(menu_bar.size(), menu_bar.size()))

    @Slot(object)
    def _on_accounts_account_changed(self, account: Account) -> None:
        from app.ui.accounts.account_facts import supported_lists

        self._on_accounts_accounts_changed()
        lists = supported_lists(account.provider)
        self.range_bar.set_available_lists(lists)
        self.status_bar.set_available_lists(lists)
        self.status_bar.show_counts(self.model)
        self._on_connection_mode_changed(self.controller.connection.practice)
