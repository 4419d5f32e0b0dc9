"""Rows are deleted only through the connection they were fetched through.

A change of where jobs connect clears the grid (``switched``); should a change ever reach the
settings without one, 削除 still refuses the old rows: nothing is sent, nothing journaled. A
change that leaves the connection alone (a timeout) keeps the rows."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt

from app.core.accounts import Account, ProviderName, default_account
from app.core.storage.secrets import SENDGRID_KEY
from app.ui.delete import deletion_texts
from tests.helpers.ui import TEST_KEY, check_rows, fetch
from tests.ui.test_window_delete import Confirmer, ResultRunner


def test_rows_of_another_connection_are_refused_before_the_confirmation(
    qtbot, make_window, secrets, journal, tmp_path, two_servers
) -> None:
    first, second = two_servers
    settings = tmp_path / "data" / "settings.json"
    settings.parent.mkdir(parents=True, exist_ok=True)
    settings.write_text(
        json.dumps({"practice_mode": False, "sendgrid_base_url": first.base_url}), encoding="utf-8"
    )
    secrets.set(SENDGRID_KEY, TEST_KEY)
    confirm = Confirmer()
    window = make_window(journal=journal, confirm=confirm, show_delete_result=ResultRunner(qtbot))
    fetch(qtbot, window)
    total = window.model.total
    assert total > 0
    controller = window.controller
    # The settings now name the second server, and nothing announced it.
    controller.settings_keeper.store(controller.settings.replace(sendgrid_base_url=second.base_url))
    assert window.model.total == total

    errors: list = []
    controller.deletion.failed.connect(errors.append)
    check_rows(window, [0, 1, 2])
    qtbot.mouseClick(window.list_page.delete_bar.delete_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(errors))  # after the live key is read, in a job

    assert [e.message_ja for e in errors] == [deletion_texts.OTHER_CONNECTION]
    assert errors[0].next_step_ja == deletion_texts.OTHER_CONNECTION_NEXT
    assert window.status_panel.isVisible()
    assert not confirm.calls  # refused before the confirmation
    assert not controller.deletion.is_running()
    for server in (first, second):
        assert not [r for r in server.request_log if r.method == "DELETE"]
    assert journal.list_operations() == ()
    assert window.model.total == total


def test_only_a_change_of_where_live_jobs_connect_clears_the_grid(
    qtbot, make_window, secrets, live_sandbox
) -> None:
    secrets.set(SENDGRID_KEY, TEST_KEY)
    window = make_window(live_base_url=live_sandbox.base_url)
    controller = window.controller
    assert controller.connection.set_practice(False)
    fetch(qtbot, window)
    total = window.model.total
    assert total > 0

    # 設定 saved with a longer timeout, and another account added: the same connection.
    longer = controller.settings.replace(timeout_s=controller.settings.timeout_s + 5)
    controller.connection.save_settings(longer, None, None)
    other = Account("別", ProviderName.INFOBIP, base_url="https://x.example")
    controller.accounts.save_account(other, {})
    assert window.model.total == total

    # The live account the window is on now reads a subuser's lists.
    current = controller.accounts.current
    controller.accounts.save_account(default_account(subuser="shop"), {}, previous=current)
    assert window.model.total == 0
