"""Passwords with reserved characters in a ``--database`` URL.

``urlsplit`` ends the authority at the first ``#``, ``?`` or ``/``: ``postgresql://tanaka:ab#1@db/t``
was read as host 「tanaka」 and port 「ab」 (「ポート番号が正しくありません」), and a password like
``p/w`` sent the login to a host called 「p」. A password works typed as it is or
percent-encoded, and is never quoted by an error or a log line.
"""

from __future__ import annotations

import logging
import socket
from pathlib import Path

import pytest

from app.cli import main
from app.core.errors import InvalidInputError
from app.core.storage.team.connection import parse_database_url


@pytest.mark.parametrize(
    ("url", "password"),
    [
        ("postgresql://tanaka:ab#1@db.example.jp/team", "ab#1"),
        ("postgresql://tanaka:ab%231@db.example.jp/team", "ab#1"),
        ("postgresql://tanaka:a?b=c@db.example.jp/team", "a?b=c"),
        ("postgresql://tanaka:a/b@db.example.jp/team", "a/b"),
        ("postgresql://tanaka:a@b@db.example.jp/team", "a@b"),
        ("postgresql://tanaka:a:b@db.example.jp/team", "a:b"),
        ("postgresql://tanaka:%E3%81%82%20x@db.example.jp/team", "あ x"),
        ("postgresql://tanaka:100%@db.example.jp/team", "100%"),  # no escape: kept as typed
        ("postgresql://tanaka:#?/@:%25@db.example.jp/team", "#?/@:%"),
    ],
)
def test_a_password_with_reserved_characters_is_read_whole(url: str, password: str) -> None:
    database = parse_database_url(url)
    assert (database.user, database.password) == ("tanaka", password)
    assert (database.host, database.port, database.dbname) == ("db.example.jp", 5432, "team")
    assert database.sslmode == "require"


def test_the_rest_of_the_url_is_read_after_such_a_password() -> None:
    database = parse_database_url("postgres://a%40b:x#y?z@[::1]:6543/d%20b?sslmode=verify-full")
    assert (database.user, database.password) == ("a@b", "x#y?z")
    assert (database.host, database.port, database.dbname) == ("::1", 6543, "d b")
    assert database.sslmode == "verify-full"
    assert "x#y?z" not in database.label


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://tanaka:s3#cret@db.example.jp:99999/team",
        "postgresql://tanaka:s3/cret@db.example.jp:abc/team",
        "postgresql://tanaka:s3?cret@[::1/team",
        "mysql://tanaka:s3#cret@db.example.jp/team",
        "postgresql://tanaka:s3#cret@db.example.jp/team?sslmode=bogus",
    ],
)
def test_errors_never_quote_the_password(url: str) -> None:
    with pytest.raises(InvalidInputError) as raised:
        parse_database_url(url)
    error = raised.value
    text = f"{error.message_ja} {error.next_step_ja} {error.detail} {error!r} {error}"
    assert "s3" not in text and "cret" not in text, text


def test_the_cli_neither_prints_nor_logs_the_password(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A refused connection with such a password: the login and host are named, never it."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("PGPASSWORD", raising=False)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again: connections are refused at once
    caplog.set_level(logging.DEBUG)
    code = main(["db", "upgrade", "--database", f"postgresql://tanaka:Zq#9?x/y@127.0.0.1:{port}/t"])
    out = capsys.readouterr()
    assert code == 1
    assert f"127.0.0.1:{port}" in out.err, out.err  # the server it could not reach, as given
    logged = "\n".join(record.getMessage() for record in caplog.records)
    for text in (out.out, out.err, logged):
        assert "Zq" not in text, text
