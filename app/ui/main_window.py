"""MainWindow: range bar, practice banner, error panel, alert line, and two tabs — the filterable
grid with its delete bar and details pane (一覧), and the delivery overview (配信状況).

This module builds the parts and connects them, and runs the first paint and closing; what the
window does for each feature (its slots) is in that feature's ``window_<feature>.py`` mixin."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer, Signal, Slot
from PySide6.QtGui import QCloseEvent, QPaintEvent, QShowEvent
from PySide6.QtWidgets import QMainWindow, QTabWidget, QVBoxLayout, QWidget

from app.core.dates import today_jst
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
from app.ui.persist import UiState
from app.ui.safe_text import tooltip_text
from app.ui.team import team_texts
from app.ui.team.status_label import team_status_label
from app.ui.widgets.compact_strips import StripFitter
from app.ui.widgets.status_panel import StatusPanel
from app.ui.window_accounts import AccountsMixin
from app.ui.window_actions import WindowActions
from app.ui.window_connection import ConnectionMixin
from app.ui.window_contact import ContactMixin
from app.ui.window_counts import CountsMixin
from app.ui.window_delete import DeleteMixin
from app.ui.window_delivery import DeliveryMixin
from app.ui.window_dmarc import DmarcMixin
from app.ui.window_export import ExportMixin
from app.ui.window_fetch import FetchMixin
from app.ui.window_history import HistoryMixin
from app.ui.window_saved_layout import SavedLayoutMixin
from app.ui.window_status_bar import WindowStatusBar

if TYPE_CHECKING:
    from PySide6.QtWidgets import QTableView

    from app.ui.accounts.manage_flow import AccountsFlow
    from app.ui.connection.settings_flow import SettingsDialogRunner, SettingsFlow
    from app.ui.delivery.view import DeliveryView
    from app.ui.dialogs.note_dialog import NoteDialog
    from app.ui.feature import FeatureController

# Start-up work after the first paint; this late if the window is never painted (minimised).
AFTER_PAINT_FALLBACK_MS = 2000


class MainWindow(
    AccountsMixin,
    ConnectionMixin,
    ContactMixin,
    CountsMixin,
    DeleteMixin,
    DeliveryMixin,
    DmarcMixin,
    ExportMixin,
    FetchMixin,
    HistoryMixin,
    SavedLayoutMixin,
    QMainWindow,
):
    """Thin: builds the window's parts and connects them; each feature's slots are in its
    ``window_<feature>`` module (the mixins above), which forward intents to the controller
    and show its state.

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
        # The mode, an error (or the unfinished-deletion notice), the delivery warning and the
        # 他所で削除 panel: one line each while the grid would be short of rows (1024×600).
        self._tabs_height_needed: int | None = None
        self.banners = StripFitter(
            [
                self.banner,
                self.live_marker,
                self.status_panel,
                self.delivery_alert,
                self.history_part.gone_panel,
            ],
            room_to_spare=self._grid_room_to_spare,
            watched=[self.tabs, self.list_page.splitter],
            parent=self,
        )
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
        self.list_page.grid_built.connect(self.banners.fit_later)
        self.tabs.currentChanged.connect(self.banners.fit_later)
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
        self.tabs.currentChanged.connect(self._place_range_bar)
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
        if connection.start_note is not None:  # live keys that did not outlive the last session
            self.status_panel.show_error(connection.start_note)
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
        self.tabs.currentChanged.connect(self._on_tabs_current_changed_for_alert)
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
        self._wire(controller.llm, show=self._show_ai_note)
        self._wire(controller.letters, show=self._on_list_page_status_message)
        controller.zendesk.tickets_made.connect(self._on_zendesk_tickets_made)
        self.list_page.details_footer = controller.zendesk.details_text
        controller.team.running.connect(self._on_feature_running)
        controller.llm.running.connect(self.status_bar.ai_cancel_button.setVisible)
        controller.llm.refined.connect(self._on_llm_refined)
        self.status_bar.ai_cancel_button.clicked.connect(controller.llm.cancel)

    @Slot(str)
    def _show_ai_note(self, note: str) -> None:
        """AI refinement's progress or note; why it could not run, and what to do, in the
        tooltip (the line itself stays short: a permanent status-bar widget widens the
        window with its text)."""
        label = self.status_bar.ai_label
        label.setText(note)
        label.setToolTip(tooltip_text(self.controller.llm.note_detail_ja))

    def _grid_room_to_spare(self) -> int | None:
        """Pixels the 一覧 tab has beyond the grid's wanted rows and the details' few lines:
        measured while 一覧 is shown, and on another tab from the height 一覧 needed then."""
        if self.list_page.isVisible():
            spare = self.list_page.splitter.room_to_spare()
            if spare is None:
                return None
            self._tabs_height_needed = self.tabs.height() - spare
        if self._tabs_height_needed is None:
            return None
        return self.tabs.height() - self._tabs_height_needed

    @property
    def table(self) -> QTableView:
        """The grid (built on first access if the post-paint build has not run)."""
        return self.list_page.table

    @property
    def delivery_view(self) -> DeliveryView:
        """The 配信状況 charts (built on first access if the post-paint build has not run)."""
        return self.delivery_tab.view

    @property
    def last_note(self) -> NoteDialog | None:
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

    def closeEvent(self, event: QCloseEvent) -> None:
        """Closes at once: jobs are cancelled and waited for (bounded) without holding the
        event loop, so a request in flight never leaves a window that does not answer."""
        self.save_state()
        self.controller.close_without_waiting()
        super().closeEvent(event)
