"""The window's fetch job after the saved API key or 接続先 URL changed (newuser6, item 1): a
full pass of the new account with a note saying why, not 「差分取得」 with the old rows.

Runs the job's work as the fetch feature wires it (``HistoryController.fetch_work``): the
window's ``ConnectionConfig`` digested by ``history_connection`` on the job's thread."""

from __future__ import annotations

import functools
from datetime import datetime
from pathlib import Path

from app.core.classify.classifier import Classifier
from app.core.dates import unix_bounds
from app.core.services import ConnectionConfig, history_connection, provider_factory
from app.core.types import ALL_LISTS, DateRange
from app.sandbox.sendgrid_server import SandboxRecord
from app.ui.history.fetch_work import fetch_recording_history
from app.ui.history.session import HistorySession, account_for
from tests.helpers.core_sandbox import make_sandbox  # noqa: F401  (a fixture)

RANGE = DateRange(datetime(2026, 11, 1).date(), datetime(2026, 11, 30).date())
START, _ = unix_bounds(RANGE)
CLASSIFY = Classifier.load().classify_entries
KEY_A, KEY_B = "SG.window-key-a-0123456789", "SG.window-key-b-9876543210"


def records(prefix: str, count: int) -> list[SandboxRecord]:
    return [
        SandboxRecord("bounces", f"{prefix}{i}@example.jp", START + i * 900, "550 5.1.1", "5.1.1")
        for i in range(count)
    ]


def run(session: HistorySession, config: ConnectionConfig, *, full: bool = False):
    return fetch_recording_history(
        session, provider_factory(config), None, account_for(config), RANGE, ALL_LISTS,
        CLASSIFY, None, full, 400,
        connection=functools.partial(history_connection, config),
    )  # fmt: skip


def test_another_key_in_the_settings_is_a_full_fetch_with_a_note(make_sandbox, tmp_path: Path):  # noqa: F811
    a = make_sandbox(records("a", 60), api_keys={KEY_A: None})
    url = a.base_url
    session = HistorySession(tmp_path / "history.sqlite3")
    first = run(session, ConnectionConfig(api_key=KEY_A, base_url=url, max_retries=0))
    assert len(first.entries) == 60
    a.stop()
    port = int(url.rsplit(":", 1)[1].split("/")[0])
    make_sandbox(records("b", 4), api_keys={KEY_B: None}, port=port)
    other = ConnectionConfig(api_key=KEY_B, base_url=url, max_retries=0)
    second = run(session, other)
    assert "全件取得" in second.summary_ja and "差分取得" not in second.summary_ja
    assert {e.email for e in second.entries} == {f"b{i}@example.jp" for i in range(4)}
    assert any("API キーまたは接続先" in note for note in second.fetch.notes)
    full = run(session, other, full=True)
    assert full.gone == ()  # no 他所で削除 for the other account's rows
    assert not run(session, other).fetch.connection_changed
