"""削除履歴… in team mode: the shared journal is read by a job, and the dialog opens with the
data; a server that stops answering never holds the window (real PostgreSQL behind a loopback
relay that can go silent)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from app.core.storage.journal_records import (
    EntryResult,
    NewEntry,
    OperationMeta,
    OperationState,
    ResultUpdate,
)
from app.core.storage.settings import AppSettings, SettingsStore
from app.core.storage.team.connection import parse_database_url
from app.core.storage.team.journal_pg import PostgresJournal
from app.core.types import ListKind
from app.ui.delete import deletion_texts
from app.ui.delete.history_dialog import HistoryDialog
from tests.helpers.silent_relay import SilentRelay
from tests.helpers.ui import loop_turns_while
from tests.ui.test_team_window import TIMEOUT_MS, make_team_window, no_pgpassword  # noqa: F401

CREATED = datetime(2026, 11, 3, tzinfo=UTC)


def record_operations(url: str, count: int) -> list[int]:
    """``count`` finished operations by 田中 from another PC, newest last, one result."""
    store = PostgresJournal(parse_database_url(url))
    try:
        ids = []
        for number in range(count):
            meta = OperationMeta("本番", "", "global", "api.sendgrid.com", False, f"メモ{number}")
            emails = [f"op{number}-{i}@example.jp" for i in range(3)]
            ids.append(
                store.create_operation(
                    meta, [NewEntry(ListKind.BOUNCES, email, CREATED) for email in emails]
                )
            )
        store.record_results(
            ids[-1], [ResultUpdate(ListKind.BOUNCES, "op1-0@example.jp", EntryResult.DELETED)]
        )
        for operation_id in ids:  # finished: nothing for the window's start-up reconcile
            store.set_state(operation_id, OperationState.DONE)
        return ids
    finally:
        store.close()


@pytest.fixture
def database(postgres_server, team_database) -> str:
    """A team database holding two finished operations of 田中's."""
    name = team_database()
    record_operations(postgres_server.url("tanaka", name), 2)
    return name


@pytest.fixture
def open_window(qtbot, make_team_window, tmp_path, database):  # noqa: F811
    """open_window(port, run_history) -> a window logged in as 田中, its journal open."""

    def open_at(port: int, run_history) -> object:
        SettingsStore(tmp_path / "data" / "settings.json").save(
            AppSettings(
                shared_db_enabled=True,
                shared_db_host="127.0.0.1",
                shared_db_port=port,
                shared_db_name=database,
                shared_db_user="tanaka",
                shared_db_sslmode="disable",
            )
        )
        window = make_team_window(
            journal_path=tmp_path / "data" / "journal.sqlite3", run_history_dialog=run_history
        )
        deletion = window.controller.deletion
        qtbot.waitUntil(lambda: deletion.journal is not None, timeout=TIMEOUT_MS)
        return window

    return open_at


class Shown:
    """run_history_dialog: what the dialog showed when it opened, then closes it."""

    def __init__(self) -> None:
        self.operations: list[list[str]] = []
        self.entries: list[list[str]] = []

    def __call__(self, dialog: HistoryDialog) -> int:
        model, entries = dialog.operations_model, dialog.entries_model
        self.operations.append([model.index(r, 6).data() for r in range(model.rowCount())])
        self.entries.append([entries.index(r, 1).data() for r in range(entries.rowCount())])
        return 0


def test_history_is_read_by_a_job_and_the_dialog_opens_with_it(
    qtbot, open_window, postgres_server
) -> None:
    shown = Shown()
    window = open_window(postgres_server.port, shown)
    deletion = window.controller.deletion
    lines: list[str] = []
    deletion.progress.connect(lines.append)
    with qtbot.waitSignal(deletion.running, timeout=TIMEOUT_MS, check_params_cb=lambda r: not r):
        window.window_actions.history_action.trigger()
        assert deletion.is_running() and not shown.operations  # reading, not yet shown
    assert shown.operations == [["メモ1", "メモ0"]]  # newest first
    assert shown.entries == [[f"op1-{i}@example.jp" for i in range(3)]]
    assert lines[0] == deletion_texts.HISTORY_READING
    assert any("のアドレス" in line for line in lines)


@pytest.fixture
def relay(postgres_server) -> Iterator[SilentRelay]:
    relay = SilentRelay(postgres_server.port)
    yield relay
    relay.close()


def read_from_silent_server(open_window, relay: SilentRelay) -> tuple[Any, Shown]:
    """A window (connected through ``relay``) whose 削除履歴 read went to a silent server."""
    shown = Shown()
    window = open_window(relay.port, shown)
    relay.go_silent()
    window.window_actions.history_action.trigger()
    # The click returned while the silent server has not answered: the read is still running.
    assert window.controller.deletion.is_running()
    return window, shown


