"""The window's part of 書き出し: the options dialog, then the export job."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Slot

if TYPE_CHECKING:
    from app.ui.window_shape import WindowShape
else:
    WindowShape = object


class ExportMixin(WindowShape):
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
