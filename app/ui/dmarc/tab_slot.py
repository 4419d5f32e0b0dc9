"""DmarcTabSlot: the DMARC tab's place among the window's tabs, an empty page until the tab is
first needed (just after the first paint, or when opened), then the tab itself.

Building the tab loads ~25 ms of Qt classes the first paint does not need, so the window hands
this slot a ``create`` function and builds the tab through it only then.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Slot
from PySide6.QtWidgets import QTabWidget, QWidget

from app.ui.dmarc import texts

if TYPE_CHECKING:
    from app.ui.dmarc.tab import DmarcTab


class DmarcTabSlot(QObject):
    """Swaps the placeholder page for the tab ``create`` builds, keeping the current tab;
    ``wire`` then connects the tab (after the swap, as the window did before this split)."""

    def __init__(
        self,
        tabs: QTabWidget,
        *,
        create: Callable[[], DmarcTab],
        wire: Callable[[DmarcTab], None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._tabs = tabs
        self._create = create
        self._wire = wire
        self._tab: DmarcTab | None = None
        self._placeholder = QWidget()
        tabs.addTab(self._placeholder, texts.TAB_TITLE)

    def tab(self) -> DmarcTab:
        """The tab, built (and wired) on first use."""
        if self._tab is None:
            tab = self._create()
            index = self._tabs.indexOf(self._placeholder)
            current = self._tabs.currentIndex()
            self._tab = tab  # before the swap: it may emit currentChanged
            self._tabs.removeTab(index)
            self._tabs.insertTab(index, tab, texts.TAB_TITLE)
            self._tabs.setCurrentIndex(current)
            self._placeholder.deleteLater()
            self._wire(tab)
        return self._tab

    def is_current(self) -> bool:
        """Whether DMARC is the tab shown (the placeholder counts, before the tab is built)."""
        current = self._tabs.currentWidget()
        return current is not None and (current is self._tab or current is self._placeholder)

    @Slot()
    def build(self) -> None:
        self.tab()

    @Slot(int)
    def build_when_shown(self, index: int) -> None:
        if self._tab is None and self._tabs.widget(index) is self._placeholder:
            self.build()
