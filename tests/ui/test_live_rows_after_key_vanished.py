"""A live fetch, then the SendGrid key is gone from the keyring (removed by another tool or a
colleague, a keyring reset): the next 取得 puts the window into practice mode (banner, title,
delete confirmation) but leaves the live account's rows in the grid. A mode switch made by the
operator clears the grid, since its rows belong to the other account; this one does not, so the
live rows are shown, checked and "deleted" as practice rows (sent to the practice server,
journaled as 練習モード, and dropped from the grid while the live list still holds them)."""

from __future__ import annotations

from PySide6.QtCore import Qt

from app.core.storage.secrets import SENDGRID_KEY
from tests.helpers.ui import TEST_KEY, fetch


def test_the_live_rows_do_not_stay_in_the_grid_under_the_practice_banner(
    qtbot, make_window, secrets, live_sandbox
) -> None:
    secrets.set(SENDGRID_KEY, TEST_KEY)
    window = make_window(live_base_url=live_sandbox.base_url)
    assert window.controller.connection.set_practice(False)
    fetch(qtbot, window)
    assert window.model.total > 0  # the live account's rows

    secrets.delete(SENDGRID_KEY)  # gone from the keyring while the app runs
    with qtbot.waitSignal(window.controller.fetch.failed, timeout=5000):
        qtbot.mouseClick(window.range_bar.fetch_button, Qt.MouseButton.LeftButton)
    assert window.controller.connection.practice  # the window is in practice mode now
    assert window.banner.isVisible()

    # Found: the live rows stay (192 here) under the 練習モード banner and title.
    # ConnectionController.config switches to practice itself (mode_changed) without
    # `switched`, which is what clears the grid and the history marks.
    assert window.model.total == 0