def test_a_silent_server_never_holds_the_window_and_gives_a_japanese_error(
    qtbot, open_window, relay
) -> None:
    try:
        window, shown = read_from_silent_server(open_window, relay)
        deletion = window.controller.deletion
        # The GUI thread ran its timers while the read waited for an answer.
        loop_turns_while(qtbot, lambda: deletion.is_running() and not shown.operations)
        assert deletion.is_running() and not shown.operations
        assert "削除履歴を読み込んでいます" in window.range_bar.progress_label.text()
        assert window.range_bar.cancel_button.isVisible()
    finally:
        relay.close()  # the waiting reads fail; the reconnect finds nobody listening
    qtbot.waitUntil(lambda: not deletion.is_running(), timeout=TIMEOUT_MS)
    assert shown.operations == []  # no dialog without its data
    assert "共有データベースに接続できません" in window.status_panel.message_label.text()
    assert window.status_panel.isVisible()


def test_cancelling_the_read_opens_nothing_and_shows_no_error(qtbot, open_window, relay) -> None:
    try:
        window, shown = read_from_silent_server(open_window, relay)
        deletion = window.controller.deletion
        qtbot.wait(200)
        window.range_bar.cancel_button.click()
        assert "キャンセルしています" in window.range_bar.progress_label.text()
    finally:
        relay.close()
    qtbot.waitUntil(lambda: not deletion.is_running(), timeout=TIMEOUT_MS)
    assert shown.operations == []
    assert window.range_bar.progress_label.text() == deletion_texts.HISTORY_READ_CANCELLED
    assert not window.status_panel.isVisible()


def test_searching_in_the_open_dialog_reads_beside_the_window(
    qtbot, open_window, relay, tmp_path
) -> None:
    """The dialog opened with its data; a search, another operation's addresses and an export
    are jobs too: the server going silent meanwhile holds neither the dialog nor the window."""
    seen: dict[str, object] = {}

    def run_history(dialog: HistoryDialog) -> int:
        dialog.operations_view.selectRow(1)  # メモ0: read beside, then shown
        qtbot.waitUntil(lambda: dialog.entries_model.rowCount() == 3, timeout=TIMEOUT_MS)
        seen["entries"] = dialog.entries_model.index(0, 1).data()
        # The pool counts below are this dialog's reads only once the window's own jobs (and
        # the thread of the read just shown) are done: one still finishing made them one more.
        runner = window.controller.runner
        qtbot.waitUntil(lambda: runner.pool_active_threads == 0, timeout=TIMEOUT_MS)
        relay.go_silent()
        dialog.search_edit.setText("メモ1")
        dialog.refresh()  # what the search timer calls
        # Each call returns while its read still waits on a pool thread for the silent server
        # (a GUI thread that waited for it would find the pool idle again): shown by order,
        # not by how many milliseconds the call took.
        seen["reading"] = dialog.status_label.text()
        seen["in_flight_after_refresh"] = runner.pool_active_threads
        seen["export_started"] = dialog.export_to(tmp_path / "silent.xlsx")
        seen["exporting"] = dialog.status_label.text()
        seen["in_flight_after_export"] = runner.pool_active_threads
        relay.close()
        qtbot.waitUntil(lambda: "接続できません" in dialog.status_label.text(), timeout=TIMEOUT_MS)
        seen["error"] = dialog.status_label.text()
        return 0

    try:
        window = open_window(relay.port, run_history)
        deletion = window.controller.deletion
        with qtbot.waitSignal(
            deletion.running, timeout=TIMEOUT_MS, check_params_cb=lambda r: not r
        ):
            window.window_actions.history_action.trigger()
        qtbot.waitUntil(lambda: "error" in seen, timeout=TIMEOUT_MS)
    finally:
        relay.close()
    assert seen["entries"] == "op0-0@example.jp"
    assert seen["in_flight_after_refresh"] == 1, seen
    assert seen["export_started"]
    assert seen["exporting"] == deletion_texts.HISTORY_EXPORTING
    assert seen["in_flight_after_export"] == 2, seen  # the search's read and the export
    assert not (tmp_path / "silent.xlsx").exists()
    assert seen["reading"] == deletion_texts.HISTORY_READING
    assert "共有データベースに接続できません" in str(seen["error"])


def test_exporting_from_the_dialog_is_a_job_too(
    qtbot, open_window, postgres_server, tmp_path
) -> None:
    target = tmp_path / "削除履歴.xlsx"
    seen: list[str] = []

    def run_history(dialog: HistoryDialog) -> int:
        assert dialog.export_to(target)
        assert dialog.status_label.text() == deletion_texts.HISTORY_EXPORTING
        qtbot.waitUntil(lambda: "書き出しました" in dialog.status_label.text(), timeout=TIMEOUT_MS)
        seen.append(dialog.status_label.text())
        return 0

    window = open_window(postgres_server.port, run_history)
    window.controller.deletion.open_history(window)
    qtbot.waitUntil(lambda: bool(seen), timeout=TIMEOUT_MS)
    assert seen[0].startswith("2 件の操作（6 行）を書き出しました")
    assert target.stat().st_size > 0
