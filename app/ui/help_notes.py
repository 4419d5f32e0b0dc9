"""HelpNotes: the ヘルプ menu's notes (使い方, ショートカット, ログ, このアプリについて)."""

from __future__ import annotations

from PySide6.QtCore import QObject, Slot
from PySide6.QtWidgets import QWidget

from app.ui import texts
from app.ui.dialogs.note_dialog import NoteDialog


class HelpNotes(QObject):
    """Opens each note window-modal on ``window`` without blocking; the last one stays in
    ``last_note`` (tests read it)."""

    def __init__(self, window: QWidget, log_path: str) -> None:
        super().__init__(window)
        self._window = window
        self._log_path = log_path
        self.last_note: NoteDialog | None = None

    @Slot()
    def show_log(self) -> None:
        self._show(texts.ACTION_OPEN_LOG, texts.ERROR_DIALOG_LOG.format(path=self._log_path or "—"))

    @Slot()
    def show_usage(self) -> None:
        self._show(texts.USAGE_TITLE, texts.USAGE_TEXT)

    @Slot()
    def show_shortcuts(self) -> None:
        self._show(texts.SHORTCUTS_TITLE, texts.SHORTCUTS_TEXT)

    @Slot()
    def show_about(self) -> None:
        from app import __version__

        text = texts.ABOUT_TEXT.format(
            version=__version__, title=texts.APP_TITLE, log=self._log_path or "—"
        )
        self._show(texts.ABOUT_TITLE, text)

    def _show(self, title: str, text: str) -> NoteDialog:
        from PySide6.QtCore import Qt  # the Qt namespace's enums take ~11 ms to build

        # Not a QMessageBox: it cannot scroll, and 使い方 is taller than a laptop at 200 %.
        note = NoteDialog(title, text, self._window)
        note.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        note.open()
        self.last_note = note
        return note
