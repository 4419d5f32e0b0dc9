"""A mailbox whose password holds Japanese or full-width characters can be read: the login goes
as AUTHENTICATE PLAIN in UTF-8 (RFC 4616), which a real Dovecot on loopback accepts."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.core.dmarc.errors import ImapError
from app.core.dmarc.imap_source import ImapReportSource, ImapSettings
from tests.helpers.dovecot_server import DovecotServer, find_dovecot

PASSWORD = "パスワード２０２６"


@pytest.fixture(scope="module")
def utf8_dovecot() -> Iterator[DovecotServer]:
    binary = find_dovecot()
    if binary is None:
        pytest.skip("dovecot is not installed (apt-get install dovecot-imapd; .ci/run does)")
    server = DovecotServer(binary, password=PASSWORD)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def settings_for(server: DovecotServer) -> ImapSettings:
    return ImapSettings(
        "127.0.0.1", server.username, "INBOX", server.port, cafile=server.cert, timeout=10
    )


def test_a_non_ascii_password_logs_in(utf8_dovecot: DovecotServer) -> None:
    with ImapReportSource(settings_for(utf8_dovecot), PASSWORD) as source:
        assert source.message_uids() == []


def test_a_wrong_non_ascii_password_is_a_japanese_login_error(
    utf8_dovecot: DovecotServer,
) -> None:
    source = ImapReportSource(settings_for(utf8_dovecot), "パスワード２０２７")
    with pytest.raises(ImapError) as caught, source:
        pass
    error = caught.value
    assert "ログイン" in error.message_ja
    assert "パスワード２０２７" not in f"{error.message_ja} {error.next_step_ja} {error.detail}"
