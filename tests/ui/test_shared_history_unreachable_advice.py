"""Team mode with the shared database out of reach (server down, VPN not connected): a fetch
still shows its rows, and the history notice says the shared database cannot be reached, but
its next step is the local file's: 「ディスクの空き容量とデータフォルダの権限を確認してください」.
Neither has anything to do with a server on the network."""

from __future__ import annotations

import json
import socket

from app.core.storage.history import HistoryError
from tests.helpers.ui import fetch


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_an_unreachable_shared_history_does_not_point_at_the_disk(
    qtbot, make_window, tmp_path
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "settings.json").write_text(
        json.dumps(
            {
                "shared_db_enabled": True,
                "shared_db_host": "127.0.0.1",
                "shared_db_port": closed_port(),  # nothing listens: the server is down
                "shared_db_user": "tanaka",
            }
        ),
        encoding="utf-8",
    )
    window = make_window(
        journal_path=data / "journal.sqlite3", history_path=data / "history.sqlite3"
    )
    notices: list = []
    window.controller.history.notice.connect(notices.append)
    fetch(qtbot, window)
    assert window.model.total > 0  # the rows are shown all the same: right

    history_errors = [n for n in notices if isinstance(n, HistoryError)]
    assert history_errors, notices
    # Found: 「共有データベースに接続できないため、取得履歴を読み書きできませんでした。」 with
    # HistoryError's default next step 「取得した一覧はそのまま使えます。ディスクの空き容量と
    # データフォルダの権限を確認してください。」 (storage/team/history_pg.py, OperationalError).
    for error in history_errors:
        assert "空き容量" not in error.next_step_ja, error.next_step_ja
        assert "データフォルダ" not in error.next_step_ja, error.next_step_ja
