"""A deletion journal another program keeps writing to past SQLite's busy wait (a second
Todoku deleting a long list, todoku-cli): the window says the file is in use — not disk space —
keeps deleting off meanwhile, and opens the journal by itself once the other writer is done."""

from __future__ import annotations

import json
import sqlite3
import threading

from PySide6.QtCore import Qt

from app.core.storage import journal as journal_module
from app.core.storage.journal import (
    DeletionJournal,
    NewEntry,
    OperationMeta,
    OperationState,
)
from app.core.storage.journal_errors import JournalInUseError
from app.core.storage.secrets import SENDGRID_KEY
from app.core.types import ListKind
from app.sandbox.sendgrid_server import SandboxRecord, SendGridSandbox
from tests.helpers.ui import TEST_KEY


def test_a_journal_in_use_elsewhere_is_said_so_and_opened_once_free(
    qtbot, make_window, tmp_path, monkeypatch
) -> None:
    monkeypatch.setattr(journal_module, "_BUSY_TIMEOUT_S", 0.3)  # 10 s in use
    path = tmp_path / "data" / "journal.sqlite3"
    DeletionJournal(path).close()
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # the other program's write transaction
    try:
        window = make_window(journal_path=path)
        deletion = window.controller.deletion
        deletion._link.server_timer.setInterval(200)  # 30 s in use
        errors: list = []
        deletion.failed.connect(errors.append)
        panel = window.status_panel
        qtbot.waitUntil(lambda: isinstance(panel.error, JournalInUseError), timeout=5000)
        qtbot.wait(1200)  # tried again a few times meanwhile
        assert len(errors) == 1, errors  # said once, not at every attempt
        shown = f"{panel.error.message_ja} {panel.error.next_step_ja}"
        assert "使用中" in shown and "空き容量" not in shown, shown
        assert deletion.journal is None
        assert "使用中" in deletion.refusal  # the delete button stays off, with the reason
        assert deletion.start([]) is False
    finally:
        other.execute("COMMIT")
        other.close()

    qtbot.waitUntil(lambda: deletion.journal is not None, timeout=5000)
    assert deletion.refusal == ""
    assert deletion.available


def test_a_crash_is_still_reconciled_when_the_journal_opens_during_a_fetch(
    qtbot, make_window, secrets, tmp_path
) -> None:
    """The journal opens late (another writer held it) while a fetch holds the lane: the
    unfinished deletion is checked once the fetch ends, not left for the next start."""
    still, gone = "still@example.jp", "gone@example.jp"
    sandbox = SendGridSandbox(
        records=[SandboxRecord("bounces", still, 1_700_000_000, "550 user unknown")],
        api_keys={TEST_KEY: None},
        latency_ms=700,  # the fetch outlasts the other writer's lock
    )
    sandbox.start()
    path = tmp_path / "data" / "journal.sqlite3"
    journal = DeletionJournal(path)
    operation_id = journal.create_operation(
        OperationMeta(account_label="本番", base_host=sandbox.base_url.removeprefix("http://")),
        [NewEntry(ListKind.BOUNCES, still), NewEntry(ListKind.BOUNCES, gone)],
    )
    journal.set_state(operation_id, OperationState.RUNNING)  # then the app "crashed"
    journal.close()
    secrets.set(SENDGRID_KEY, TEST_KEY)
    (tmp_path / "data" / "settings.json").write_text(
        json.dumps({"practice_mode": False}), encoding="utf-8"
    )
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    release = threading.Timer(0.5, lambda: other.execute("COMMIT"))
    release.start()
    try:
        window = make_window(journal_path=path, live_base_url=sandbox.base_url)
        deletion = window.controller.deletion
        qtbot.mouseClick(window.range_bar.fetch_button, Qt.MouseButton.LeftButton)
        assert window.controller.fetch.is_running()
        qtbot.waitUntil(lambda: deletion.journal is not None, timeout=5000)
        assert window.controller.fetch.is_running()  # the journal opened beside the fetch
        qtbot.waitUntil(
            lambda: window.status_panel.message_label.text().startswith(
                "前回の削除が途中で終了しました"
            ),
            timeout=15_000,
        )
        qtbot.waitUntil(lambda: not deletion.is_running(), timeout=5000)
        operation = deletion.journal.operation(operation_id)
        assert operation is not None and operation.state is OperationState.RECONCILED
        window.close()
    finally:
        release.join()
        other.close()
        sandbox.stop()
