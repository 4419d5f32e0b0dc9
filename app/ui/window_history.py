"""The window's part of 取得履歴: the 推移 tab refreshed when shown, and after a fetch of the
whole range."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Slot

if TYPE_CHECKING:
    from app.ui.window_shape import WindowShape
else:
    WindowShape = object


class HistoryMixin(WindowShape):
    @Slot(int)
    def _on_tabs_current_changed(self, _: int) -> None:
        if self.tabs.currentWidget() is self.history_part.trends_tab:
            self.history_part.refresh_trends_if_stale()

    @Slot(object)
    def _on_fetch_whole_range_fetched(self, _: object) -> None:
        self.history_part.history_changed()
