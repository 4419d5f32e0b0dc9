"""SettingsFlow: the 設定 dialog from opening to saving, with its connection test."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Slot
from PySide6.QtWidgets import QDialog, QWidget

from app.core.storage.secrets import (
    LLM_KEY,
    SENDGRID_KEY,
    SecretStore,
    SecretsUnreadableError,
    mask_secret,
)
from app.ui.secret_writes import write_while_waiting
from app.ui.workers import Job

if TYPE_CHECKING:
    from app.core.errors import TodokuError
    from app.core.types import ListPermissions
    from app.ui.connection.controller import ConnectionController
    from app.ui.connection.settings_dialog import SettingsDialog

log = logging.getLogger(__name__)

# run(dialog) -> True when the operator saved
SettingsDialogRunner = Callable[["SettingsDialog"], bool]


def exec_settings_dialog(dialog: SettingsDialog) -> bool:
    return dialog.exec() == QDialog.DialogCode.Accepted


class SettingsFlow(QObject):
    """Opens the dialog with the current settings, shows the saved keys (masked) once a job
    has read them from the keyring, relays 接続テスト results to it while it is open, and hands
    what the operator saved to the connection."""

    def __init__(
        self,
        controller: ConnectionController,
        *,
        run_dialog: SettingsDialogRunner = exec_settings_dialog,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._controller = controller
        self.run_dialog = run_dialog  # tests and the screenshots drive the dialog themselves
        self.dialog: SettingsDialog | None = None
        self._opened = 0  # which dialog a key read belongs to
        self.key_saved = False  # the last open() stored a new SendGrid key
        controller.connection_tested.connect(self._on_controller_connection_tested)

    def open(self, parent: QWidget | None = None) -> bool:
        """Run the dialog; True when settings were saved."""
        from app.ui.connection.settings_dialog import (
            SettingsDialog,  # not needed for the first paint
        )

        controller = self._controller
        # The keyring may take seconds (D-Bus activation, a prompt): the dialog opens at once
        # and shows the keys when the job has read them.
        dialog = SettingsDialog(
            controller.settings.current,
            saved_sendgrid_key="",
            saved_llm_key="",
            keys_persistent=True,
            key_store_where_ja="",
            keys_loading=True,
            practice=controller.practice,
            parent=parent,
        )
        dialog.test_requested.connect(self._on_dialog_test_requested)
        # The keys are written in a job when 保存 is clicked, the dialog waiting (and saying
        # why) until the keyring has answered: a slow keyring froze the window.
        dialog.write_keys = lambda changes: write_while_waiting(
            controller.runner, controller.secrets, changes
        )
        self.dialog = dialog
        self._opened += 1
        secrets, opened = controller.secrets, self._opened
        job = Job("settings-keys", lambda **_: (opened, *_masked_keys(secrets)))
        job.signals.succeeded.connect(self._on_keys_read)
        controller.runner.start(job)
        self.key_saved = False
        try:
            saved = self.run_dialog(dialog)
            if saved and not dialog.keys_written:
                # Accepted without 保存 (a driver of the dialog): the keys are written now.
                error = write_while_waiting(
                    controller.runner, controller.secrets, dialog.key_changes()
                )
                if error is not None:
                    controller.failed.emit(error)
                    saved = False
            if saved:
                self.key_saved = bool(dialog.new_sendgrid_key())
                controller.save_settings(
                    dialog.result_settings(),
                    dialog.new_sendgrid_key(),
                    dialog.new_llm_key(),
                    keys_written=True,
                )
                log.info(
                    "settings saved (key %s)", "set" if dialog.new_sendgrid_key() else "unchanged"
                )
        finally:
            self.dialog = None
            dialog.deleteLater()
        return saved

    @Slot(object)
    def _on_keys_read(self, read: tuple[Any, ...]) -> None:
        opened, *keys = read
        if self.dialog is not None and opened == self._opened:  # still that dialog
            self.dialog.show_saved_keys(*keys)

    @Slot(str, str, str)
    def _on_dialog_test_requested(self, typed_key: str, region: str, subuser: str) -> None:
        # The test uses the base URL as typed, so it can be tried before saving.
        base_url = self.dialog.typed_base_url() if self.dialog is not None else None
        self._controller.test(typed_key, region, subuser, base_url)

    @Slot(object)
    def _on_controller_connection_tested(
        self, outcome: tuple[ListPermissions, ...] | TodokuError
    ) -> None:
        if self.dialog is not None:
            self.dialog.show_test_result(outcome)


def _masked_keys(secrets: SecretStore) -> tuple[str | None, str | None, bool, str]:
    """On a job thread: the saved keys masked ("" none; None unreadable), and where they are
    kept. Only masks leave the job."""
    return (
        _masked(secrets, SENDGRID_KEY),
        _masked(secrets, LLM_KEY),
        secrets.persistent,
        secrets.where_ja,
    )


def _masked(secrets: SecretStore, name: str) -> str | None:
    try:
        return mask_secret(secrets.get(name))
    except SecretsUnreadableError:
        return None
