"""Team mode in the window (issue 18) against a real PostgreSQL (tests/conftest.py): the
共有データベース dialog (settings without the password, 接続テスト), a 閲覧 operator who cannot
delete, and two operators' overlapping deletions shown as 「〇〇さんが 10:42 に削除済み」."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QDialog

from app.core.deletion.plan import plan_deletion
from app.core.deletion.run import delete_with_record, run_with_provider
from app.core.services import provider_factory
from app.core.storage.journal_records import OperationState
from app.core.storage.settings import AppSettings, SettingsStore
from app.core.storage.team.connection import parse_database_url, shared_db_password_key
from app.core.storage.team.journal_pg import PostgresJournal
from app.core.types import ListKind
from app.sandbox.postgres_server import PostgresServer
from app.ui.delete import deletion_texts
from app.ui.delete.delete_result import DeleteResultDialog
from app.ui.models.entry_table import ENTRY_ROLE
from app.ui.team.settings_dialog import SharedDatabaseDialog
from tests.helpers.ui import check_rows, fetch, loop_turns_while
from tests.ui.test_window_delete import Confirmer, ResultRunner, delete_requests, run_delete

PASSWORD_GROUP = "todoku_password_logins"
PASSWORD_LOGIN = "suzuki_pw"
PASSWORD = "正しい-pass-1"
TIMEOUT_MS = 20_000


def require_password(server: PostgresServer, login: str, password: str) -> None:
    """Make ``login`` authenticate with a password (the session server trusts everyone else):
    an hba line for members of PASSWORD_GROUP ahead of the trust lines, then a reload."""
    hba = server.data / "pg_hba.conf"
    line = f"host all +{PASSWORD_GROUP} 127.0.0.1/32 scram-sha-256\n"
    with psycopg.connect(server.url(), autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (PASSWORD_GROUP,))
        if not exists.fetchone():
            admin.execute(f"CREATE ROLE {PASSWORD_GROUP} NOLOGIN")
        admin.execute(f'GRANT {PASSWORD_GROUP} TO "{login}"')
        admin.execute(
            psycopg.sql.SQL("ALTER ROLE {} PASSWORD {}").format(
                psycopg.sql.Identifier(login), psycopg.sql.Literal(password)
            )
        )
        text = hba.read_text()
        if line not in text:
            hba.write_text(line + text)
            admin.execute("SELECT pg_reload_conf()")


def write_team_settings(tmp_path: Path, server: PostgresServer, name: str, user: str) -> None:
    SettingsStore(tmp_path / "data" / "settings.json").save(
        AppSettings(
            shared_db_enabled=True,
            shared_db_host="127.0.0.1",
            shared_db_port=server.port,
            shared_db_name=name,
            shared_db_user=user,
            shared_db_sslmode="disable",  # the test server has no certificate (loopback)
        )
    )


def shared_window(qtbot, make_team_window, tmp_path, server, name: str, user: str, **options):
    """A window whose settings name the shared store as ``user``, its journal open."""
    write_team_settings(tmp_path, server, name, user)
    window = make_team_window(journal_path=tmp_path / "data" / "journal.sqlite3", **options)
    journal_open = lambda: window.controller.deletion.journal is not None  # noqa: E731
    qtbot.waitUntil(journal_open, timeout=TIMEOUT_MS)
    return window


def fill(dialog: SharedDatabaseDialog, server: PostgresServer, name: str, user: str) -> None:
    dialog.enabled_check.setChecked(True)
    dialog.host_edit.setText("127.0.0.1")
    dialog.port_spin.setValue(server.port)
    dialog.name_edit.setText(name)
    dialog.user_edit.setText(user)
    dialog.ssl_combo.setCurrentIndex(dialog.ssl_combo.findData("disable"))


def click_test(qtbot, window, dialog: SharedDatabaseDialog) -> str:
    with qtbot.waitSignal(window.controller.team.tested, timeout=TIMEOUT_MS):
        qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.controller.team.is_running(), timeout=TIMEOUT_MS)
    return dialog.result_label.text()


@pytest.fixture(autouse=True)
def no_pgpassword(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PGPASSWORD", raising=False)


def tanakas_journal(server: PostgresServer, name: str, tmp_path: Path) -> PostgresJournal:
    """The shared journal as the operator "tanaka" on another PC opens it."""
    return PostgresJournal(
        parse_database_url(server.url("tanaka", name)),
        outbox_path=tmp_path / "tanaka-outbox.sqlite3",
    )


def running_elsewhere(other: PostgresJournal) -> int:
    """A deletion ``other`` started and holds (its process alive): its operation id."""
    from app.core.storage.journal_records import NewEntry, OperationMeta, OperationState

    created = datetime.now(UTC) - timedelta(hours=1)
    meta = OperationMeta("練習モード", "", "global", "127.0.0.1", True, "田中の削除")
    claim = other.claim_operation(
        meta, [NewEntry(ListKind.BOUNCES, "a@example.jp", created, "5.1.1", "550")]
    )
    assert claim.operation_id is not None
    other.set_state(claim.operation_id, OperationState.RUNNING)
    assert other.take_over(claim.operation_id)  # 田中's process is alive and holds it
    return claim.operation_id


@pytest.fixture
def make_team_window(make_window):
    """make_window, and at the end the journal closed as app.main does after the window."""
    built = []

    def make(**options):
        window = make_window(journal_path=options.pop("journal_path"), **options)
        built.append(window)
        return window

    yield make
    for window in built:
        window.controller.shutdown()
        window.controller.close_storage()


def test_dialog_defaults_to_tls_and_is_in_the_tools_menu(qtbot, make_team_window, tmp_path) -> None:
    window = make_team_window(journal_path=tmp_path / "data" / "journal.sqlite3")
    assert window.team_action in window.window_actions.tools_menu.actions()
    dialog = window.controller.team.make_dialog(window)
    qtbot.addWidget(dialog)
    assert dialog.ssl_combo.currentData() == "require"
    assert dialog.password_edit.echoMode() == dialog.password_edit.EchoMode.Password
    qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)  # no host: nothing runs
    assert dialog.result_label.text() == "ホスト名を入力してください。"
    assert not window.controller.team.is_running()
    window.controller.team.detach()
    # Nothing set up: the window keeps this PC's SQLite journal and shows no team line.
    qtbot.waitUntil(lambda: window.controller.deletion.journal is not None, timeout=TIMEOUT_MS)
    assert not window.controller.deletion.shared and window.team_status.isHidden()


def test_settings_saved_without_the_password_and_connection_test(
    qtbot, make_team_window, tmp_path, secrets, postgres_server, team_database
) -> None:
    name = team_database({PASSWORD_LOGIN: ("鈴木", "delete")})
    require_password(postgres_server, PASSWORD_LOGIN, PASSWORD)
    window = make_team_window(journal_path=tmp_path / "data" / "journal.sqlite3")
    # The start-up journal first: settings saved while it is still being opened are applied
    # after it (reopen waits for the job), and the store would not be shared yet below.
    qtbot.waitUntil(lambda: window.controller.deletion.journal is not None, timeout=TIMEOUT_MS)
    team = window.controller.team

    def answer(dialog: SharedDatabaseDialog) -> int:
        qtbot.addWidget(dialog)
        fill(dialog, postgres_server, name, PASSWORD_LOGIN)
        dialog.password_edit.setText("違うパスワード")
        wrong = click_test(qtbot, window, dialog)
        assert "ユーザー名またはパスワードが違います" in wrong
        assert "違うパスワード" not in wrong
        dialog.password_edit.setText(PASSWORD)
        ok = click_test(qtbot, window, dialog)
        assert ok.startswith("接続できました") and "鈴木（削除可）" in ok
        return QDialog.DialogCode.Accepted

    team._run_dialog = answer
    assert team.open_settings(window)

    text = (tmp_path / "data" / "settings.json").read_text(encoding="utf-8")
    saved = json.loads(text)
    assert saved["shared_db_enabled"] is True and saved["shared_db_user"] == PASSWORD_LOGIN
    assert saved["shared_db_name"] == name and saved["shared_db_sslmode"] == "disable"
    # Decoded too: json.dumps may have written the non-ASCII password as \u escapes.
    assert PASSWORD not in text and PASSWORD not in json.dumps(saved, ensure_ascii=False)
    assert secrets.get(shared_db_password_key(PASSWORD_LOGIN, "127.0.0.1")) == PASSWORD
    # The window now writes to the shared journal, with the password from the keyring.
    deletion = window.controller.deletion
    assert deletion.shared  # opened by a job, off the GUI thread
    qtbot.waitUntil(lambda: deletion.operator is not None, timeout=TIMEOUT_MS)
    assert deletion.journal.shared and deletion.operator.display_name == "鈴木"
    assert window.team_status.isVisible() and "鈴木（削除可）" in window.team_status.text()

    # Opened again: the stored password is used when the field stays empty.
    dialog = team.make_dialog(window)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.password_stored is True, timeout=5000)  # read by a job
    assert dialog.password_edit.text() == ""
    assert click_test(qtbot, window, dialog).startswith("接続できました")
    team.detach()


def test_view_operator_cannot_delete_from_the_window(
    qtbot, make_team_window, tmp_path, sandbox_factory, postgres_server, team_database
) -> None:
    name = team_database({"sato": ("佐藤", "view")})
    confirm = Confirmer()
    window = shared_window(
        qtbot, make_team_window, tmp_path, postgres_server, name, "sato", confirm=confirm
    )
    deletion = window.controller.deletion
    fetch(qtbot, window)
    check_rows(window, [0, 1])
    button = window.list_page.delete_bar.delete_button
    assert deletion.shared and not deletion.operator.may_delete
    assert not button.isEnabled() and "閲覧" in button.toolTip()
    assert not window.window_actions.delete_action.isEnabled()
    status = window.team_status.text()
    assert "共有DB: 佐藤（閲覧・削除不可）" in status and "閲覧" in window.team_status.toolTip()
    sandbox_factory.sandbox.clear_log()
    window.delete_checked()  # the menu or a shortcut getting through anyway
    assert confirm.calls == [] and delete_requests(sandbox_factory.sandbox) == []
    assert "閲覧" in window.status_panel.message_label.text()
    assert window.model.checked_count == 2
    assert deletion.journal.list_operations() == ()


def test_overlapping_deletions_show_who_deleted_first(
    qtbot, make_team_window, tmp_path, sandbox_factory, postgres_server, team_database
) -> None:
    name = team_database({"tanaka": ("田中", "delete"), "yamada": ("山田", "delete")})
    results = ResultRunner(qtbot)
    window = shared_window(
        qtbot, make_team_window, tmp_path, postgres_server, name, "yamada",
        confirm=Confirmer(), show_delete_result=results,
    )  # fmt: skip
    deletion = window.controller.deletion
    fetch(qtbot, window)
    # Listings created before now: the store counts a deletion as done only for a listing that
    # was there before it (the practice data also holds later hours of today).
    now = datetime.now(UTC) - timedelta(minutes=1)
    model = window.model
    past = [r for r in range(model.rowCount()) if model.index(r, 0).data(ENTRY_ROLE).created < now]
    chosen = check_rows(window, past[:3])
    # 田中 deletes two of them first, from another PC (same account, same shared store).
    config = window.controller.accounts.config()
    other = PostgresJournal(
        parse_database_url(postgres_server.url("tanaka", name)),
        outbox_path=tmp_path / "tanaka-outbox.sqlite3",
    )
    try:
        first = run_with_provider(
            provider_factory(config),
            delete_with_record,
            other,
            plan_deletion([(e, None) for e in chosen[:2]]),
            context=deletion._context(config, "田中の削除"),
        )
    finally:
        other.close()
    assert len(first.succeeded) == 2 and first.conflicts == ()
    sandbox = sandbox_factory.sandbox
    sandbox.clear_log()

    run_delete(qtbot, window)

    (report,) = results.reports
    assert len(report.succeeded) == 1 and len(report.conflicts) == 2
    sent = [e for r in delete_requests(sandbox) for e in json.loads(r.body)["emails"]]
    assert sent == [chosen[2].email]  # nothing deleted twice
    dialog = DeleteResultDialog(report, window)
    qtbot.addWidget(dialog)
    lines = dialog.conflicts.toPlainText().splitlines()
    assert sorted(line.split("\t")[1] for line in lines) == sorted(e.email for e in chosen[:2])
    for line in lines:
        assert line.split("\t")[2].startswith("田中さんが ") and line.endswith("に削除済み")
    assert dialog.conflicts.isReadOnly()
    header = deletion_texts.RESULT_CONFLICTS.format(count=2)
    assert any(label.text() == header for label in dialog.findChildren(type(dialog.summary_label)))
    assert "2 件はほかの担当者が削除済みまたは削除中" in window.range_bar.progress_label.text()


def test_server_going_away_mid_delete_gives_japanese_error_and_shows_unsent_rows(
    qtbot, make_team_window, tmp_path, sandbox_factory, postgres_server, team_database
) -> None:
    name = team_database({"tanaka": ("田中", "delete")})
    results = ResultRunner(qtbot)
    window = shared_window(
        qtbot, make_team_window, tmp_path, postgres_server, name, "tanaka",
        confirm=Confirmer(), show_delete_result=results,
    )  # fmt: skip
    deletion = window.controller.deletion
    fetch(qtbot, window, lists=(ListKind.BOUNCES, ListKind.BLOCKS))
    model = window.model
    kinds = [model.index(r, 0).data(ENTRY_ROLE).list_kind for r in range(model.rowCount())]
    # One row of each list: two requests, the server goes away after the first is recorded.
    check_rows(window, [kinds.index(ListKind.BOUNCES), kinds.index(ListKind.BLOCKS)])
    sandbox_factory.sandbox.configure(latency_ms=3000)
    killed: list[bool] = []
    planned: list[bool] = []

    def kill() -> None:
        killed.append(True)
        postgres_server.kill()

    def kill_once(_page: object) -> None:
        # Not at once: after the first page the job checks its hold on the shared store before
        # sending the second request, and on a loaded machine (the job yields to a GUI thread
        # that falls behind) a kill here could come first and stop it there. A second into the
        # second request's three seconds, the server goes away while it is in flight.
        if not planned:
            planned.append(True)
            QTimer.singleShot(1000, kill)

    try:
        with qtbot.waitSignal(deletion.failed, timeout=TIMEOUT_MS) as failed:
            qtbot.mouseClick(window.list_page.delete_bar.delete_button, Qt.MouseButton.LeftButton)
            deletion.job.signals.page.connect(kill_once)
        qtbot.waitUntil(lambda: not deletion.is_running(), timeout=TIMEOUT_MS)
        (error,) = failed.args
        assert killed and "共有データベース" in error.message_ja
        assert "共有データベース" in window.status_panel.message_label.text()
        assert deletion.outbox_waiting > 0
        status = window.team_status.text()
        assert window.team_status.isVisible()
        assert f"未送信の記録 {deletion.outbox_waiting} 件" in status
        assert results.reports == []  # no result dialog after an error
    finally:
        if killed:
            postgres_server.restart()
    # Back again: the window's timer resends the kept rows in a job (its thread's idle
    # connection died with the server: the store connects again by itself), once each.
    waiting = deletion.outbox_waiting
    deletion._link.server_timer.setInterval(100)  # 30 s in use
    qtbot.waitUntil(lambda: deletion.outbox_waiting == 0, timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: not window.controller.runner.is_running("resend"), timeout=TIMEOUT_MS)
    assert deletion.journal.outbox_count() == 0 and "未送信" not in window.team_status.text()
    (operation,) = deletion.journal.list_operations()
    results = [e.result.value for e in deletion.journal.entries(operation.id)]
    # Both deletions reached the imitation; their results (and the operation's end) were kept
    # while the server was away and are now stored, each once.
    assert results == ["deleted", "deleted"] and waiting >= 2
    assert operation.state is not OperationState.PENDING
    with psycopg.connect(postgres_server.url(database=name)) as raw:
        stored = raw.execute(
            "SELECT count(*), count(DISTINCT client_key) FROM todoku.entry_results"
        ).fetchone()
    assert stored == (2, 2)


def test_an_operation_running_on_another_pc_is_named_and_left_alone(
    qtbot, make_team_window, tmp_path, postgres_server, team_database
) -> None:
    from app.core.storage.journal_records import OperationState

    name = team_database({"tanaka": ("田中", "delete"), "yamada": ("山田", "delete")})
    other = tanakas_journal(postgres_server, name, tmp_path)
    try:
        operation_id = running_elsewhere(other)
        window = shared_window(qtbot, make_team_window, tmp_path, postgres_server, name, "yamada")
        deletion = window.controller.deletion
        line = window.range_bar.progress_label
        qtbot.waitUntil(lambda: "ほかのPCで削除中" in line.text(), timeout=TIMEOUT_MS)
        assert f"田中さん・記録番号 #{operation_id}" in line.text()
        record = deletion.journal.operation(operation_id)
        assert record is not None and record.state is OperationState.RUNNING  # left alone
    finally:
        other.close()


def test_moving_this_pcs_journal_is_a_job_and_idempotent(
    qtbot, make_team_window, tmp_path, postgres_server, team_database
) -> None:
    from app.core.storage.journal import DeletionJournal
    from app.core.storage.journal_records import NewEntry, OperationMeta, OperationState

    name = team_database({"tanaka": ("田中", "delete")})
    local = DeletionJournal(tmp_path / "data" / "journal.sqlite3")
    created = datetime.now(UTC) - timedelta(days=2)
    meta = OperationMeta("本番", "", "global", "api.sendgrid.com", False, "前の削除")
    for number in range(3):
        entry = NewEntry(ListKind.BOUNCES, f"old{number}@example.jp", created, "5.1.1", "550")
        local.set_state(local.create_operation(meta, [entry]), OperationState.DONE)
    local.close()
    window = make_team_window(journal_path=tmp_path / "data" / "journal.sqlite3")
    team = window.controller.team
    dialog = team.make_dialog(window)
    qtbot.addWidget(dialog)
    fill(dialog, postgres_server, name, "tanaka")
    counts: list[tuple[int, int]] = []
    team.moving.connect(lambda done, total: counts.append((done, total)))
    lines = []
    for _ in range(2):
        with qtbot.waitSignal(team.moved, timeout=TIMEOUT_MS) as moved:
            qtbot.mouseClick(dialog.move_button, Qt.MouseButton.LeftButton)
            assert not dialog.cancel_button.isHidden() and not dialog.test_button.isEnabled()
        qtbot.waitUntil(lambda: not team.is_running(), timeout=TIMEOUT_MS)
        assert moved.args[0] is True
        lines.append(dialog.result_label.text())
    team.detach()
    assert lines[0].startswith("移しました。削除履歴 3 件（移動済みだったもの 0 件）")
    assert lines[1].startswith("移しました。削除履歴 0 件（移動済みだったもの 3 件）")
    assert counts[:3] == [(1, 3), (2, 3), (3, 3)]
    assert dialog.test_button.isEnabled() and dialog.cancel_button.isHidden()
    shared = PostgresJournal(parse_database_url(postgres_server.url("tanaka", name)))
    try:
        assert sorted(op.note for op in shared.list_operations()) == ["前の削除"] * 3
    finally:
        shared.close()


def test_an_unreachable_server_is_opened_off_the_gui_thread(
    qtbot, make_team_window, tmp_path, secrets
) -> None:
    """A server that takes connections but never answers (a listening socket nobody accepts
    on): libpq waits for the startup reply up to connect_timeout. The window keeps processing
    events, says 接続中…, keeps deletion off; when the server goes, a Japanese error."""
    import socket

    silent = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    port = silent.getsockname()[1]
    try:
        SettingsStore(tmp_path / "data" / "settings.json").save(
            AppSettings(
                shared_db_enabled=True,
                shared_db_host="127.0.0.1",
                shared_db_port=port,
                shared_db_name="todoku",
                shared_db_user="tanaka",
                shared_db_sslmode="disable",
            )
        )
        window = make_team_window(journal_path=tmp_path / "data" / "journal.sqlite3")
        deletion = window.controller.deletion
        qtbot.waitUntil(lambda: deletion.connecting, timeout=TIMEOUT_MS)
        # The GUI thread ran its timers while libpq waited (up to its 10 s connect timeout).
        loop_turns_while(qtbot, lambda: deletion.connecting)
        assert deletion.connecting and deletion.journal is None
        assert window.team_status.isVisible() and "接続中" in window.team_status.text()
        button = window.list_page.delete_bar.delete_button
        assert not button.isEnabled() and "接続しています" in button.toolTip()
        assert not deletion.start((), window)  # deleting meanwhile is refused with the reason
        assert "接続しています" in window.status_panel.message_label.text()
    finally:
        silent.close()  # the waiting connections are reset: libpq gives up at once
    qtbot.waitUntil(lambda: not deletion.connecting, timeout=TIMEOUT_MS)
    assert deletion.journal is None and deletion.unreachable is not None
    assert "共有データベースに接続できません" in window.status_panel.message_label.text()
    assert "30 秒ごとに接続し直します" in deletion.unreachable.next_step_ja
    assert "接続できません" in window.team_status.text()
    assert not window.list_page.delete_bar.delete_button.isEnabled()
    assert "自動的に接続し直します" in window.list_page.delete_bar.delete_button.toolTip()


class SameSandbox:
    """A second window's practice sandbox: the first window's (one SendGrid account seen from
    two PCs); stopping is left to the window that started it."""

    def __init__(self, url: str) -> None:
        self.url = url

    def __call__(self) -> SameSandbox:
        return self

    def start(self) -> str:
        return self.url

    def stop(self) -> None:
        pass


def test_two_windows_share_the_history_and_its_recurrences(
    qtbot, make_team_window, tmp_path, postgres_server, team_database
) -> None:
    """Team mode: the fetch history is the shared server's, so the 再発 that 田中's window
    recorded (deleted twice, listed again twice) is what 山田's window shows too."""
    from tests.helpers.ui import SandboxFactory
    from tests.ui.test_window_history import (
        Confirmer as HistoryConfirmer,
    )
    from tests.ui.test_window_history import (
        delete_email,
        fetch_result,
        marks_by_email,
        now_s,
        record,
    )

    name = team_database({"tanaka": ("田中", "delete"), "yamada": ("山田", "delete")})
    now = now_s()
    factory = SandboxFactory([record(i, now - 3600 - i * 10_000) for i in range(40)])
    history_path = tmp_path / "data" / "history.sqlite3"
    tanaka = shared_window(
        qtbot, make_team_window, tmp_path, postgres_server, name, "tanaka",
        sandbox_factory=factory, history_path=history_path, confirm=HistoryConfirmer(),
        show_delete_result=lambda report, parent: False,
    )  # fmt: skip
    tanaka.range_bar.set_lists((ListKind.BOUNCES,))
    email = "user0005@example.jp"
    fetch_result(qtbot, tanaka)
    assert tanaka.controller.history.session.shared
    for round_ in range(2):  # deleted by 田中, then it bounces again: twice
        time.sleep(1.1 * round_)  # history keeps deletion times in whole seconds
        delete_email(qtbot, tanaka, email)
        factory.sandbox.add_records(
            [record(5, now_s() + 2 + round_, f"550 5.1.1 mailbox gone (round {round_})")]
        )
        fetch_result(qtbot, tanaka)
    assert "再発 2" in marks_by_email(tanaka)[email]

    # 山田 on another PC: the same SendGrid account, the same shared store, another login.
    confirm = HistoryConfirmer()
    yamada = shared_window(
        qtbot, make_team_window, tmp_path, postgres_server, name, "yamada",
        sandbox_factory=SameSandbox(tanaka.controller.connection._sandbox_url),
        history_path=tmp_path / "yamada" / "history.sqlite3", confirm=confirm,
        show_delete_result=lambda report, parent: False,
    )  # fmt: skip
    yamada.range_bar.set_lists((ListKind.BOUNCES,))
    fetch_result(qtbot, yamada)
    assert yamada.controller.history.session.shared
    assert yamada.controller.history.recurrences[email].count == 2
    marks = marks_by_email(yamada)
    assert "再発 2" in marks[email]
    assert sum("再発" in mark for mark in marks.values()) == 1
    # Every other row: already in the team's history from 田中's fetches, nothing to mark.
    assert {mark for address, mark in marks.items() if address != email} == {""}
    # 山田's delete confirmation shows the team's 再発 lines.
    delete_email(qtbot, yamada, email)
    lines = confirm.recurrences[-1][email]
    assert len(lines) == 3 and "round 0" in lines[1] and "round 1" in lines[2]
    # Nothing went to either PC's SQLite history file.
    assert not history_path.exists() and not (tmp_path / "yamada" / "history.sqlite3").exists()


def test_team_names_reach_messages_as_one_visible_line(
    qtbot, make_team_window, tmp_path, sandbox_factory, postgres_server, team_database
) -> None:
    """The names come from the team database, which anyone with its admin rights writes: a
    bidi override made 「…さんは「閲覧」の担当者…」 read backwards and a line break split it."""
    hostile = "佐\u202e藤\n偽の行"
    name = team_database({"sato": (hostile, "view"), "tanaka": ("田\u202e中", "delete")})
    other = tanakas_journal(postgres_server, name, tmp_path)
    try:
        running_elsewhere(other)
        window = shared_window(qtbot, make_team_window, tmp_path, postgres_server, name, "sato")
        line = window.range_bar.progress_label
        qtbot.waitUntil(lambda: "ほかのPCで削除中" in line.text(), timeout=TIMEOUT_MS)
        assert "田⟨U+202E⟩中さん" in line.text() and "\u202e" not in line.text()
        fetch(qtbot, window)
        check_rows(window, [0])
        window.delete_checked()
        message = window.status_panel.message_label.text()
        assert "⟨U+202E⟩" in message and "\u202e" not in message, message
        assert "偽の行" in message and "\n偽の行" not in message, message
    finally:
        other.close()
