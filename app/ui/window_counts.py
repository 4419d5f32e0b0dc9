"""What the window shows of the grid and the jobs: counts, the delete bar, the 共有データベース
line and which actions are enabled, refreshed whenever rows, checks or a job change."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Slot

from app.ui.safe_text import tooltip_text
from app.ui.team.status_label import show_team_state
from app.ui.window_busy import apply_busy

if TYPE_CHECKING:
    from app.ui.window_shape import WindowShape
else:
    WindowShape = object


class CountsMixin(WindowShape):
    @Slot()
    def _update_counts(self, *_: object) -> None:
        model, page = self.model, self.list_page
        page.show_counts(model.rowCount(), model.total)
        checked, busy = model.checked_count, self.controller.is_busy()
        available = self.controller.deletion.available
        bar = page.delete_bar
        bar.set_state(
            shown=model.rowCount(),
            checked=checked,
            busy=busy,
            available=available,
            highlighted=page.highlighted_count,
        )
        refusal = self.controller.deletion.refusal  # a 閲覧 operator of the shared store
        if refusal:
            bar.delete_button.setEnabled(False)
            bar.delete_button.setToolTip(tooltip_text(refusal))  # names come from the store
        deletion = self.controller.deletion
        show_team_state(
            self.team_status,
            shared=deletion.shared,
            operator=deletion.operator,
            outbox=deletion.outbox_waiting,
            refusal=refusal,
            connecting=deletion.connecting,
            unreachable=deletion.unreachable is not None,
        )
        can_delete = bar.delete_button.isEnabled()
        self.list_page.delete_action.setEnabled(can_delete)
        self.window_actions.set_delete_state(
            can_delete=can_delete,
            can_check=bar.check_shown_button.isEnabled(),
            can_uncheck=bar.uncheck_button.isEnabled(),
            available=available,
        )
        self.window_actions.export_action.setEnabled(busy is False and model.total > 0)
        self.contact_actions.set_state(has_rows=model.total > 0, busy=busy)
        self.status_bar.show_counts(model)

    @Slot()
    def _on_model_reset(self) -> None:
        self.list_page.details.clear()
        self._update_counts()

    @Slot(int)
    def _on_llm_refined(self, _: int) -> None:
        self.list_page.refresh_details()
        self.list_page.refresh_filter_choices()
        self._update_counts()

    def _apply_busy(self) -> None:
        """One fetch or one deletion at a time: everything that conflicts waits for it."""
        apply_busy(self, self.controller.is_busy())
        self._place_range_bar()  # on the DMARC tab, shown only while a job needs it

    @Slot(bool)
    def _on_runner_exclusive_changed(self, _: bool) -> None:
        self._apply_busy()  # whichever feature's job took or freed the lane
        self._update_counts()

    @Slot(bool)
    def _on_feature_running(self, running: bool) -> None:
        self._apply_busy()
        if running:
            self.status_panel.setVisible(False)
        self._update_counts()

    @Slot(str)
    def _on_list_page_status_message(self, text: str) -> None:
        self.status_bar.showMessage(text, 4000)
