"""What the window keeps between sessions (UiState): its size, cut to the screen it is on,
the splitter, the grid's header, the last date range and lists."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Slot
from PySide6.QtGui import QGuiApplication

from app.ui.widgets.screen_fit import TITLE_BAR_ALLOWANCE

if TYPE_CHECKING:
    from app.ui.window_shape import WindowShape
else:
    WindowShape = object


class SavedLayoutMixin(WindowShape):
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
        side = 16
        width = min(self.width(), max(free.width() - side, self.minimumSizeHint().width()))
        height = min(self.height(), max(free.height() - TITLE_BAR_ALLOWANCE, 480))
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

    @Slot()
    def _on_list_page_grid_built(self) -> None:
        self.ui_state.restore_header("grid", self.table.horizontalHeader())
        contact = self.contact_actions
        self.table.addActions([contact.letters_action, contact.zendesk_action])
