"""Live rows fetched from one SendGrid connection, then 設定 saved with another one (詳細設定's
base URL here; a new API key or subuser is the same: another account's list): the grid keeps
the first connection's rows, and 削除 sends them to the new connection. Those addresses are
journaled 「削除済み」 and leave the grid while the list they came from still holds every one,
and an address the two lists happen to share is deleted from a list the operator never saw."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt

from app.core.storage.secrets import SENDGRID_KEY
from tests.helpers.ui import TEST_KEY, check_rows, fetch
from tests.ui.test_window_delete import Confirmer, ResultRunner

DELETE_TIMEOUT_MS = 15_000


def test_rows_of_the_old_connection_are_not_deleted_through_the_new_one(
    qtbot, make_window, secrets, journal, tmp_path, two_servers
) -> None:
    first, second = two_servers
    settings = tmp_path / "data" / "settings.json"
    settings.parent.mkdir(parents=True, exist_ok=True)
    settings.write_text(
        json.dumps({"practice_mode": False, "sendgrid_base_url": first.base_url}), encoding="utf-8"
    )
    secrets.set(SENDGRID_KEY, TEST_KEY)

    def point_at_the_second_server(dialog) -> bool:  # the real dialog: 詳細設定, then 保存
        dialog.base_url_edit.setText(second.base_url)
        return True

    window = make_window(
        journal=journal,
        confirm=Confirmer(),
        show_delete_result=ResultRunner(qtbot),
        run_settings_dialog=point_at_the_second_server,
    )
    fetch(qtbot, window)
    assert window.model.total > 0  # the first server's rows
    window.window_actions.settings_action.trigger()

    if window.model.total:  # still shown after the save: found so
        check_rows(window, [0, 1, 2])
        qtbot.mouseClick(window.list_page.delete_bar.delete_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(
            lambda: not window.controller.deletion.is_running(), timeout=DELETE_TIMEOUT_MS
        )

    # Found: DELETE /v3/suppression/… reached the second server with the first server's
    # addresses (the journal says 「削除済み」; the first server still lists all of them).
    # ConnectionController.save_settings changes where jobs connect without `switched`.
    sent = [r for r in second.request_log if r.method == "DELETE"]
    assert not sent, [r.path for r in sent]
