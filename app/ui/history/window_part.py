"""HistoryPart: the history feature's widgets and menu in the window, connected to its
controller: the 推移 tab, the 他所で削除 panel, the 履歴 menu (全件再取得, 推移, 月次レポート,
取得履歴の設定) and their dialogs. The window places the widgets; this part never imports it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QDialog, QMenuBar, QWidget

from app.core.errors import TodokuError
from app.ui.history import texts
from app.ui.history.controller import HistoryController
from app.ui.history.gone_panel import GonePanel
from app.ui.history.trends_tab import TrendsTab
from app.ui.menu_text import menu_text

if TYPE_CHECKING:
    from app.core.history.report import MonthlyReport
    from app.ui.history.report_dialog import ReportDialog
    from app.ui.history.settings_dialog import HistorySettingsDialog
    from app.ui.persist import SettingsKeeper

# run(dialog) -> the dialog's exec() code (tests drive the dialog themselves)
DialogRunner = Callable[[QDialog], int]
REPORT_MONTHS = 24
_ONE_DAY = timedelta(days=1)


def exec_dialog(dialog: QDialog) -> int:
    return dialog.exec()


def open_folder(folder: Path) -> None:
    from PySide6.QtCore import QUrl
    from PySide6.QtGui import QDesktopServices

    QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))


def report_months(today: date, count: int = REPORT_MONTHS) -> list[date]:
    """This month first, then the ones before (first days)."""
    months = [today.replace(day=1)]
    while len(months) < count:
        months.append((months[-1].replace(day=1) - _ONE_DAY).replace(day=1))
    return months


class HistoryPart(QObject):
    """Signals:
    full_fetch_requested: 全件再取得 from the menu (the window starts it like the button).
    """

    full_fetch_requested = Signal()

    def __init__(
        self,
        controller: HistoryController,
        settings: SettingsKeeper,
        *,
        window: QWidget,
        show_error: Callable[[TodokuError], None],
        select_tab: Callable[[QWidget], None],
        today: Callable[[], date],
        run_dialog: DialogRunner = exec_dialog,
        show_folder: Callable[[Path], None] = open_folder,
    ) -> None:
        super().__init__(window)
        self.controller = controller
        self._settings = settings
        self._window = window
        self._show_error = show_error
        self._select_tab = select_tab
        self._today = today
        self.run_dialog = run_dialog
        self._show_folder = show_folder
        self.trends_tab = TrendsTab()
        self.gone_panel = GonePanel()
        self.report_dialog: ReportDialog | None = None
        self.settings_dialog: HistorySettingsDialog | None = None
        self.last_report_folder = Path.home()

        controller.gone_changed.connect(self.gone_panel.set_rows)
        controller.notice.connect(show_error)
        controller.failed.connect(self._on_controller_failed)
        controller.trends_ready.connect(self.trends_tab.show_trends)
        controller.trends_cancelled.connect(self.trends_tab.show_cancelled)
        controller.report_ready.connect(self._on_controller_report_ready)
        controller.report_saved.connect(self._on_controller_report_saved)
        controller.progress.connect(self._on_controller_progress)
        controller.running.connect(self._on_controller_running)
        controller.erased.connect(self._on_controller_erased)
        self.trends_tab.refresh_requested.connect(self._on_trends_refresh_requested)

    def add_menu(self, menu_bar: QMenuBar) -> None:
        """The 履歴 menu, after the others but before ヘルプ (the last menu)."""
        menu = menu_bar.addMenu(texts.MENU_HISTORY)
        help_action = menu_bar.actions()[-2] if len(menu_bar.actions()) > 1 else None
        if help_action is not None:
            menu_bar.insertMenu(help_action, menu)
        self.full_fetch_action = menu.addAction(menu_text(texts.ACTION_FULL_FETCH, "F"))
        self.full_fetch_action.triggered.connect(self.full_fetch_requested)
        self.trends_action = menu.addAction(menu_text(texts.ACTION_TRENDS, "T"))
        self.trends_action.triggered.connect(self.show_trends)
        menu.addSeparator()
        self.report_action = menu.addAction(menu_text(texts.ACTION_REPORT, "M"))
        self.report_action.triggered.connect(self.open_report)
        self.settings_action = menu.addAction(menu_text(texts.ACTION_HISTORY_SETTINGS, "S"))
        self.settings_action.triggered.connect(self.open_settings)
        enabled = self.controller.enabled
        for action in (self.trends_action, self.report_action):
            action.setEnabled(enabled)

    # -- 推移 ------------------------------------------------------------------------------

    @Slot()
    def show_trends(self) -> None:
        self._select_tab(self.trends_tab)
        self.refresh_trends_if_stale()

    def refresh_trends_if_stale(self) -> None:
        if self.trends_tab.stale and self.controller.enabled:
            self.trends_tab.request_refresh()

    def history_changed(self) -> None:
        """A fetch recorded into history, or the window moved to another connection: the 推移
        tables are out of date."""
        self.trends_tab.stale = True
        if self.trends_tab.isVisible():
            self.trends_tab.request_refresh()

    @Slot(int, str)
    def _on_trends_refresh_requested(self, months: int, bucket: str) -> None:
        from app.core.storage.history import TrendBucket

        if not self.controller.load_trends(self._today(), months, TrendBucket(bucket)):
            self.trends_tab.show_failed()

    # -- 月次レポート ------------------------------------------------------------------------

    @Slot()
    def open_report(self) -> None:
        from app.ui.history.report_dialog import ReportDialog

        dialog = ReportDialog(
            report_months(self._today()), self.last_report_folder, parent=self._window
        )
        dialog.month_chosen.connect(self.controller.build_report)
        dialog.save_requested.connect(self._on_report_save_requested)
        dialog.cancel_requested.connect(self.controller.cancel)
        dialog.open_folder_requested.connect(self._show_folder)
        self.report_dialog = dialog
        self.controller.build_report(dialog.month)
        try:
            self.run_dialog(dialog)
        finally:
            self.report_dialog = None
            folder = Path(dialog.folder_edit.text().strip() or ".")
            self.last_report_folder = folder
            job = self.controller.job
            if job is not None and job.name in ("report", "save-report"):
                self.controller.cancel()
            dialog.deleteLater()

    @Slot(object, object, object)
    def _on_report_save_requested(
        self, report: MonthlyReport, xlsx: Path | None, pdf: Path | None
    ) -> None:
        if not self.controller.save_report(report, xlsx, pdf) and self.report_dialog:
            self.report_dialog.show_progress(texts.NO_HISTORY)

    @Slot(object)
    def _on_controller_report_ready(self, report: MonthlyReport) -> None:
        if self.report_dialog is not None:
            self.report_dialog.show_report(report)

    @Slot(object)
    def _on_controller_report_saved(self, paths: tuple[Path, ...]) -> None:
        if self.report_dialog is not None:
            self.report_dialog.show_saved(paths)

    @Slot(str)
    def _on_controller_progress(self, text: str) -> None:
        if self.report_dialog is not None:
            self.report_dialog.show_progress(text)

    @Slot(bool)
    def _on_controller_running(self, running: bool) -> None:
        if self.report_dialog is not None:
            job = self.controller.job
            self.report_dialog.set_busy(running and job is not None and job.name == "save-report")

    @Slot(object)
    def _on_controller_failed(self, error: TodokuError) -> None:
        job = self.controller.job
        if job is not None and job.name == "trends":
            self.trends_tab.show_failed()  # even under an open dialog: 推移 must not keep loading
        if self.report_dialog is not None:
            self.report_dialog.show_error(error)
            return
        if self.settings_dialog is not None:
            self.settings_dialog.show_erase_result(f"{error.message_ja} {error.next_step_ja}")
            return
        self.trends_tab.show_failed()
        self._show_error(error)

    # -- 取得履歴の設定 ----------------------------------------------------------------------

    @Slot()
    def open_settings(self) -> None:
        from app.ui.history.settings_dialog import HistorySettingsDialog

        current = self._settings.current
        dialog = HistorySettingsDialog(current.history_retention_days, parent=self._window)
        dialog.erase_requested.connect(self._on_settings_erase_requested)
        self.settings_dialog = dialog
        try:
            saved = self.run_dialog(dialog) == QDialog.DialogCode.Accepted
            if saved and dialog.retention_days != current.history_retention_days:
                self._settings.store(
                    self._settings.current.replace(history_retention_days=dialog.retention_days)
                )
        finally:
            self.settings_dialog = None
            dialog.deleteLater()

    @Slot(str)
    def _on_settings_erase_requested(self, email: str) -> None:
        if not self.controller.erase(email) and self.settings_dialog is not None:
            self.settings_dialog.show_erase_result(texts.ERASE_BUSY)

    @Slot(str, object)
    def _on_controller_erased(self, email: str, counts: Any) -> None:
        if self.settings_dialog is not None:
            self.settings_dialog.show_erase_result(
                texts.ERASED.format(
                    history=counts.history_rows,
                    journal=counts.journal_rows_masked,
                    cache=counts.cache_rows,
                )
            )
