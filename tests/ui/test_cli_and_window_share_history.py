"""The window and `todoku-cli fetch` keep one fetch history for the same Amazon SES account (the
loopback imitation), so they agree on 新着 and 再発, and the rows older versions filed under
other keys are found.

Before, `todoku-cli fetch --account 本番` filed the account as provider ``sendgrid`` under its
SendGrid ``--region`` ("global"), and the window under the account's AWS region (an older
window under "" when the account had none saved): each side called 新着 what only the other had
seen, and the 再発 one recorded the other never showed. The older rows are written here through
the same fetch code with the keys those versions built.
"""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from app.cli import main
from app.core.accounts import Account, ProviderName
from app.core.classify.classifier import Classifier
from app.core.dates import JST
from app.core.history.incremental import fetch_with_history
from app.core.provider_factory import build_provider
from app.core.services import provider_factory
from app.core.storage.history import AccountKey
from app.core.storage.history.sqlite_store import SqliteHistoryStore
from app.core.storage.journal import DeletionJournal
from app.core.storage.settings import AppSettings, SettingsStore
from app.core.types import DateRange, ListKind
from app.sandbox import ses_server
from app.sandbox.esp_practice import PRACTICE_DOMAINS, PracticeRecord
from app.ui.accounts.controller import live_config
from app.ui.history.fetch_work import NEW_MARK, fetch_recording_history
from app.ui.history.session import HistorySession, account_for

NAME = "本番"
OLD_CLI = AccountKey("sendgrid", NAME, "", "global")  # `fetch --account 本番`, before
OLD_WINDOW = AccountKey("ses", NAME, "", "")  # the window, SES saved without a region


def _record(i: int, created: int) -> PracticeRecord:
    return PracticeRecord(
        "bounce", f"user{i}@example.jp", created, "550 5.1.1 unknown", "5.1.1", "件名",
        "info@shop.example.jp", PRACTICE_DOMAINS[0],
    )  # fmt: skip


@pytest.fixture
def folders(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    for variable in ("AWS_PROFILE", "AWS_DEFAULT_REGION", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", ses_server.SANDBOX_ACCESS_KEY_ID)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", ses_server.SANDBOX_SECRET)
    monkeypatch.setenv("AWS_REGION", ses_server.SANDBOX_REGION)  # the account saves none
    monkeypatch.setenv("HOME", str(tmp_path))  # no ~/.aws of the machine
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    folder = tmp_path / "data" / "Todoku"
    folder.mkdir(parents=True)
    return folder


def _cli_fetch(tmp_path: Path, days: DateRange, *extra: str) -> list[dict[str, object]]:
    out = tmp_path / "fetched.jsonl"
    code = main(
        ["fetch", "--account", NAME, "--lists", "bounces", "--from", days.start.isoformat(),
         "--to", days.end.isoformat(), "--quiet", "--jsonl", str(out),
         "--history", str(tmp_path / "history.sqlite3"),
         "--journal", str(tmp_path / "journal.sqlite3"), *extra]
    )  # fmt: skip
    assert code == 0
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


def _old_fetch(account: Account, store: SqliteHistoryStore, key: AccountKey, days: DateRange):
    """What an older version did: the same fetch through history, under its own key."""
    fetch_with_history(lambda: build_provider(account, {}), store, key, days, (ListKind.BOUNCES,))


def test_cli_and_window_see_the_same_new_and_returned_rows(
    folders: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    now = int(time.time())
    jst_today = datetime.now(JST).date()
    days = DateRange(jst_today - timedelta(days=2), jst_today + timedelta(days=1))
    history = tmp_path / "history.sqlite3"
    with ses_server.SesSandbox([_record(i, now - 3600 * (3 - i)) for i in range(3)]) as sandbox:
        account = Account(NAME, ProviderName.SES, base_url=sandbox.base_url)
        SettingsStore(folders / "settings.json").save(AppSettings(accounts=(account,)))
        store = SqliteHistoryStore(history)
        _old_fetch(account, store, OLD_CLI, days)  # the CLI saw user0..2
        sandbox.add_records([_record(3, now - 600)])
        _old_fetch(account, store, OLD_WINDOW, days)  # the window saw user0..3 after
        store.close()

        # A report before any fetch of this version finds the CLI's rows where they are.
        assert main(
            ["report", "--account", NAME, "--month", f"{jst_today:%Y-%m}",
             "--history", str(history), "--journal", str(tmp_path / "journal.sqlite3")]
        ) == 0, capsys.readouterr().err  # fmt: skip

        # The CLI deletes user0; it is listed again later, with a new address user4.
        emails = tmp_path / "emails.txt"
        emails.write_text("user0@example.jp\n", encoding="utf-8")
        assert main(
            ["delete", "--account", NAME, "--list", "bounces", "--emails-file", str(emails),
             "--yes", "--journal", str(tmp_path / "journal.sqlite3")]
        ) == 0, capsys.readouterr().err  # fmt: skip
        later = int(time.time()) + 2
        sandbox.add_records([_record(0, later), _record(4, later)])

        rows = _cli_fetch(tmp_path, days)
        # 新着 for the CLI: what neither the old CLI nor the old window had seen (user3 the
        # window had), and user0 listed again.
        assert sorted(r["email"] for r in rows if r["new"]) == [
            "user0@example.jp",
            "user4@example.jp",
        ]

        config = live_config(account, {}, AppSettings(), live_base_url=None, max_retries=0)
        key = account_for(config)
        store = SqliteHistoryStore(history)
        try:
            assert store.accounts() == (key,)  # one key for both, the old ones folded in
            assert key.region == ses_server.SANDBOX_REGION
            cli_returns = {email: r.count for email, r in store.recurrences(key).items()}
        finally:
            store.close()
        assert cli_returns == {"user0@example.jp": 1}

        # The window's fetch right after: nothing it has not seen is 新着, the CLI's 再発 shows.
        session = HistorySession(history)
        journal = DeletionJournal(tmp_path / "journal.sqlite3")
        try:
            result = fetch_recording_history(
                session, provider_factory(config), None, key, days, (ListKind.BOUNCES,),
                Classifier.load().classify_entries, journal, False, 365,
            )  # fmt: skip
        finally:
            journal.close()
            session.close()
        assert result.notices == ()
        assert len(result.entries) == 5
        assert not [mark for mark in result.marks.values() if NEW_MARK in mark]
        assert {email: r.count for email, r in result.recurrences.items()} == cli_returns
        assert result.marks[(ListKind.BOUNCES, "user0@example.jp")].startswith("再発")
