"""`--database URL` with a bad port or a broken IPv6 host: a Japanese error, not a traceback.

``urlsplit`` raises ValueError for "[::1" (no closing bracket) and ``.port`` for "h:99999" and
"h:abc"; port 0 silently became 5432 (another server than the one named). Every command that
takes ``--database`` (db, fetch, delete, report) goes through the same check.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from app.cli import main
from app.sandbox.sendgrid_server import SandboxRecord
from tests.helpers.core_sandbox import API_KEY, RANGE_START, make_sandbox  # noqa: F401

BAD_URLS = [
    ("postgresql://todoku@db.example.jp:99999/todoku", "ポート番号"),
    ("postgresql://todoku@db.example.jp:abc/todoku", "ポート番号"),
    ("postgresql://todoku@db.example.jp:0/todoku", "ポート番号"),
    ("postgresql://todoku:secret-pw@[::1/todoku", "IPv6"),
]
COMMANDS = [
    ["db", "roles"],
    ["db", "upgrade"],
    ["fetch", "--from", "2025-11-01", "--to", "2025-11-30", "--base-url", "http://127.0.0.1:9"],
    ["report", "--month", "2025-11"],
]


@pytest.fixture(autouse=True)
def private_dirs(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("SENDGRID_API_KEY", API_KEY)


@pytest.mark.parametrize(("url", "problem"), BAD_URLS)
@pytest.mark.parametrize("command", COMMANDS, ids=lambda command: command[0] + command[1][:3])
def test_a_bad_database_url_is_a_japanese_error(
    capsys, url: str, problem: str, command: list[str]
) -> None:
    code = main([*command, "--database", url])
    err = capsys.readouterr().err
    assert code == 1, err
    assert problem in err, err
    assert "secret-pw" not in err  # the URL's password is never echoed


def test_delete_refuses_a_bad_database_url(make_sandbox, capsys, tmp_path: Path) -> None:  # noqa: F811
    sandbox = make_sandbox([SandboxRecord("bounces", "a@example.jp", RANGE_START, "550", "5.1.1")])
    emails = tmp_path / "emails.txt"
    emails.write_text("a@example.jp\n", encoding="utf-8")
    code = main(
        ["delete", "--list", "bounces", "--emails-file", str(emails), "--yes",
         "--base-url", sandbox.base_url, "--database", BAD_URLS[0][0]]
    )  # fmt: skip
    err = capsys.readouterr().err
    assert code == 1, err
    assert "ポート番号" in err, err
    assert len(sandbox.records("bounces")) == 1  # nothing was deleted without its journal
