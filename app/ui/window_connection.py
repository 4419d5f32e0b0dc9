"""The window's part of the connection: 設定 (built on first use), practice/live switch from
the banner, the 本番 marker and the menu, and what shows which mode the window is in."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Slot

from app.core.accounts import set_endpoint_host
from app.ui import texts
from app.ui.accounts import account_texts
from app.ui.window_title import window_title

if TYPE_CHECKING:
    from app.ui.connection.settings_flow import SettingsFlow
    from app.ui.window_shape import WindowShape
else:
    WindowShape = object


class ConnectionMixin(WindowShape):
    @property
    def settings_flow(self) -> SettingsFlow:
        if self._settings_flow is None:
            from app.ui.connection import settings_flow as module

            self._settings_flow = module.SettingsFlow(
                self.controller.connection,
                run_dialog=self._run_settings_dialog or module.exec_settings_dialog,
                parent=self,
            )
        return self._settings_flow

    @Slot()
    def open_settings(self) -> None:
        if self.settings_flow.open(self):
            self.status_panel.clear_if_fixed_in_settings()
        practice = self.controller.connection.practice
        self._on_connection_mode_changed(practice)
        if (
            practice
            and self.settings_flow.key_saved
            and self.controller.accounts.current.is_default
        ):
            # Saving does not leave practice mode: say so where the switch is.
            self.banner.text_label.setText(texts.PRACTICE_KEY_SAVED)

    @Slot()
    def _on_status_panel_settings_requested(self) -> None:
        if self.window_actions.settings_action.isEnabled():  # not while a job runs
            self.open_settings()

    @Slot()
    def _on_banner_switch_requested(self) -> None:
        connection = self.controller.connection
        connection.switch_mode(not connection.practice)

    @Slot(bool)
    def _on_connection_mode_changed(self, practice: bool) -> None:
        if practice != self._shown_practice:  # an error about the other account is stale
            self._shown_practice = practice
            self.status_panel.clear_if_fixed_in_settings()
        self.banner.setVisible(practice)
        self.live_marker.setVisible(not practice)
        account = self.controller.accounts.current
        self.live_marker.set_account(
            self.controller.connection.masked_key,
            account.provider.label_ja,
            set_endpoint_host(
                account, self.controller.connection.settings.current.sendgrid_base_url
            ),
        )
        self.window_actions.show_mode(practice)
        self.setWindowTitle(
            window_title(
                account, practice=practice, masked_key=self.controller.connection.masked_key
            )
        )
        provider = account.provider.label_ja
        self.banner.text_label.setText(
            texts.PRACTICE_TEXT if account.is_default else account_texts.practice_text(provider)
        )
        self.account_bar.set_mode(practice, texts.PRACTICE_TITLE if practice else texts.LIVE_MODE)

    @Slot()
    def _on_connection_key_loaded(self) -> None:
        self._on_connection_mode_changed(self.controller.connection.practice)
