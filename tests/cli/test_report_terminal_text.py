"""`todoku-cli report` (no --xlsx/--pdf) prints the month's top domains raw.

The domains come from the provider's reply (stored by fetch into the history). Other
commands pass such text through ``cli.common.terminal_text`` (docs/hostile-input.md:
"nothing reaches the terminal that could drive it"); ``report_text`` does not, so a server
that lists "a@\\u202eevil.jp\\x1b]0;title\\x07" reorders the report line and drives the terminal.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.cli import main
from tests.helpers.raw_pages import fetched_history

EMAIL = "a@\u202eevil.jp\x1b]0;pwned\x07"
PAGE = json.dumps(
    [{"email": EMAIL, "created": 1762000000, "reason": "550 5.1.1", "status": "5.1.1"}]
).encode()


@pytest.fixture(autouse=True)
def private_dirs(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("SENDGRID_API_KEY", "SG.test-key")


def test_report_lines_never_drive_the_terminal(tmp_path: Path, capsys) -> None:
    history, journal = fetched_history(tmp_path, PAGE)
    capsys.readouterr()
    code = main(["report", "--month", "2025-11", "--account", "練習",
                 "--history", history, "--journal", journal])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0
    assert "evil.jp" in out  # the domain is in the report
    bad = [line for line in out.splitlines() if "\x1b" in line or "\u202e" in line]
    assert not bad
