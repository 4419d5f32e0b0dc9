"""DmarcTab (DMARC tab page): the import buttons, the progress/summary line, the files that
could not be read, and the DmarcView (built on first use: it brings the DMARC core with it).

The tab only emits intents; ``connect_dmarc`` wires them to the DmarcController. File and
IMAP dialogs are attributes (``choose_files``, ``choose_folder``, ``choose_save_path``,
``run_imap_dialog``) so tests can answer them without a modal loop. Files and folders can
also be dropped onto the tab.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSettings, Qt, Signal, Slot
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QShowEvent
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.ui.dmarc import texts
from app.ui.safe_text import plain_label, shown
from app.ui.widgets.sentence_label import SentenceLabel
from app.ui.widgets.side_scroller import SideScroller

if TYPE_CHECKING:
    from app.ui.dmarc.controller import DmarcController
    from app.ui.dmarc.imap_dialog import ImapChoice, ImapDialog
    from app.ui.dmarc.view import DmarcView

_SETTINGS_GROUP = "dmarc"  # comfort state only (last folder, IMAP host/user/folder): no secret


def _choose_files(parent: QWidget, folder: str) -> list[Path]:
    names, _ = QFileDialog.getOpenFileNames(parent, texts.OPEN_FILES, folder, texts.FILE_FILTER)
    return [Path(name) for name in names]


def _choose_folder(parent: QWidget, folder: str) -> list[Path]:
    name = QFileDialog.getExistingDirectory(parent, texts.OPEN_FOLDER, folder)
    return [Path(name)] if name else []


def _choose_save_path(parent: QWidget, folder: str) -> Path | None:
    name, _ = QFileDialog.getSaveFileName(
        parent, texts.EXPORT, str(Path(folder) / texts.DEFAULT_XLSX_NAME), texts.XLSX_FILTER
    )
    if not name:
        return None
    path = Path(name)
    return path if path.suffix.lower() == ".xlsx" else path.with_suffix(".xlsx")


def _run_imap_dialog(dialog: ImapDialog) -> ImapChoice | None:
    from app.ui.dmarc.imap_dialog import exec_imap_dialog

    return exec_imap_dialog(dialog)


class DmarcTab(QWidget):
    """Signals:
    paths_chosen(list[Path]): files or folders to import (dialogs or a drop).
    imap_chosen(ImapChoice): read this IMAP folder.
    practice_requested: load the generated practice reports.
    check_requested(tuple[str, ...]): check the published records with these DKIM selectors.
    export_chosen(Path): write the workbook here.
    cancel_requested: stop the running DMARC job.
    """

    TITLE = texts.TAB_TITLE

    paths_chosen = Signal(object)
    imap_chosen = Signal(object)
    practice_requested = Signal()
    check_requested = Signal(object)
    export_chosen = Signal(object)
    cancel_requested = Signal()

    def __init__(
        self,
        *,
        password_stored: Callable[[Callable[[bool], None]], None] = lambda answer: answer(False),
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.choose_files: Callable[[QWidget, str], list[Path]] = _choose_files
        self.choose_folder: Callable[[QWidget, str], list[Path]] = _choose_folder
        self.choose_save_path: Callable[[QWidget, str], Path | None] = _choose_save_path
        self.run_imap_dialog: Callable[[ImapDialog], ImapChoice | None] = _run_imap_dialog
        # Asks (a keyring read, in a job) whether an IMAP password is stored; answers later.
        self._password_stored = password_stored
        self._imap_dialog: ImapDialog | None = None
        self._view: DmarcView | None = None
        self._has_result = False
        self._result: Any = None
        self._busy = False
        self._practice = False
        self.setAcceptDrops(True)

        self.files_button = QPushButton(texts.OPEN_FILES)
        self.folder_button = QPushButton(texts.OPEN_FOLDER)
        self.imap_button = QPushButton(texts.OPEN_IMAP)
        self.practice_button = QPushButton(texts.LOAD_PRACTICE)
        self.practice_button.setVisible(False)
        self.export_button = QPushButton(texts.EXPORT)
        self.export_button.setEnabled(False)
        self.cancel_button = QPushButton(texts.CANCEL)
        self.cancel_button.setVisible(False)
        self.files_button.clicked.connect(self._on_files_clicked)
        self.folder_button.clicked.connect(self._on_folder_clicked)
        self.imap_button.clicked.connect(self._on_imap_clicked)
        self.practice_button.clicked.connect(self.practice_requested)
        self.export_button.clicked.connect(self._on_export_clicked)
        self.cancel_button.clicked.connect(self.cancel_requested)
        bar = QHBoxLayout()
        for button in (
            self.files_button,
            self.folder_button,
            self.imap_button,
            self.practice_button,
        ):
            bar.addWidget(button)
        bar.addStretch(1)
        bar.addWidget(self.cancel_button)
        bar.addWidget(self.export_button)

        # Wrapped between its sentences where it can (not 「外部」 / 「には送りません。」).
        self.status_label = SentenceLabel(texts.EMPTY_HINT)
        self.summary_label = plain_label("")
        self.summary_label.setWordWrap(True)
        self.summary_label.setStyleSheet("font-weight: bold;")
        self.summary_label.setVisible(False)
        self.problems_label = plain_label("")
        self.problems_label.setStyleSheet("color: #a61b1b; font-weight: bold;")
        self.problems_box = QPlainTextEdit()
        self.problems_box.setReadOnly(True)  # file names and reasons as plain text
        self.problems_label.setVisible(False)
        self.problems_box.setVisible(False)

        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(4, 4, 4, 4)
        bar_box = QWidget()
        bar_box.setLayout(bar)
        bar.setContentsMargins(0, 0, 0, 0)
        self._layout.addWidget(SideScroller(bar_box))  # scrolls sideways on an 800 px screen
        self._layout.addWidget(self.status_label)
        self._layout.addWidget(self.summary_label)
        self._layout.addWidget(self.problems_label)
        self._layout.addWidget(self.problems_box)

    # -- the view --------------------------------------------------------------------------

    @property
    def view(self) -> DmarcView:
        if self._view is None:
            from app.ui.dmarc.view import DmarcView

            view = DmarcView()
            view.check_requested.connect(self.check_requested)
            self._layout.addWidget(view, 1)
            if self.isVisible():
                view.show()
            self._view = view
        return self._view

    def showEvent(self, event: QShowEvent) -> None:
        self.view  # noqa: B018 (the property builds it)
        super().showEvent(event)

    # -- controller state ------------------------------------------------------------------

    @Slot(str)
    def set_status(self, text: str) -> None:
        """Progress and summary lines; "" after an error (the error is in the status panel).
        The import's summary stays in its own line, so it is not repeated here."""
        self.status_label.setText(text or texts.FAILED_LINE)
        summary = self.summary_label
        self.status_label.setVisible(not (summary.isVisibleTo(self) and text == summary.text()))

    @Slot(bool)
    def set_busy(self, busy: bool) -> None:
        self._busy = busy
        for button in (
            self.files_button,
            self.folder_button,
            self.imap_button,
            self.practice_button,
        ):
            button.setEnabled(not busy)
        self.export_button.setEnabled(not busy and self._has_result)
        self.cancel_button.setVisible(busy)
        self.setAcceptDrops(not busy)
        if self._view is not None:
            self._view.set_busy(busy)

    @Slot(bool)
    def set_practice(self, practice: bool) -> None:
        self._practice = practice
        self.practice_button.setVisible(practice)
        if not self._has_result and not self._busy:
            hint = texts.EMPTY_HINT + ("\n" + texts.PRACTICE_HINT if practice else "")
            self.status_label.setText(hint)

    @Slot(object)
    def show_imported(self, imported: Any) -> None:
        """DmarcController.imported: a new result replaces the shown one."""
        from app.ui.dmarc.presentation import problems_text, summary_line

        result = imported.result
        self._result = result
        self.summary_label.setText(shown(summary_line(result)))
        self.summary_label.setVisible(True)
        self._has_result = True
        self.view.show_result(result)
        problems = problems_text(result)
        self.problems_label.setText(texts.PROBLEMS_TITLE.format(count=len(result.problems)))
        self.problems_box.setPlainText(shown(problems))
        lines = min(4, max(1, len(result.problems)))  # room for up to 4, then it scrolls
        box = self.problems_box
        margins = 2 * (box.frameWidth() + int(box.document().documentMargin())) + 8
        box.setFixedHeight(lines * box.fontMetrics().lineSpacing() + margins)
        box.setVerticalScrollBarPolicy(
            Qt.ScrollBarPolicy.ScrollBarAsNeeded
            if len(result.problems) > lines
            else Qt.ScrollBarPolicy.ScrollBarAlwaysOff
        )
        self.problems_label.setVisible(bool(problems))
        self.problems_box.setVisible(bool(problems))
        self.export_button.setEnabled(not self._busy)

    @Slot(object)
    def show_checked_for_current(self, checked: Any) -> None:
        """DmarcController.checked: the records of the domains in the shown result."""
        self.view.show_check(self._result, checked)
        self.view.sections.setCurrentIndex(2)

    # -- drag and drop ---------------------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # Qt override
        if not self._busy and _local_paths(event.mimeData().urls()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:  # Qt override
        paths = _local_paths(event.mimeData().urls())
        if self._busy or not paths:
            event.ignore()
            return
        event.acceptProposedAction()
        self._remember_folder(paths[0])
        self.paths_chosen.emit(paths)

    # -- buttons ---------------------------------------------------------------------------

    @Slot()
    def _on_files_clicked(self) -> None:
        self._emit_paths(self.choose_files(self, self._last_folder()))

    @Slot()
    def _on_folder_clicked(self) -> None:
        self._emit_paths(self.choose_folder(self, self._last_folder()))

    def _emit_paths(self, paths: Sequence[Path]) -> None:
        if paths:
            self._remember_folder(paths[0])
            self.paths_chosen.emit(list(paths))

    @Slot()
    def _on_imap_clicked(self) -> None:
        from app.ui.dmarc.imap_dialog import ImapDialog

        settings = QSettings()
        settings.beginGroup(_SETTINGS_GROUP)
        dialog = ImapDialog(
            host=str(settings.value("imap_host", "")),
            port=int(str(settings.value("imap_port", 993))),
            username=str(settings.value("imap_user", "")),
            folder=str(settings.value("imap_folder", "INBOX")),
            cafile=str(settings.value("imap_cafile", "")),
            password_stored=None,  # known once the keyring has answered
            parent=self,
        )
        self._imap_dialog = dialog

        def answer(stored: bool) -> None:
            if self._imap_dialog is dialog:  # still open: a late answer finds nothing
                dialog.show_password_stored(stored)

        self._password_stored(answer)
        try:
            choice = self.run_imap_dialog(dialog)
        finally:
            self._imap_dialog = None
            dialog.deleteLater()
        if choice is None:
            return
        for key, value in (
            ("imap_host", choice.host),
            ("imap_port", choice.port),
            ("imap_user", choice.username),
            ("imap_folder", choice.folder),
            ("imap_cafile", choice.cafile),
        ):
            settings.setValue(key, value)
        self.imap_chosen.emit(choice)

    @Slot()
    def _on_export_clicked(self) -> None:
        path = self.choose_save_path(self, self._last_folder())
        if path is not None:
            self._remember_folder(path)
            self.export_chosen.emit(path)

    def _last_folder(self) -> str:
        value = QSettings().value(f"{_SETTINGS_GROUP}/last_folder", str(Path.home()))
        return str(value)

    def _remember_folder(self, path: Path) -> None:
        folder = path if path.is_dir() else path.parent
        QSettings().setValue(f"{_SETTINGS_GROUP}/last_folder", str(folder))


def _local_paths(urls: Sequence[Any]) -> list[Path]:
    return [Path(url.toLocalFile()) for url in urls if url.isLocalFile()]


def connect_dmarc(tab: DmarcTab, dmarc: DmarcController) -> None:
    """Wire the tab's intents to the controller and the controller's results to the tab (the
    shell adds the shared wiring: progress and summary lines, errors in the status panel)."""
    tab.paths_chosen.connect(dmarc.import_paths)
    tab.imap_chosen.connect(dmarc.import_choice)
    tab.practice_requested.connect(dmarc.load_practice)
    tab.check_requested.connect(dmarc.check_published)
    tab.export_chosen.connect(dmarc.export_to)
    tab.cancel_requested.connect(dmarc.cancel)
    dmarc.running.connect(tab.set_busy)
    dmarc.imported.connect(tab.show_imported)
    dmarc.checked.connect(tab.show_checked_for_current)
