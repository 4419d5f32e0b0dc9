"""The window's part of 配信状況: the alert line (stepping aside while the tab itself shows)
and the tab's ⚠ title, cleared when the connection changes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Slot

from app.ui import texts

if TYPE_CHECKING:
    from app.ui.window_shape import WindowShape
else:
    WindowShape = object


class DeliveryMixin(WindowShape):
    @Slot(int)
    def _on_delivery_tab_below_days_changed(self, below: int) -> None:
        self.delivery_alert.update_days(below, self.delivery_tab.threshold)
        self.tabs.setTabText(1, texts.TAB_DELIVERY_ALERT if below else texts.TAB_DELIVERY)

    @Slot()
    def _on_controller_switched(self) -> None:
        # The alert, the 配信状況 tab and the 推移 tables spoke of the old connection.
        self.delivery_tab.clear()
        self.history_part.history_changed()

    @Slot(int)
    def _on_tabs_current_changed_for_alert(self, _: int) -> None:
        self.delivery_alert.set_on_its_tab(self.tabs.currentWidget() is self.delivery_tab)

    @Slot()
    def _on_delivery_alert_show_requested(self) -> None:
        self.tabs.setCurrentWidget(self.delivery_tab)
