"""`todoku-cli fetch` after the API key or the --base-url changed: the history of the previous
connection is neither shown as this one's (「差分取得」 with the old rows) nor marked 他所で削除.

The new-user review (newuser6, item 1) met it in the window; the CLI took the same path.
"""

from __future__ import annotations

import json
from pathlib import Path

from app.core.storage.history import AccountKey, GoneBy
from app.core.storage.history.sqlite_store import SqliteHistoryStore
from app.core.types import ALL_LISTS
from app.sandbox.sendgrid_server import SandboxRecord
from tests.cli.test_fetch_cmd import END, START, dates, private_data_dir, run_cli

__all__ = ["private_data_dir"]  # the fixture: a private data folder for each test

KEY_A = "SG.cli-account-a-key-0123456789"
KEY_B = "SG.cli-account-b-key-9876543210"


def rows(prefix: str, count: int) -> list[SandboxRecord]:
    return [
        SandboxRecord(
            "bounces", f"{prefix}{i}@example.jp", START + i * 600, "550 5.1.1 unknown", "5.1.1"
        )
        for i in range(count)
    ]


def emails(result) -> set[str]:
    return {json.loads(line)["email"] for line in result.stdout.splitlines()}


def gone(history: Path) -> list[str]:
    store = SqliteHistoryStore(history)
    try:
        return [
            email
            for _, email, by, _ in store.gone_in_range(
                AccountKey(account="練習"), START, END, ALL_LISTS
            )
            if by is GoneBy.ELSEWHERE
        ]
    finally:
        store.close()


def test_another_key_on_the_same_url_is_fetched_whole(make_sandbox, tmp_path: Path) -> None:
    history = tmp_path / "history.sqlite3"
    a = make_sandbox(rows("a", 40), api_keys={KEY_A: None})
    url = a.base_url
    first = run_cli(*dates(), "--base-url", url, "--history", str(history), key=KEY_A)
    assert first.returncode == 0, first.stderr
    assert len(emails(first)) == 40
    a.stop()
    port = int(url.rsplit(":", 1)[1].split("/")[0])
    b = make_sandbox(rows("b", 5), api_keys={KEY_B: None}, port=port)
    assert b.base_url == url

    second = run_cli(*dates(), "--base-url", url, "--history", str(history), key=KEY_B)
    assert second.returncode == 0, second.stderr
    assert "全件取得" in second.stderr and "差分取得" not in second.stderr
    assert emails(second) == {f"b{i}@example.jp" for i in range(5)}
    assert "API キーまたは接続先" in second.stderr  # says why it fetched everything
    full = run_cli(*dates(), "--full", "--base-url", url, "--history", str(history), key=KEY_B)
    assert emails(full) == emails(second)
    assert gone(history) == []


def test_another_url_is_fetched_whole(make_sandbox, tmp_path: Path) -> None:
    history = tmp_path / "history.sqlite3"
    a = make_sandbox(rows("a", 40))
    other = make_sandbox(rows("o", 3))
    first = run_cli(*dates(), "--base-url", a.base_url, "--history", str(history))
    assert len(emails(first)) == 40
    moved = run_cli(*dates(), "--base-url", other.base_url, "--history", str(history))
    assert "全件取得" in moved.stderr
    assert emails(moved) == {f"o{i}@example.jp" for i in range(3)}
    back = run_cli(*dates(), "--base-url", a.base_url, "--history", str(history))
    assert "差分取得" in back.stderr  # its own history came back
    assert emails(back) == emails(first)
    assert gone(history) == []
