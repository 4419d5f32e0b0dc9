"""An IMAP password (or user name) with characters outside ASCII is a Japanese error.

imaplib sends LOGIN's arguments encoded as ASCII; a password typed with a Japanese or
full-width character (or pasted with a non-breaking space) raised UnicodeEncodeError out of
``ImapReportSource._connect``, which catches only TimeoutError, IMAP4.error and OSError:
``todoku-cli dmarc --imap-…`` ended in a traceback.
"""

from __future__ import annotations

import gc

import pytest

from app.cli import main
from tests.core.dmarc.test_dmarc_imap import dovecot  # noqa: F401  (the Dovecot fixture)
from tests.helpers.dovecot_server import DovecotServer


@pytest.mark.parametrize("password", ["パスワード2026", "secret\u00a0pass", "ｓｅｃｒｅｔ"])
def test_cli_login_with_a_non_ascii_password(
    dovecot: DovecotServer,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    password: str,
) -> None:
    monkeypatch.setenv("TODOKU_IMAP_PASSWORD", password)
    problem = ""
    try:
        code = main(
            [
                "dmarc", "--imap-folder", "INBOX", "--imap-host", "127.0.0.1",
                "--imap-port", str(dovecot.port), "--imap-user", dovecot.username,
                "--imap-cafile", str(dovecot.cert), "--no-dns",
            ]
        )  # fmt: skip
    except Exception as error:  # the traceback the user saw; its frames are dropped here
        problem, code = repr(error), -1
    gc.collect()  # a connection left open shows in this test, not in a later one's teardown
    assert not problem, f"a traceback instead of a Japanese error: {problem}"
    err = capsys.readouterr().err
    assert code == 1, err
    assert "エラー:" in err and "ログイン" in err, err
    assert password not in err
