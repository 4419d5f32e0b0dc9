"""IMAP import against a real Dovecot on loopback (Debian's dovecot-imapd; .ci/run installs it)."""

from __future__ import annotations

import imaplib
import ssl
from collections.abc import Iterator
from email.message import EmailMessage
from itertools import count

import pytest

from app.core.dmarc.analysis import DmarcAnalysis
from app.core.dmarc.errors import ImapError
from app.core.dmarc.imap_source import ImapReportSource, ImapSettings, encode_mailbox_name
from app.core.dmarc.importer import ReportImporter
from app.core.dmarc.service import MailboxRequest, analyse_reports
from app.sandbox.dmarc_reports import generate_reports, pack, report_email
from tests.helpers.dovecot_server import DovecotServer, running_dovecot

_folders = count(1)


@pytest.fixture(scope="module")
def dovecot() -> Iterator[DovecotServer]:
    yield from running_dovecot()


def _admin(server: DovecotServer) -> imaplib.IMAP4_SSL:
    context = ssl.create_default_context(cafile=str(server.cert))
    client = imaplib.IMAP4_SSL("127.0.0.1", server.port, ssl_context=context, timeout=10)
    client.login(server.username, server.password)
    return client


def _fill_folder(server: DovecotServer, messages: list[bytes], name: str) -> str:
    folder = f"{name}{next(_folders)}"
    quoted = '"' + encode_mailbox_name(folder) + '"'
    client = _admin(server)
    try:
        assert client.create(quoted)[0] == "OK"
        for message in messages:
            assert client.append(quoted, None, None, message)[0] == "OK"
    finally:
        client.logout()
    return folder


def _flags_and_count(server: DovecotServer, folder: str) -> tuple[int, list[bytes]]:
    client = _admin(server)
    try:
        status, data = client.select('"' + encode_mailbox_name(folder) + '"', readonly=True)
        assert status == "OK"
        total = int(data[0])
        flags: list[bytes] = []
        if total:
            status, fetched = client.fetch(f"1:{total}", "(FLAGS)")
            flags = [item for item in fetched if isinstance(item, bytes)]
        return total, flags
    finally:
        client.logout()


def _settings(server: DovecotServer, folder: str, **overrides: object) -> ImapSettings:
    values: dict[str, object] = {
        "host": "127.0.0.1",
        "username": server.username,
        "folder": folder,
        "port": server.port,
        "cafile": server.cert,
        "timeout": 10.0,
    }
    values.update(overrides)
    return ImapSettings(**values)  # type: ignore[arg-type]


PLAIN_MAIL = (
    b"From: someone@example.net\r\nTo: dmarc@example.co.jp\r\nSubject: hello\r\n\r\nno report\r\n"
)


def test_reads_report_attachments_without_changing_the_mailbox(dovecot: DovecotServer) -> None:
    reports = list(generate_reports(5))  # zip, gz, gz (RFC 9990), xml, zip (RFC 9990)
    messages = [report_email(report) for report in reports]
    messages.append(report_email(reports[0]))  # the same report mailed twice
    messages.append(PLAIN_MAIL)
    folder = _fill_folder(dovecot, messages, "DMARCレポート")
    before = _flags_and_count(dovecot, folder)

    importer = ReportImporter()
    with ImapReportSource(_settings(dovecot, folder), dovecot.password) as source:
        analysis = DmarcAnalysis().add_all(importer.read_blobs(source.blobs()))
        problems = source.problems

    result = analysis.result(duplicates=importer.duplicates, problems=importer.problems)
    assert result.reports == 5
    assert result.duplicates == 1
    assert {reporter.org_name for reporter in result.reporters} == {
        report.reporter.org_name for report in reports
    }
    assert dict(result.schemas) == {"rfc7489": 3, "rfc9990": 2}
    assert [problem.reason_ja for problem in problems] == [
        "DMARC レポートの添付ファイルがないメールです。"
    ]
    after = _flags_and_count(dovecot, folder)
    assert after == before  # same messages, and no \Seen (or any) flag was set
    assert after[0] == 7 and not any(b"\\Seen" in flags for flags in after[1])


def test_deletes_only_when_asked(dovecot: DovecotServer) -> None:
    reports = list(generate_reports(3, seed=3))
    folder = _fill_folder(dovecot, [*map(report_email, reports), PLAIN_MAIL], "delete-test")
    importer = ReportImporter()
    with ImapReportSource(_settings(dovecot, folder), dovecot.password) as source:
        list(importer.read_blobs(source.blobs()))
        assert _flags_and_count(dovecot, folder)[0] == 4  # reading alone deleted nothing
        assert source.delete(source.uids_read) == 3
    remaining, _ = _flags_and_count(dovecot, folder)
    assert remaining == 1  # the mail without a report stays


