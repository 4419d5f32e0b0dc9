"""WindowShape: what the ``window_<feature>`` mixins may use of MainWindow, for the type
checker only (each mixin subclasses it under TYPE_CHECKING and ``object`` at run time).

MainWindow builds every part named here in its ``__init__``; the methods are the few that one
feature's slots call in another's module.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QMainWindow

if TYPE_CHECKING:
    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QLabel, QTableView, QTabWidget

    from app.ui.accounts.account_bar import AccountBar
    from app.ui.accounts.manage_flow import AccountsFlow
    from app.ui.connection.live_marker import LiveMarker
    from app.ui.connection.practice_banner import PracticeBanner
    from app.ui.connection.settings_flow import SettingsDialogRunner, SettingsFlow
    from app.ui.controller import MainController
    from app.ui.delivery.alert import DeliveryAlert
    from app.ui.delivery.tab import DeliveryTab
    from app.ui.dmarc.tab_slot import DmarcTabSlot
    from app.ui.feature import FeatureController
    from app.ui.fetch.date_range import DateRangeBar
    from app.ui.fetch.list_page import ListPage
    from app.ui.history.window_part import HistoryPart
    from app.ui.letters.actions import ContactActions
    from app.ui.models.entry_table import EntryTableModel
    from app.ui.persist import UiState
    from app.ui.widgets.status_panel import StatusPanel
    from app.ui.window_actions import WindowActions
    from app.ui.window_status_bar import WindowStatusBar


class WindowShape(QMainWindow):
    controller: MainController
    model: EntryTableModel
    ui_state: UiState
    banner: PracticeBanner
    live_marker: LiveMarker
    range_bar: DateRangeBar
    status_panel: StatusPanel
    list_page: ListPage
    status_bar: WindowStatusBar
    delivery_alert: DeliveryAlert
    delivery_tab: DeliveryTab
    tabs: QTabWidget
    history_part: HistoryPart
    window_actions: WindowActions
    account_bar: AccountBar
    manage_accounts_action: QAction
    team_action: QAction
    team_status: QLabel
    contact_actions: ContactActions
    _dmarc_slot: DmarcTabSlot
    _run_settings_dialog: SettingsDialogRunner | None
    _settings_flow: SettingsFlow | None
    _accounts_flow: AccountsFlow | None
    _shown_practice: bool

    @property
    def table(self) -> QTableView:
        raise NotImplementedError

    def _wire(self, feature: FeatureController, show: Callable[[str], None] | None = None) -> None:
        raise NotImplementedError

    def _update_counts(self, *_: object) -> None:
        raise NotImplementedError

    def _place_range_bar(self) -> None:
        raise NotImplementedError

    def _on_connection_mode_changed(self, practice: bool) -> None:
        raise NotImplementedError

    def _on_delivery_tab_below_days_changed(self, below: int) -> None:
        raise NotImplementedError
