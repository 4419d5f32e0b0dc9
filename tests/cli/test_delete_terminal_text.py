"""`todoku-cli delete` prints addresses from the operator's file raw in two places.

delete_cmd.py says "Addresses come from the operator's file or the provider ... neither may
drive the terminal" and cleans the result lines with ``terminal_text``; but the "not_found"
line printed while looking the addresses up (``_look_up``) and the confirmation list ("…から次の
N 件を削除します。" followed by the addresses, on stderr) print them as they are. An address
list received from elsewhere can then set the terminal's title, move the cursor, or reorder
the line with a bidi override (U+202E) before the operator confirms a deletion.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from app.cli import main
from app.sandbox.sendgrid_server import SandboxRecord
from tests.helpers.core_sandbox import API_KEY, RANGE_START, make_sandbox  # noqa: F401

ESCAPE = "\x1b]0;pwned\x07"  # OSC 0: sets the terminal window's title
LISTED = "sato\u202e@example.jp"  # listed on SendGrid, with a right-to-left override


@pytest.fixture(autouse=True)
def private_dirs(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("SENDGRID_API_KEY", API_KEY)


def test_addresses_never_drive_the_terminal(make_sandbox, tmp_path, capsys) -> None:  # noqa: F811
    sandbox = make_sandbox([SandboxRecord("bounces", LISTED, RANGE_START, "550 5.1.1", "5.1.1")])
    emails = tmp_path / "emails.txt"
    emails.write_text(f"nobody{ESCAPE}@example.jp\n{LISTED}\n", encoding="utf-8")
    code = main(
        ["delete", "--list", "bounces", "--emails-file", str(emails), "--yes",
         "--journal", str(tmp_path / "journal.sqlite3"), "--base-url", sandbox.base_url]
    )  # fmt: skip
    captured = capsys.readouterr()
    assert code == 0
    bad = [
        (name, line)
        for name, text in (("stdout", captured.out), ("stderr", captured.err))
        for line in text.splitlines()
        if "\x1b" in line or "\u202e" in line
    ]
    assert not bad