def _broken_report_mail(seed: int) -> bytes:
    """A report mail whose .xml.gz was cut in transit: the gzip stream is truncated."""
    name, data = pack(next(iter(generate_reports(1, seed=seed))), "gz")
    message = EmailMessage()
    message["From"] = "noreply-dmarc@example.net"
    message["To"] = "dmarc@example.co.jp"
    message["Subject"] = "Report domain: example.co.jp"
    message.set_content("report attached")
    message.add_attachment(
        data[: len(data) // 2], maintype="application", subtype="gzip", filename=name
    )
    return message.as_bytes()


def test_delete_keeps_a_mail_whose_report_could_not_be_read(dovecot: DovecotServer) -> None:
    good = next(iter(generate_reports(1, seed=5)))
    folder = _fill_folder(dovecot, [report_email(good), _broken_report_mail(7)], "broken-delete")

    result = analyse_reports(
        mailbox=MailboxRequest(_settings(dovecot, folder), dovecot.password, True)
    )

    assert result.reports == 1
    reasons = [problem.reason_ja for problem in result.problems]
    assert any("途中で切れています" in reason for reason in reasons)  # why it is unread
    assert "読み込めなかったレポートがあるため、このメールは削除せずに残しました。" in reasons
    # Only the read mail went: deleting the broken one would lose its report for good.
    assert _flags_and_count(dovecot, folder)[0] == 1


def test_wrong_password_is_a_japanese_login_error(dovecot: DovecotServer) -> None:
    with (
        pytest.raises(ImapError, match="ログインできませんでした") as caught,
        ImapReportSource(_settings(dovecot, "INBOX"), "wrong-password"),
    ):
        pass
    assert "wrong-password" not in caught.value.detail


def test_an_untrusted_certificate_stops_the_connection(dovecot: DovecotServer) -> None:
    with (
        pytest.raises(ImapError, match="証明書を確認できない"),
        ImapReportSource(_settings(dovecot, "INBOX", cafile=None), dovecot.password),
    ):
        pass


def test_a_missing_folder_is_named(dovecot: DovecotServer) -> None:
    with (
        pytest.raises(ImapError, match="フォルダ「存在しない」を開けませんでした"),
        ImapReportSource(_settings(dovecot, "存在しない"), dovecot.password),
    ):
        pass


def test_nothing_listens_is_a_connection_error(dovecot: DovecotServer) -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    with (
        pytest.raises(ImapError, match="接続できませんでした"),
        ImapReportSource(_settings(dovecot, "INBOX", port=closed_port), "x"),
    ):
        pass


def test_cli_reads_the_mailbox(
    dovecot: DovecotServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from app.cli import main

    folder = _fill_folder(dovecot, [report_email(r) for r in generate_reports(4, seed=8)], "cli")
    monkeypatch.setenv("TODOKU_IMAP_PASSWORD", dovecot.password)
    code = main(
        [
            "dmarc",
            "--imap-folder",
            folder,
            "--imap-host",
            "127.0.0.1",
            "--imap-port",
            str(dovecot.port),
            "--imap-user",
            dovecot.username,
            "--imap-cafile",
            str(dovecot.cert),
            "--no-dns",
        ]
    )
    out = capsys.readouterr().out
    assert code == 3  # the generated senders include spoofers
    assert "DMARC レポート 4 件" in out
    assert _flags_and_count(dovecot, folder)[0] == 4  # nothing deleted without --imap-delete


@pytest.fixture
def own_dovecot() -> Iterator[DovecotServer]:
    """A server of this test alone: it is stopped in the middle of a session."""
    yield from running_dovecot()


def test_a_server_that_goes_away_mid_session_is_a_japanese_error(
    own_dovecot: DovecotServer,
) -> None:
    """imaplib's abort (or a socket error) escaped as a traceback from `todoku-cli dmarc`."""
    folder = _fill_folder(own_dovecot, [report_email(r) for r in generate_reports(2)], "drop")
    importer = ReportImporter()
    with (
        pytest.raises(ImapError, match="接続が途中で切れた") as caught,
        ImapReportSource(_settings(own_dovecot, folder, timeout=3.0), own_dovecot.password) as src,
    ):
        own_dovecot.stop()
        list(importer.read_blobs(src.blobs()))
    assert own_dovecot.password not in caught.value.detail
