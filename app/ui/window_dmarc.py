"""The window's part of DMARC: the tab, built (and wired to its controller) after the first
paint or when first opened, through DmarcTabSlot; and the 期間・リスト bar put away while the
tab is shown."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Slot

if TYPE_CHECKING:
    from app.ui.dmarc.tab import DmarcTab
    from app.ui.window_shape import WindowShape
else:
    WindowShape = object


class DmarcMixin(WindowShape):
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

    @Slot()
    def _place_range_bar(self) -> None:
        """The 期間・リスト bar picks what 一覧, 配信 and 推移 show; DMARC shows the reports it
        was given, whatever their days, so the bar is hidden there. While a fetch, a deletion or
        an export runs it stays: it carries that job's progress and キャンセル (Esc)."""
        self.range_bar.setVisible(not self._dmarc_slot.is_current() or self.range_bar.busy)
