"""The window's part of 連絡文 and Zendesk: which rows the operator chose (selected, else
checked), and opening the letters dialog, ticket creation and their settings."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Slot

from app.ui.models.entry_table import Column

if TYPE_CHECKING:
    from app.ui.window_shape import WindowShape
else:
    WindowShape = object


class ContactMixin(WindowShape):
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
