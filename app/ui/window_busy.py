"""What the main window locks while a job holds the runner's exclusive lane (a fetch, a
deletion with its retry and reconcile, an export, 「このアドレスの記録を消す」).

The grid's rows belong to one connection: switching the account, the provider or practice/live,
or changing where 設定 and 共有データベース point, during such a job would mix rows (or journal
records) of two connections. Starting a second lane job would only be refused. So each control
that does either is disabled while the lane is taken, whichever feature took it, and enabled
again when the lane is free, after the job ended, was cancelled or failed."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.ui.window_shape import WindowShape


def apply_busy(window: WindowShape, busy: bool) -> None:
    window.range_bar.set_busy(busy)
    window.banner.switch_button.setEnabled(not busy)
    window.live_marker.switch_button.setEnabled(not busy)
    window.account_bar.set_busy(busy)
    window.manage_accounts_action.setEnabled(not busy)
    window.window_actions.set_busy(busy, has_rows=window.model.total > 0)
    window.team_action.setEnabled(not busy)
    window.history_part.full_fetch_action.setEnabled(not busy)
