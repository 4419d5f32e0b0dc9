"""削除履歴… while the shared database is away. Before, the click started a new connect and
showed the deleting messages only (「接続が終わると削除できるようになります」, then the same
「共有データベースに接続できません」 banner as before): to the operator, the button did nothing.
Now the click says it is connecting and the history opens when the store answers, or says that
削除履歴 cannot open and what to do."""

from __future__ import annotations

import socket
import threading

from app.core.storage.settings import AppSettings, SettingsStore
from app.ui.delete import deletion_texts
from tests.helpers.silent_relay import SilentRelay
from tests.ui.test_team_history_dialog import Shown, database  # noqa: F401
from tests.ui.test_team_window import TIMEOUT_MS, make_team_window, no_pgpassword  # noqa: F401


class RelayAt(SilentRelay):
    """A relay to the test server listening on a port chosen before it started."""

    def __init__(self, listen_port: int, port: int) -> None:
        self._target = ("127.0.0.1", port)
        self._listener = socket.create_server(("127.0.0.1", listen_port))
        self.port = listen_port
        self._silent = threading.Event()
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()


def free_port() -> int:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        return probe.getsockname()[1]


def window_without_server(qtbot, make_team_window, tmp_path, port: int, name: str, shown: Shown):  # noqa: F811
    SettingsStore(tmp_path / "data" / "settings.json").save(
        AppSettings(
            shared_db_enabled=True,
            shared_db_host="127.0.0.1",
            shared_db_port=port,
            shared_db_name=name,
            shared_db_user="tanaka",
            shared_db_sslmode="disable",
        )
    )
    window = make_team_window(
        journal_path=tmp_path / "data" / "journal.sqlite3", run_history_dialog=shown
    )
    deletion = window.controller.deletion
    qtbot.waitUntil(lambda: deletion.unreachable is not None, timeout=TIMEOUT_MS)
    return window


def test_history_clicked_while_the_server_is_away_says_why_it_cannot_open(
    qtbot,
    make_team_window,  # noqa: F811
    tmp_path,
) -> None:
    shown = Shown()
    window = window_without_server(qtbot, make_team_window, tmp_path, free_port(), "todoku", shown)
    deletion = window.controller.deletion
    window.window_actions.history_action.trigger()
    assert window.status_panel.message_label.text() == deletion_texts.HISTORY_CONNECTING
    qtbot.waitUntil(lambda: not deletion.connecting, timeout=TIMEOUT_MS)
    qtbot.waitUntil(
        lambda: window.status_panel.message_label.text() == deletion_texts.HISTORY_UNREACHABLE,
        timeout=TIMEOUT_MS,
    )
    assert "もう一度「削除履歴…」" in window.status_panel.next_step_label.text()
    assert shown.operations == []


def test_history_clicked_while_the_server_is_away_opens_when_it_answers(
    qtbot,
    make_team_window,  # noqa: F811
    tmp_path,
    postgres_server,
    database,  # noqa: F811
) -> None:
    shown = Shown()
    port = free_port()
    window = window_without_server(qtbot, make_team_window, tmp_path, port, database, shown)
    relay = RelayAt(port, postgres_server.port)  # the server is back
    try:
        window.window_actions.history_action.trigger()
        assert window.status_panel.message_label.text() == deletion_texts.HISTORY_CONNECTING
        qtbot.waitUntil(lambda: bool(shown.operations), timeout=TIMEOUT_MS)
        assert shown.operations == [["メモ1", "メモ0"]]
        qtbot.waitUntil(lambda: not window.controller.deletion.is_running(), timeout=TIMEOUT_MS)
    finally:
        relay.close()
