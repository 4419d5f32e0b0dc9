"""A ``--base-url`` holding a user name and password is refused — without repeating the password.

The check refuses such a URL precisely because it holds a secret (接続先 URL にユーザー名や
パスワードを含めないでください), then quoted the whole URL in the error's 詳細 line: the password
went to the terminal, a scheduler's mail and any log of stderr. The window's settings screen
uses the same check, and its error detail goes to the details pane and the log file.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from app.cli import main
from app.core.base_url import normalize_base_url
from app.core.errors import InvalidInputError

SECRET = "TopSecretPass"
URLS = [
    f"https://apiuser:{SECRET}@sendgrid-proxy.example.jp",
    f"https://{SECRET}@sendgrid-proxy.example.jp",  # a key pasted as the user name
    f"http://apiuser:{SECRET}@sendgrid-proxy.example.jp/v3",
]


@pytest.fixture(autouse=True)
def private_dirs(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("SENDGRID_API_KEY", "SG.env-key")


@pytest.mark.parametrize("url", URLS)
def test_fetch_does_not_echo_the_password(capsys, url: str) -> None:
    code = main(
        ["fetch", "--from", "2026-11-01", "--to", "2026-11-01", "--no-history", "--base-url", url]
    )
    err = capsys.readouterr().err
    assert code == 1, err
    assert "エラー:" in err, err
    assert SECRET not in err, err


def test_delete_does_not_echo_the_password(capsys, tmp_path: Path) -> None:
    emails = tmp_path / "emails.txt"
    emails.write_text("taro@example.jp\n", encoding="utf-8")
    code = main(
        [
            "delete", "--list", "bounces", "--emails-file", str(emails), "--yes",
            "--journal", str(tmp_path / "journal.sqlite3"), "--base-url", URLS[0],
        ]
    )  # fmt: skip
    err = capsys.readouterr().err
    assert code == 1, err
    assert SECRET not in err, err


@pytest.mark.parametrize("url", URLS)
def test_the_settings_check_keeps_the_password_out_of_its_detail(url: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        normalize_base_url(url)
    error = caught.value
    assert SECRET not in f"{error.message_ja} {error.next_step_ja} {error.detail} {error}"
