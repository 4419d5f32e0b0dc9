"""`todoku-cli report --month` at the ends of the calendar: 0001-01 has no previous month and
9999-12 no last-day-plus-one in Python's `date`; the command died with an OverflowError
traceback, now it refuses the month in Japanese."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.cli import main
from tests.helpers.raw_pages import fetched_history

PAGE = json.dumps(
    [{"email": "a@example.jp", "created": 1762000000, "reason": "550 5.1.1", "status": "5.1.1"}]
).encode()


@pytest.fixture(autouse=True)
def private_dirs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("SENDGRID_API_KEY", "SG.test-key")


@pytest.mark.parametrize("month", ["0001-01", "9999-12"])
def test_a_month_at_the_calendar_edge_is_a_japanese_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], month: str
) -> None:
    history, journal = fetched_history(tmp_path, PAGE)
    capsys.readouterr()
    code = main(["report", "--month", month, "--account", "練習",
                 "--history", history, "--journal", journal])  # fmt: skip
    assert code == 1  # report_error's Japanese message
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "扱えません" in err


def test_a_report_of_an_empty_history_says_to_fetch_first(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A history file with no fetch in it: there is no account to name, so the message asks for
    a fetch instead of listing the accounts it knows (it used to list 「（なし）」)."""
    from app.core.storage.history.sqlite_store import SqliteHistoryStore

    history = tmp_path / "history.sqlite3"
    SqliteHistoryStore(history).close()
    journal = str(tmp_path / "journal.sqlite3")
    code = main(["report", "--month", "2026-11", "--account", "練習",
                 "--history", str(history), "--journal", journal])  # fmt: skip
    assert code == 1
    err = capsys.readouterr().err
    assert "まだ記録がありません" in err and "todoku-cli fetch" in err, err
    assert "（なし）" not in err and "Traceback" not in err
