"""The window's part of 削除: deleting the checked rows, 削除履歴, 共有データベース, and what a
deletion reports back (the reconcile notice, removed rows)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Slot

from app.core.errors import TodokuError
from app.ui import texts

if TYPE_CHECKING:
    from app.ui.window_shape import WindowShape
else:
    WindowShape = object


class DeleteMixin(WindowShape):
    @Slot()
    def delete_checked(self) -> None:
        """Confirm and delete the checked rows (read from the model, never by row number)."""
        if self.model.checked_count and not self.controller.is_busy():
            # Lists without a delete API (CMC) get the provider's guide instead; nothing is sent.
            guide = self.controller.accounts.guide_deletion
            self.controller.deletion.start(self.model.checked_items(), self, guide=guide)

    @Slot()
    def open_history(self) -> None:
        self.controller.deletion.open_history(self)

    @Slot()
    def open_team_settings(self) -> None:
        self.controller.team.open_settings(self)

    @Slot(str)
    def _on_deletion_notice(self, notice: str) -> None:
        lines = notice.split("\n")
        # The whole notice (per-operation counts) stays readable without opening 詳細, unless
        # the window is short: then its first line, and 詳細 for the rest.
        self.status_panel.show_error(
            TodokuError(lines[0], next_step_ja=texts.RECONCILE_NEXT_STEP, detail=notice),
            message=notice,
        )

    @Slot(int)
    def _on_deletion_rows_removed(self, _: int) -> None:
        self.list_page.refresh_filter_choices()
        self._update_counts()
