"""The window's part of 取得: the range bar's requests (remembered for the next start), and
the progress line and details pane around a fetch."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Slot

from app.ui import texts

if TYPE_CHECKING:
    from app.ui.window_shape import WindowShape
else:
    WindowShape = object


class FetchMixin(WindowShape):
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

    @Slot(bool)
    def _on_fetch_running(self, running: bool) -> None:
        if running:
            self._on_delivery_tab_below_days_changed(0)  # until the new stats arrive
            self.list_page.details.clear()
        else:
            self.list_page.refresh_filter_choices()

    @Slot(str)
    def _on_feature_done(self, summary: str) -> None:
        # After an error (no summary) the panel says what went wrong; the line says what the
        # grid holds, not 「取得」を押してください over a full grid.
        if not summary and self.model.total:
            summary = texts.SHOWING.format(total=self.model.total)
        self.range_bar.set_progress_text(summary or texts.IDLE)
