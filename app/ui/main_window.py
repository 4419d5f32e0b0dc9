"""MainWindow: range bar, practice banner, error panel, alert line, and two tabs — the filterable
grid with its delete bar and details pane (一覧), and the delivery overview (配信状況)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer, Signal, Slot
from PySide6.QtGui import QCloseEvent, QGuiApplication, QPaintEvent, QShowEvent
from PySide6.QtWidgets import QMainWindow, QTabWidget, QVBoxLayout, QWidget

from app.core.dates import today_jst
from app.core.errors import TodokuError
from app.core.types import ListKind
from app.ui import texts
from app.ui.accounts import account_texts
from app.ui.accounts.account_bar import AccountBar
from app.ui.connection.live_marker import LiveMarker
from app.ui.connection.practice_banner import PracticeBanner
from app.ui.controller import MainController
from app.ui.delivery.alert import DeliveryAlert
from app.ui.delivery.tab import DeliveryTab
from app.ui.dmarc.tab_slot import DmarcTabSlot
from app.ui.fetch.date_range import DateRangeBar
from app.ui.fetch.list_page import ListPage
from app.ui.help_notes import HelpNotes
from app.ui.history import texts as history_texts
from app.ui.history.window_part import HistoryPart
from app.ui.letters.actions import ContactActions
from app.ui.models.entry_table import Column
from app.ui.persist import UiState
from app.ui.safe_text import tooltip_text
from app.ui.team import team_texts
from app.ui.team.status_label import show_team_state, team_status_label
from app.ui.widgets.status_panel import StatusPanel
from app.ui.window_actions import WindowActions
from app.ui.window_busy import apply_busy
from app.ui.window_status_bar import WindowStatusBar
from app.ui.window_title import window_title

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMessageBox, QTableView

    from app.core.accounts import Account
    from app.ui.accounts.manage_flow import AccountsFlow
    from app.ui.connection.settings_flow import SettingsDialogRunner, SettingsFlow
    from app.ui.delivery.view import DeliveryView
    from app.ui.dmarc.tab import DmarcTab
    from app.ui.feature import FeatureController

# Start-up work after the first paint; this late if the window is never painted (minimised).
AFTER_PAINT_FALLBACK_MS = 2000


class MainWindow(QMainWindow):
    """Thin: forwards intents to the controller and shows its state.

    Signals:
        first_painted: the window has been painted once (or never will be: started
            minimised); start-up work that the first paint does not need may run now.
    """

    first_painted = Signal()

    def __init__(
        self,
        controller: MainController,
        ui_state: UiState,
        *,
        log_path: str = "",
        run_settings_dialog: SettingsDialogRunner | None = None,
    ) -> None:
        super().__init__()
        self.controller = controller
        self.model = controller.model
        self.ui_state = ui_state
        self.log_path = log_path
        self.help_notes = HelpNotes(self, log_path)
        self._run_settings_dialog = run_settings_dialog  # None: the real dialog
        self._settings_flow: SettingsFlow | None = None  # built when settings first open
        self._accounts_flow: AccountsFlow | None = None  # built when アカウントの管理 first opens
        self.setWindowTitle(texts.APP_TITLE)
        self.resize(1280, 800)

        self.banner = PracticeBanner()
        self.live_marker = LiveMarker()
        self.range_bar = DateRangeBar()
        self.status_panel = StatusPanel()
        self.list_page = ListPage(self.model)
        self.status_bar = WindowStatusBar()
        self.setStatusBar(self.status_bar)
        self.delivery_alert = DeliveryAlert()
        # Only the tab's frame now; its charts are built after the first paint (build_view).
        self.delivery_tab = DeliveryTab(controller.settings.delivery_threshold)

        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.list_page, texts.TAB_LIST)
        self.tabs.addTab(self.delivery_tab, texts.TAB_DELIVERY)
        # DMARC: an empty page until the first paint is done (or the tab is opened); the tab
        # itself is built by ``dmarc_tab`` (about 25 ms of Qt classes the first paint needs not).
        self._dmarc_slot = DmarcTabSlot(
            self.tabs, create=self._create_dmarc_tab, wire=self._wire_dmarc_tab, parent=self
        )
        self.history_part = HistoryPart(
            controller.history,
            controller.settings_keeper,
            window=self,
            show_error=self.status_panel.show_error,
            select_tab=self.tabs.setCurrentWidget,
            today=today_jst,
        )
        self.tabs.addTab(self.history_part.trends_tab, history_texts.TAB_TRENDS)
        self.list_page.mark_filter.setVisible(controller.history.enabled)
        # 他所で削除 rows: above the grid, apart from it (they are no longer on the list).
        page_layout = self.list_page.layout()
        assert isinstance(page_layout, QVBoxLayout)
        page_layout.insertWidget(2, self.history_part.gone_panel)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(8, 6, 8, 4)
        layout.addWidget(self.banner)
        layout.addWidget(self.live_marker)
        layout.addWidget(self.range_bar)
        layout.addWidget(self.status_panel)
        layout.addWidget(self.delivery_alert)
        layout.addWidget(self.tabs, 1)
        self.setCentralWidget(central)
        self.window_actions = WindowActions(self)
        self.history_part.add_menu(self.menuBar())
        # Which account the window is on, and the switch: at the right of the menu bar.
        self.account_bar = AccountBar()
        self.menuBar().setCornerWidget(self.account_bar)
        self.manage_accounts_action = self.window_actions.account_menu.addAction(
            account_texts.MANAGE_ACTION
        )
        # 共有データベース (team mode): ツール menu, and who/what waits in the status bar.
        self.team_action = self.window_actions.tools_menu.addAction(team_texts.ACTION)
        self.team_status = team_status_label()
        self.status_bar.addPermanentWidget(self.team_status)
        self.list_page.export_button.setDefaultAction(self.window_actions.export_action)
        self.contact_actions = ContactActions(self)
        self.list_page.delete_bar.add_action(self.contact_actions.letters_action)
        self.list_page.delete_bar.add_action(self.contact_actions.zendesk_action)
        self._painted = False
        self._after_paint_done = False
        self._shown_practice = controller.connection.practice

        actions = self.window_actions
        actions.export_requested.connect(self.open_export)
        actions.settings_requested.connect(self.open_settings)
        actions.quit_requested.connect(self.close)
        actions.check_shown_requested.connect(self.list_page.check_all_shown)
        actions.uncheck_all_requested.connect(self.list_page.uncheck_all)
        actions.delete_requested.connect(self.delete_checked)
        actions.history_requested.connect(self.open_history)
        actions.mode_switch_requested.connect(self._on_banner_switch_requested)
        actions.show_log_requested.connect(self.help_notes.show_log)
        actions.usage_requested.connect(self.help_notes.show_usage)
        actions.shortcuts_requested.connect(self.help_notes.show_shortcuts)
        actions.about_requested.connect(self.help_notes.show_about)
        self.range_bar.fetch_requested.connect(self._on_range_bar_fetch_requested)
        self.range_bar.full_fetch_requested.connect(self._on_range_bar_full_fetch_requested)
        self.history_part.full_fetch_requested.connect(self.range_bar.full_fetch_button.click)
        self.tabs.currentChanged.connect(self._on_tabs_current_changed)
        controller.fetch.whole_range_fetched.connect(self._on_fetch_whole_range_fetched)
        self.range_bar.cancel_requested.connect(controller.cancel_running)
        self.banner.switch_requested.connect(self._on_banner_switch_requested)
        self.live_marker.switch_requested.connect(self._on_banner_switch_requested)
        self.status_panel.settings_requested.connect(self._on_status_panel_settings_requested)
        self.list_page.filters_applied.connect(self._update_counts)
        self.list_page.highlight_changed.connect(self._update_counts)
        self.list_page.grid_built.connect(self._on_list_page_grid_built)
        self.list_page.status_message.connect(self._on_list_page_status_message)
        self.model.dataChanged.connect(self._update_counts)
        self.model.modelReset.connect(self._on_model_reset)
        for feature in controller.features:
            self._wire(feature)
        contact = self.contact_actions
        contact.letters_requested.connect(self.open_letters)
        contact.zendesk_requested.connect(self.create_tickets)
        contact.settings_requested.connect(self.open_contact_settings)
        controller.later_features_built.connect(self._wire_later_features)
        self.tabs.currentChanged.connect(self._dmarc_slot.build_when_shown)
        fetch, deletion, connection = controller.fetch, controller.deletion, controller.connection
        fetch.running.connect(self._on_fetch_running)
        controller.runner.exclusive_changed.connect(self._on_runner_exclusive_changed)
        fetch.grew.connect(self._update_counts)
        deletion.notice.connect(self._on_deletion_notice)
        deletion.available_changed.connect(self._update_counts)
        deletion.rows_removed.connect(self._on_deletion_rows_removed)
        deletion.store_changed.connect(self._update_counts)
        self.team_action.triggered.connect(self.open_team_settings)
        connection.mode_changed.connect(self._on_connection_mode_changed)
        connection.key_loaded.connect(self._on_connection_key_loaded)
        controller.settings_keeper.store_failed.connect(self.status_panel.show_error)
        if controller.settings_keeper.load_problem is not None:
            self.status_panel.show_error(controller.settings_keeper.load_problem)
        accounts = controller.accounts
        accounts.account_changed.connect(self._on_accounts_account_changed)
        accounts.accounts_changed.connect(self._on_accounts_accounts_changed)
        accounts.switch_refused.connect(self._on_accounts_accounts_changed)
        self.account_bar.switch_requested.connect(self._on_account_bar_switch_requested)
        self.account_bar.manage_requested.connect(self.open_accounts)
        self.manage_accounts_action.triggered.connect(self.open_accounts)
        delivery, tab = controller.delivery, self.delivery_tab
        delivery.stats_loading.connect(tab.show_loading)
        delivery.stats_loaded.connect(tab.show_loaded)
        delivery.stats_failed.connect(tab.show_error)
        delivery.stats_unavailable.connect(tab.show_unavailable)
        delivery.breakdown_ready.connect(tab.set_breakdown_model)
        self.delivery_tab.threshold_changed.connect(controller.set_delivery_threshold)
        self.delivery_tab.below_days_changed.connect(self._on_delivery_tab_below_days_changed)
        self.delivery_alert.show_requested.connect(self._on_delivery_alert_show_requested)
        controller.switched.connect(self._on_controller_switched)
        self.list_page.delete_bar.delete_requested.connect(self.delete_checked)
        self.list_page.delete_bar.history_requested.connect(self.open_history)

        self._restore_state()
        self._on_accounts_account_changed(accounts.current)
        self._update_counts()
        # The first key a new operator presses (Enter, Space) fetches; by creation order the
        # focus would start on the banner's 本番のアカウントに切り替える.
        self.range_bar.fetch_button.setFocus()
        if controller.later_built:
            self._wire_later_features()

    def _wire(self, feature: FeatureController, show: Callable[[str], None] | None = None) -> None:
        """The same wiring for every feature: progress and summary lines in ``show`` (the range
        bar's line unless given), errors in the status panel, busy state while it runs."""
        if show is None:
            feature.running.connect(self._on_feature_running)
            feature.progress.connect(self.range_bar.set_progress_text)
            feature.done.connect(self._on_feature_done)
        else:
            feature.progress.connect(show)
            feature.done.connect(show)
        feature.failed.connect(self.status_panel.show_error)

    @Slot()
    def _wire_later_features(self) -> None:
        """AI refinement, 連絡文, Zendesk and 共有データベース, once the controller built them
        (just after the first paint, or on first use); DMARC is wired with its tab."""
        controller = self.controller
        self._wire(controller.zendesk)
        self._wire(controller.llm, show=self.status_bar.ai_label.setText)
        self._wire(controller.letters, show=self._on_list_page_status_message)
        controller.zendesk.tickets_made.connect(self._on_zendesk_tickets_made)
        self.list_page.details_footer = controller.zendesk.details_text
        controller.team.running.connect(self._on_feature_running)
        controller.llm.running.connect(self.status_bar.ai_cancel_button.setVisible)
        controller.llm.refined.connect(self._on_llm_refined)
        self.status_bar.ai_cancel_button.clicked.connect(controller.llm.cancel)

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

    @property
    def table(self) -> QTableView:
        """The grid (built on first access if the post-paint build has not run)."""
        return self.list_page.table

    @property
    def delivery_view(self) -> DeliveryView:
        """The 配信状況 charts (built on first access if the post-paint build has not run)."""
        return self.delivery_tab.view

    # -- construction --------------------------------------------------------------------

    def _fit_to_screen(self) -> None:
        """Shrink the window to the screen's free area, never grow it.

        1280x800 is taller than the common 1366x768 laptop screen, where the status bar
        (progress, cancel) would hang below the taskbar; on an 800x600 screen (a projector, a
        VM console) it was also wider, and 取得, 書き出し and 削除 were off-screen. A saved
        size from a larger monitor is cut down the same way.
        """
        # The screen the (restored) window is on, which need not be the primary one yet.
        screen = QGuiApplication.screenAt(self.geometry().center()) or self.screen()
        if screen is None:
            return
        free = screen.availableGeometry()
        frame = 40  # the window manager's title bar and borders are not known before showing
        side = 16
        width = min(self.width(), max(free.width() - side, self.minimumSizeHint().width()))
        height = min(self.height(), max(free.height() - frame, 480))
        self.resize(width, height)
        if not free.contains(self.frameGeometry()):
            self.move(free.topLeft())

    def _restore_state(self) -> None:
        self.ui_state.restore_widget("main", self)
        self._fit_to_screen()
        self.ui_state.restore_splitter("main", self.list_page.splitter)
        # The grid's header: when the grid is built (_on_list_page_grid_built).
        preset, start, end = self.ui_state.last_range()
        if preset is not None:
            self.range_bar.apply_preset(preset)
        elif start is not None and end is not None:
            self.range_bar.set_range(start, end)
        self.range_bar.set_lists(self.ui_state.last_lists())

    def save_state(self) -> None:
        self.ui_state.save_widget("main", self)
        self.ui_state.save_splitter("main", self.list_page.splitter)
        if self.list_page.has_grid:  # never built (closed at once): the saved header stays
            self.ui_state.save_header("grid", self.table.horizontalHeader())
        chosen = self.range_bar.date_range()
        self.ui_state.save_range(self.range_bar.preset, chosen.start, chosen.end)
        self.ui_state.save_lists(self.range_bar.chosen_lists())
        self.ui_state.sync()

    # -- intents -------------------------------------------------------------------------

    @Slot()
    def _on_list_page_grid_built(self) -> None:
        self.ui_state.restore_header("grid", self.table.horizontalHeader())
        contact = self.contact_actions
        self.table.addActions([contact.letters_action, contact.zendesk_action])

    def selected_pairs(self) -> list:
        """(entry, explanation) of the selected rows, or of the checked rows when none is
        selected; rows still being classified are left out (and counted in the status bar)."""
        model = self.model
        rows = []
        if self.list_page.has_grid:
            rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        items = (
            [(model.entry_at(r), model.explanation_at(r)) for r in rows]
            if rows
            else list(model.checked_items())
        )
        pairs = [(entry, explanation) for entry, explanation in items if explanation is not None]
        if len(pairs) < len(items):
            from app.ui.letters import letter_texts

            self.status_bar.showMessage(
                letter_texts.NOT_CLASSIFIED_SKIPPED.format(count=len(items) - len(pairs)), 4000
            )
        return pairs

    def _pairs_or_hint(self) -> list:
        pairs = self.selected_pairs()
        if not pairs:
            from app.ui.letters import letter_texts

            self.status_bar.showMessage(letter_texts.NOTHING_SELECTED, 4000)
            self.tabs.setCurrentWidget(self.list_page)  # from 推移 or DMARC: where to choose
        return pairs

    @Slot()
    def open_letters(self) -> None:
        pairs = self._pairs_or_hint()
        if pairs:
            self.controller.letters.open(pairs, self)

    @Slot()
    def create_tickets(self) -> None:
        pairs = self._pairs_or_hint()
        if pairs and not self.controller.is_busy():
            self.controller.zendesk.start(pairs, self)

    @Slot()
    def open_contact_settings(self) -> None:
        self.controller.letters.open_settings(self)

    @Slot(object)
    def _on_zendesk_tickets_made(self, _: object) -> None:
        if self.list_page.has_grid:
            self.list_page.refresh_details()
        # Without a fetch history (no file given) there is nothing to mark.
        self.table.setColumnHidden(Column.HISTORY, not self.controller.history.enabled)

    @Slot(object, object)
    def _on_range_bar_fetch_requested(self, date_range, lists, full: bool = False) -> None:
        from PySide6.QtCore import Qt

        chosen = self.range_bar.date_range()
        self.ui_state.save_range(self.range_bar.preset, chosen.start, chosen.end)
        self.ui_state.save_lists(lists)
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.controller.fetch.start(date_range, lists, full=full)

    @Slot(object, object)
    def _on_range_bar_full_fetch_requested(self, date_range, lists) -> None:
        self._on_range_bar_fetch_requested(date_range, lists, full=True)

    @Slot(int)
    def _on_tabs_current_changed(self, _: int) -> None:
        if self.tabs.currentWidget() is self.history_part.trends_tab:
            self.history_part.refresh_trends_if_stale()

    @Slot(object)
    def _on_fetch_whole_range_fetched(self, _: object) -> None:
        self.history_part.history_changed()

    @Slot()
    def _on_banner_switch_requested(self) -> None:
        connection = self.controller.connection
        connection.switch_mode(not connection.practice)

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

    @Slot(object)
    def _on_accounts_account_changed(self, account: Account) -> None:
        from app.ui.accounts.account_facts import supported_lists

        self._on_accounts_accounts_changed()
        self.range_bar.set_available_lists(supported_lists(account.provider))
        self._on_connection_mode_changed(self.controller.connection.practice)

    @Slot()
    def _on_status_panel_settings_requested(self) -> None:
        if self.window_actions.settings_action.isEnabled():  # not while a job runs
            self.open_settings()

    @Slot()
    def open_export(self) -> None:
        """書き出し…: options dialog, then the export job (progress and キャンセル in the bar)."""
        controller = self.controller
        if (
            not self.window_actions.export_action.isEnabled()
            or controller.is_busy()
            or not self.model.total
        ):
            return
        fetch = controller.fetch
        date_range = fetch.fetched_range or self.range_bar.date_range()
        choice = controller.export.ask(
            date_range=date_range, last_folder=self.ui_state.last_export_folder(), parent=self
        )
        if choice is None:
            return
        self.ui_state.save_export_folder(choice.path.parent)
        controller.export.start(
            choice,
            date_range=date_range,
            lists=fetch.fetched_lists or self.range_bar.chosen_lists(),
            filter_description=self.list_page.filter_description(),
        )

    @Slot()
    def delete_checked(self) -> None:
        """Confirm and delete the checked rows (read from the model, never by row number)."""
        if self.model.checked_count and not self.controller.is_busy():
            # Lists without a delete API (CMC) get the provider's guide instead; nothing is sent.
            guide = self.controller.accounts.guide_deletion
            self.controller.deletion.start(self.model.checked_items(), self, guide=guide)

    @Slot()
    def open_team_settings(self) -> None:
        self.controller.team.open_settings(self)

    @Slot()
    def open_history(self) -> None:
        self.controller.deletion.open_history(self)

    # -- controller state ----------------------------------------------------------------

    @Slot(bool)
    def _on_connection_mode_changed(self, practice: bool) -> None:
        if practice != self._shown_practice:  # an error about the other account is stale
            self._shown_practice = practice
            self.status_panel.clear_if_fixed_in_settings()
        self.banner.setVisible(practice)
        self.live_marker.setVisible(not practice)
        self.live_marker.set_account(self.controller.connection.masked_key)
        self.window_actions.show_mode(practice)
        account = self.controller.accounts.current
        self.setWindowTitle(
            window_title(
                account, practice=practice, masked_key=self.controller.connection.masked_key
            )
        )
        provider = account.provider.label_ja
        self.banner.text_label.setText(
            texts.PRACTICE_TEXT
            if account.is_default
            else account_texts.PRACTICE_TEXT.format(provider=provider)
        )
        self.account_bar.set_mode(practice, texts.PRACTICE_TITLE if practice else texts.LIVE_MODE)

    @Slot()
    def _on_connection_key_loaded(self) -> None:
        self._on_connection_mode_changed(self.controller.connection.practice)

    @Slot(bool)
    def _on_runner_exclusive_changed(self, _: bool) -> None:
        self._apply_busy()  # whichever feature's job took or freed the lane
        self._update_counts()

    @Slot(bool)
    def _on_feature_running(self, running: bool) -> None:
        self._apply_busy()
        if running:
            self.status_panel.setVisible(False)
        self._update_counts()

    @Slot(bool)
    def _on_fetch_running(self, running: bool) -> None:
        if running:
            self._on_delivery_tab_below_days_changed(0)  # until the new stats arrive
            self.list_page.details.clear()
        else:
            self.list_page.refresh_filter_choices()

    @Slot(int)
    def _on_llm_refined(self, _: int) -> None:
        self.list_page.refresh_details()
        self.list_page.refresh_filter_choices()
        self._update_counts()

    def _apply_busy(self) -> None:
        """One fetch or one deletion at a time: everything that conflicts waits for it."""
        apply_busy(self, self.controller.is_busy())

    @Slot(str)
    def _on_deletion_notice(self, notice: str) -> None:
        lines = notice.split("\n")
        self.status_panel.show_error(
            TodokuError(lines[0], next_step_ja=texts.RECONCILE_NEXT_STEP, detail=notice)
        )
        # The whole notice (per-operation counts) stays readable without opening 詳細.
        self.status_panel.message_label.setText(notice)

    @Slot(int)
    def _on_deletion_rows_removed(self, _: int) -> None:
        self.list_page.refresh_filter_choices()
        self._update_counts()

    @Slot(int)
    def _on_delivery_tab_below_days_changed(self, below: int) -> None:
        self.delivery_alert.update_days(below, self.delivery_tab.threshold)
        self.tabs.setTabText(1, texts.TAB_DELIVERY_ALERT if below else texts.TAB_DELIVERY)

    @Slot()
    def _on_controller_switched(self) -> None:
        # The alert, the 配信状況 tab and the 推移 tables spoke of the old connection.
        self.delivery_tab.clear()
        self.history_part.history_changed()

    @Slot()
    def _on_delivery_alert_show_requested(self) -> None:
        self.tabs.setCurrentWidget(self.delivery_tab)

    @Slot(str)
    def _on_feature_done(self, summary: str) -> None:
        # After an error (no summary) the panel says what went wrong; the line says what the
        # grid holds, not 「取得」を押してください over a full grid.
        if not summary and self.model.total:
            summary = texts.SHOWING.format(total=self.model.total)
        self.range_bar.set_progress_text(summary or texts.IDLE)

    @Slot()
    def _on_model_reset(self) -> None:
        self.list_page.details.clear()
        self._update_counts()

    @Slot()
    def _update_counts(self, *_: object) -> None:
        model, page = self.model, self.list_page
        page.show_counts(model.rowCount(), model.total)
        checked, busy = model.checked_count, self.controller.is_busy()
        available = self.controller.deletion.available
        bar = page.delete_bar
        bar.set_state(
            shown=model.rowCount(),
            checked=checked,
            busy=busy,
            available=available,
            highlighted=page.highlighted_count,
        )
        refusal = self.controller.deletion.refusal  # a 閲覧 operator of the shared store
        if refusal:
            bar.delete_button.setEnabled(False)
            bar.delete_button.setToolTip(tooltip_text(refusal))  # names come from the store
        deletion = self.controller.deletion
        show_team_state(
            self.team_status,
            shared=deletion.shared,
            operator=deletion.operator,
            outbox=deletion.outbox_waiting,
            refusal=refusal,
            connecting=deletion.connecting,
            unreachable=deletion.unreachable is not None,
        )
        can_delete = bar.delete_button.isEnabled()
        self.list_page.delete_action.setEnabled(can_delete)
        self.window_actions.set_delete_state(
            can_delete=can_delete,
            can_check=bar.check_shown_button.isEnabled(),
            can_uncheck=bar.uncheck_button.isEnabled(),
            available=available,
        )
        self.window_actions.export_action.setEnabled(busy is False and model.total > 0)
        self.contact_actions.set_state(has_rows=model.total > 0, busy=busy)
        self.status_bar.show_counts(model)

    @Slot(str)
    def _on_list_page_status_message(self, text: str) -> None:
        self.status_bar.showMessage(text, 4000)

    @property
    def last_note(self) -> QMessageBox | None:
        """The ヘルプ menu's last note (tests read it)."""
        return self.help_notes.last_note

    # -- lifecycle -----------------------------------------------------------------------

    def selected_kinds(self) -> tuple[ListKind, ...]:
        return self.range_bar.chosen_lists()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._painted:  # in case no paint ever comes (e.g. started minimised)
            QTimer.singleShot(AFTER_PAINT_FALLBACK_MS, self, self._after_first_paint)

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            QTimer.singleShot(0, self, self._after_first_paint)

    @Slot()
    def _after_first_paint(self) -> None:
        """Start-up work the first paint does not wait for, each step in its own pass of the
        event loop: build the grid (its placeholder was painted), open the deletion journal and
        reconcile what a crash left unfinished, read the live key (keyring), build the 配信状況
        charts, the features the first paint shows nothing of (AI refinement, 連絡文, Zendesk,
        DMARC, 共有データベース) and the DMARC tab."""
        if self._after_paint_done:
            return
        self._after_paint_done = True
        self.first_painted.emit()
        # With the window as context: a window closed and deleted before then runs none of them.
        QTimer.singleShot(0, self, self.list_page.ensure_grid)
        QTimer.singleShot(0, self, self.controller.deletion.check_unfinished)  # opens the journal
        QTimer.singleShot(0, self, self.controller.connection.load_key_later)
        QTimer.singleShot(0, self, self.delivery_tab.build_view)
        QTimer.singleShot(0, self, self.controller.build_later_features)
        QTimer.singleShot(0, self, self._dmarc_slot.build)

    @property
    def dmarc_tab(self) -> DmarcTab:
        """The DMARC tab, built (and wired to its controller) on first use."""
        return self._dmarc_slot.tab()

    def _create_dmarc_tab(self) -> DmarcTab:
        from app.ui.dmarc.tab import DmarcTab

        return DmarcTab(password_stored=self.controller.dmarc.read_password_stored)

    def _wire_dmarc_tab(self, tab: DmarcTab) -> None:
        from app.ui.dmarc.tab import connect_dmarc

        controller = self.controller
        self._wire(controller.dmarc, show=tab.set_status)
        connect_dmarc(tab, controller.dmarc)
        controller.connection.mode_changed.connect(tab.set_practice)
        tab.set_practice(controller.connection.practice)

    def closeEvent(self, event: QCloseEvent) -> None:
        """Closes at once: jobs are cancelled and waited for (bounded) without holding the
        event loop, so a request in flight never leaves a window that does not answer."""
        self.save_state()
        self.controller.close_without_waiting()
        super().closeEvent(event)
