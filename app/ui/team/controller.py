"""TeamController: the 共有データベース dialog's jobs (接続テスト, moving this PC's records) and
saving its settings (the password to the keyring only)."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QDialog, QWidget

from app.core.errors import CancelledError, TodokuError
from app.core.storage.secrets import SecretStore, SecretsUnreadableError
from app.ui import texts as common_texts
from app.ui.feature import FeatureController
from app.ui.persist import SettingsKeeper
from app.ui.secret_writes import write_while_waiting
from app.ui.team import team_texts as texts
from app.ui.workers import Job, JobRunner

if TYPE_CHECKING:  # the dialog and the connection code load when the dialog is first opened
    from app.core.storage.team.connection import SharedDatabase
    from app.ui.team.settings_dialog import SharedDatabaseDialog, TeamValues

log = logging.getLogger(__name__)

# run_dialog(dialog) -> the dialog's exec() code
TeamDialogRunner = Callable[["SharedDatabaseDialog"], int]


def exec_team_dialog(dialog: SharedDatabaseDialog) -> int:
    return dialog.exec()


def _check_connection(database: SharedDatabase, data_dir: Path, **_: Any) -> str:
    from app.core.storage.team.open import check_connection

    return check_connection(database, data_dir).summary_ja


class TeamController(FeatureController):
    """Signals (besides running / progress / done / failed):
    tested: (ok, text) — the 接続テスト's summary_ja or the Japanese error.
    moved: (ok, text) — what the move copied, or why it stopped.
    moving: (done, total) — operations of the journal copied so far.
    saved: the settings changed (the deletion journal is opened again).
    """

    tested = Signal(bool, str)
    moved = Signal(bool, str)
    moving = Signal(int, int)
    saved = Signal()

    CANCELLING = common_texts.CANCELLING

    def __init__(
        self,
        runner: JobRunner,
        settings_keeper: SettingsKeeper,
        secrets: SecretStore,
        *,
        data_dir: Path,
        journal_path: Path,
        run_dialog: TeamDialogRunner = exec_team_dialog,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(runner, parent)
        self._keeper = settings_keeper
        self._secrets = secrets
        self._data_dir = data_dir
        self._journal_path = journal_path
        self._run_dialog = run_dialog
        self._dialog_links: list[Any] = []
        self._dialog: SharedDatabaseDialog | None = None  # the open one, for a late read

    # -- the dialog ------------------------------------------------------------------------

    def values(self) -> TeamValues:
        from app.ui.team.settings_dialog import TeamValues

        s = self._keeper.current
        return TeamValues(
            enabled=s.shared_db_enabled,
            host=s.shared_db_host,
            port=s.shared_db_port,
            name=s.shared_db_name,
            user=s.shared_db_user,
            sslmode=s.shared_db_sslmode,
        )

    def password_stored(self, user: str, host: str) -> bool:
        from app.core.storage.team.connection import shared_db_password_key

        if not (user and host):
            return False
        try:
            return bool(self._secrets.get(shared_db_password_key(user, host)))
        except SecretsUnreadableError:  # unknown: connecting says why it cannot read it
            return True

    def make_dialog(self, parent: QWidget | None = None) -> SharedDatabaseDialog:
        """The dialog, opened at once: whether a password is stored is read by a job (a slow
        keyring held the window) and shown when known; 保存 writes a typed one in a job."""
        from app.core.storage.team.connection import shared_db_password_key
        from app.ui.team.settings_dialog import SharedDatabaseDialog

        values = self.values()
        dialog = SharedDatabaseDialog(
            values,
            password_stored=None,
            parent=parent,
            keys_persistent=self._secrets.persistent,
        )
        self._dialog = dialog
        job = Job("team-password-read", lambda **_: self.password_stored(values.user, values.host))
        job.signals.succeeded.connect(
            lambda stored: dialog.show_password_stored(stored) if self._dialog is dialog else None
        )
        self.runner.start(job)
        secrets, runner = self._secrets, self.runner
        dialog.write_password = lambda typed, password: write_while_waiting(
            runner, secrets, {shared_db_password_key(typed.user, typed.host): password}
        )
        self.attach(dialog)
        return dialog

    def attach(self, dialog: SharedDatabaseDialog) -> None:
        """The dialog's buttons start this controller's jobs; their answers go back to it."""
        dialog.test_requested.connect(lambda: self.test_connection(dialog.database()))
        dialog.move_requested.connect(lambda: self.move_records(dialog.database()))
        dialog.cancel_requested.connect(self.cancel)
        self._dialog_links = [
            self.tested.connect(dialog.show_result),
            self.moved.connect(dialog.show_result),
            self.running.connect(lambda running: dialog.show_running(running, self._line)),
            self.moving.connect(
                lambda done, total: dialog.show_progress(
                    done, total, texts.MOVE_PROGRESS.format(done=done, total=total)
                )
            ),
            self.progress.connect(lambda line: dialog.result_label.setText(line)),
        ]

    def detach(self) -> None:
        """The dialog is going: its slots leave this controller's signals (no others do)."""
        links, self._dialog_links = self._dialog_links, []
        self._dialog = None
        for link in links:
            QObject.disconnect(link)

    def open_settings(self, parent: QWidget | None = None) -> bool:
        """Show the dialog; True when settings were saved."""
        dialog = self.make_dialog(parent)
        try:
            if self._run_dialog(dialog) != QDialog.DialogCode.Accepted:
                return False
            values, password = dialog.values(), dialog.typed_password()
            if password and values.user and values.host and not dialog.password_written:
                # Accepted without 保存 (a driver of the dialog): the password is written now.
                assert dialog.write_password is not None
                error = dialog.write_password(values, password)
                if error is not None:
                    self.failed.emit(error)
                    return False
            self.save(values, password, password_written=True)
            return True
        finally:
            self.cancel()
            self.detach()
            dialog.deleteLater()

    def save(self, values: TeamValues, password: str, *, password_written: bool = False) -> None:
        """Settings to settings.json; a typed password to the keyring only (unless
        ``password_written``: the dialog's job has already put it there)."""
        from app.core.storage.team.connection import shared_db_password_key

        if password and values.user and values.host and not password_written:
            self._secrets.set(shared_db_password_key(values.user, values.host), password)
        current = self._keeper.current
        self._keeper.store(
            current.replace(
                shared_db_enabled=values.enabled,
                shared_db_host=values.host,
                shared_db_port=values.port,
                shared_db_name=values.name,
                shared_db_user=values.user,
                shared_db_sslmode=values.sslmode,
            )
        )
        log.info("shared database settings saved (enabled=%s)", values.enabled)
        self.saved.emit()

    # -- jobs ------------------------------------------------------------------------------

    _line = ""

    def _with_password(self, database: SharedDatabase) -> SharedDatabase:
        from app.core.storage.team.connection import with_password

        return with_password(database, self._secrets)

    def test_connection(self, database: SharedDatabase) -> bool:
        """接続テスト beside other work (it changes nothing)."""
        self._line = texts.TESTING
        work = functools.partial(_check_connection, self._with_password(database), self._data_dir)
        return self.run("test", work, texts.TESTING, exclusive=False)

    def move_records(self, database: SharedDatabase) -> bool:
        """「このPCの記録を共有データベースへ移す」 in the exclusive lane (it writes)."""
        from app.ui.team.move_job import move_this_pc

        self._line = texts.MOVING
        work = functools.partial(
            move_this_pc, self._with_password(database), self._data_dir, self._journal_path
        )
        if not self.run("move", work, texts.MOVING):
            self.moved.emit(False, texts.BUSY)
            return False
        return True

    @Slot(object)
    def on_progress(self, progress: Any) -> None:
        if isinstance(progress, tuple):
            self.moving.emit(*progress)
        elif progress == "history":
            self.progress.emit(texts.MOVE_HISTORY)

    @Slot(object)
    def on_succeeded(self, result: Any) -> None:
        from app.ui.team.move_job import MoveResult

        if isinstance(result, MoveResult):
            line = texts.MOVE_DONE.format(
                moved=result.moved, already=result.already_there, entries=result.history_entries
            )
            self.moved.emit(True, line)
        else:
            line = str(result)
            self.tested.emit(True, line)
        self.done.emit(line)

    @Slot(object)
    def on_failed(self, error: TodokuError) -> None:
        name = self.job.name if self.job is not None else ""
        if isinstance(error, CancelledError):
            self.moved.emit(False, texts.MOVE_CANCELLED)
            self.done.emit(texts.MOVE_CANCELLED)
            return
        text = error.message_ja
        if error.next_step_ja:
            text += "\n" + texts.in_this_dialog(error.next_step_ja)
        log.warning("team %s failed: %s", name, type(error).__name__)
        (self.moved if name == "move" else self.tested).emit(False, text)
        self.done.emit("")
