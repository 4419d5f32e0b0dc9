"""`todoku-cli dmarc`: exit codes, Japanese summary, JSON, xlsx, and DNS over a loopback server."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import dns.message
import dns.rdatatype
import openpyxl
import pytest

from app.cli import main
from app.core.dmarc.dns_check import check_domain, make_resolver
from app.core.dmarc.errors import DnsUnavailableError
from app.sandbox.dmarc_reports import generate_reports, write_report_files
from app.sandbox.dns_server import DnsSandbox
from tests.core.dmarc.test_dmarc_hostile_input import far_future_report_folder

DOMAIN_RECORDS = {
    ("_dmarc.example.co.jp", "TXT"): ["v=DMARC1; p=quarantine; rua=mailto:dmarc@example.co.jp"],
    ("example.co.jp", "TXT"): ["google-site-verification=abc", "v=spf1 include:sendgrid.net -all"],
    ("s1._domainkey.example.co.jp", "TXT"): ["v=DKIM1; k=rsa; p=MIIBIjANBgkq"],
    ("10.2.0.192.in-addr.arpa", "PTR"): ["mail.example.co.jp"],
    ("21.100.51.198.in-addr.arpa", "PTR"): ["o1.ptr1234.sendgrid.net"],
}


@pytest.fixture
def dns_server() -> Iterator[DnsSandbox]:
    server = DnsSandbox(DOMAIN_RECORDS).start()
    yield server
    server.stop()


def _closed_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _reports(folder: Path, count: int = 10, **kwargs: object) -> Path:
    write_report_files(folder, generate_reports(count, **kwargs))  # type: ignore[arg-type]
    return folder


def test_failing_sources_exit_3_with_a_japanese_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["dmarc", str(_reports(tmp_path / "r")), "--no-dns"])
    out = capsys.readouterr().out
    assert code == 3
    assert "DMARC レポート 10 件" in out
    assert "[なりすましの疑い] 203.0.113.6" in out
    assert "[認証の設定漏れ（例: SendGrid のドメイン認証が未設定）] 198.51.100.21" in out
    assert "逆引きは確認していません" in out


def test_all_passing_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "ok"
    folder.mkdir()
    for index, report in enumerate(generate_reports(3)):
        xml = report.xml.decode()
        # Keep only the records of the company's own server (192.0.2.x): all pass.
        head, _, rest = xml.partition("<record>")
        records = ["<record>" + part for part in rest.split("<record>")]
        kept = [r.replace("</feedback>", "") for r in records if "<source_ip>192.0.2." in r]
        (folder / f"{index}.xml").write_text(head + "".join(kept) + "</feedback>")
    assert main(["dmarc", str(folder), "--no-dns"]) == 0
    assert "すべての送信元が DMARC に合格しています" in capsys.readouterr().out


def test_nothing_readable_exits_1_and_says_why(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Only broken files: a script must not read "every source passed" from the exit code."""
    folder = tmp_path / "broken"
    folder.mkdir()
    (folder / "a.xml").write_bytes(b"<feedback>")
    (folder / "b.zip").write_bytes(b"PK not a zip")
    assert main(["dmarc", str(folder), "--no-dns"]) == 1
    captured = capsys.readouterr()
    assert "読み込めなかったファイル 2 件" in captured.out
    assert "読み込めたレポートがありません" in captured.err


def test_one_readable_report_among_broken_files_keeps_its_verdict(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _reports(tmp_path / "r", 1)
    (folder / "broken.xml").write_bytes(b"<feedback>")
    assert main(["dmarc", str(folder), "--no-dns"]) == 3


def test_a_report_dated_past_year_9999_jst_is_a_japanese_problem_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["dmarc", str(far_future_report_folder(tmp_path)), "--no-dns"])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err and "OverflowError" not in captured.err
    assert "読み込めなかったファイル 1 件" in captured.out
    assert "扱える範囲" in captured.out
    assert code == 3  # one readable report among broken files


def test_json_and_xlsx(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = _reports(tmp_path / "r", 5)
    (folder / "broken.xml").write_bytes(b"<feedback>")
    hostile_report = next(generate_reports(1, seed=99)).xml.replace(
        b"<org_name>google.com</org_name>", b"<org_name>=HYPERLINK(&quot;x&quot;)</org_name>"
    )
    (folder / "hostile.xml").write_bytes(hostile_report)
    target = tmp_path / "dmarc.xlsx"
    code = main(["dmarc", str(folder), "--no-dns", "--json", "--xlsx", str(target)])
    data = json.loads(capsys.readouterr().out)
    assert code == 3 and data["fails_alignment"] is True
    assert data["reports"] == 6 and len(data["problems"]) == 1
    verdicts = {s["source_ip"]: s["verdict"] for s in data["sources"]}
    assert verdicts["198.51.100.21"] == "misconfigured"
    workbook = openpyxl.load_workbook(target)
    assert workbook.sheetnames == ["一覧", "集計", "条件"]
    sheet = workbook["一覧"]
    assert sheet["A1"].value == "判定" and sheet.print_title_rows == "$1:$1"
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.paperSize == 9
    assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.page_setup.fitToWidth == 1
    assert sheet.max_row == 1 + len(data["sources"])
    assert isinstance(sheet["F2"].value, int)  # counts are numbers, not text
    summary = [cell for row in workbook["集計"].iter_rows() for cell in row if cell.value]
    labels = [cell.value for cell in summary]
    assert {"報告元別", "KDDI", "docomo.ne.jp", "日付"} <= set(labels)
    hostile = [cell for cell in summary if str(cell.value).startswith("=HYPERLINK")]
    assert hostile and all(cell.data_type == "s" for cell in hostile)  # text, never a formula
    conditions = workbook["条件"]
    cells = [cell for row in conditions.iter_rows() for cell in row if cell.value]
    assert any(
        cell.value == "XML の形式が壊れているため読み取れません（1 行目 11 文字目付近）。"
        for cell in cells
    )


def test_dns_records_and_reverse_names_over_loopback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], dns_server: DnsSandbox
) -> None:
    folder = _reports(tmp_path / "r", 5)
    code = main(
        [
            "dmarc",
            str(folder),
            "--dns-server",
            f"127.0.0.1:{dns_server.port}",
            "--json",
            "--dkim-selector",
            "s1",
            "--dkim-selector",
            "missing",
        ]
    )
    data = json.loads(capsys.readouterr().out)
    assert code == 3
    (check,) = data["dns"]["checks"]
    assert check["dmarc"].startswith("v=DMARC1; p=quarantine")
    assert check["spf"] == "v=spf1 include:sendgrid.net -all"
    assert check["problems_ja"] == [
        "DKIM の公開鍵 missing._domainkey.example.co.jp が見つかりません。"
    ]
    sources = {s["source_ip"]: s for s in data["sources"]}
    assert sources["192.0.2.10"]["reverse_name"] == "mail.example.co.jp"
    assert sources["198.51.100.21"]["organisation"] == "SendGrid"
    assert sources["203.0.113.66"]["name_note"] == "逆引き名なし"
    assert ("_dmarc.example.co.jp", "TXT") in dns_server.questions


def test_offline_dns_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = _reports(tmp_path / "r", 2)
    code = main(["dmarc", str(folder), "--dns-server", f"127.0.0.1:{_closed_udp_port()}"])
    out = capsys.readouterr().out
    assert code == 3
    assert "DNS に問い合わせできないため、公開レコードを確認できませんでした" in out
    assert "（DNS に問い合わせできないため未確認（オフライン））" in out


def test_a_dns_server_that_never_answers_is_asked_one_question(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """One query's lifetime (2 s), then no further lookups: the records and every source are
    marked offline instead of each waiting out its own timeout. Counted, not timed: a socket
    nobody reads keeps every query sent to it, and they are read afterwards."""
    folder = _reports(tmp_path / "r", 2)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as silent:
        silent.bind(("127.0.0.1", 0))
        port = silent.getsockname()[1]
        code = main(["dmarc", str(folder), "--dns-server", f"127.0.0.1:{port}"])
        silent.setblocking(False)
        questions = []
        while True:
            try:
                packet = silent.recv(4096)
            except BlockingIOError:
                break
            question = dns.message.from_wire(packet).question[0]
            questions.append((question.name.to_text(), dns.rdatatype.to_text(question.rdtype)))
    out = capsys.readouterr().out
    assert code == 3
    assert "DNS に問い合わせできないため、公開レコードを確認できませんでした" in out
    assert "（DNS に問い合わせできないため未確認（オフライン））" in out
    # The first domain's DMARC record was asked for, and nothing else: no other record, no
    # reverse lookup (a resend of that query within its lifetime is not another lookup).
    assert set(questions) == {("_dmarc.example.co.jp.", "TXT")}, questions


def test_check_domain_raises_when_nothing_answers() -> None:
    resolver = make_resolver("127.0.0.1", _closed_udp_port(), lifetime=0.5)
    with pytest.raises(DnsUnavailableError, match="DNS に問い合わせできない"):
        check_domain("example.co.jp", resolver)


def test_usage_and_imap_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["dmarc"]) == 2
    assert "PATH か --imap-folder" in capsys.readouterr().err
    assert main(["dmarc", "--imap-folder", "INBOX", "--no-dns"]) == 1
    assert "IMAP サーバーとユーザー名が指定されていません" in capsys.readouterr().err


def test_summary_advises_from_the_published_policy(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], dns_server: DnsSandbox
) -> None:
    folder = _reports(tmp_path / "r", 5)  # the reports saw p=none; DNS now says quarantine
    main(["dmarc", str(folder), "--dns-server", f"127.0.0.1:{dns_server.port}"])
    out = capsys.readouterr().out
    assert "DNS example.co.jp: DMARC=v=DMARC1; p=quarantine" in out
    assert "p=quarantine のまま、設定漏れを直してから p=reject に進めてください。" in out
    assert "mail.example.co.jp" not in out  # passing sources are not listed, failing ones are
    assert "203.0.113.66（逆引き名なし）" in out


def test_imap_password_comes_from_the_secret_store() -> None:
    from app.core.dmarc.imap_source import IMAP_PASSWORD_SECRET, imap_password
    from app.core.storage.secrets import MemorySecretStore

    store = MemorySecretStore()
    assert imap_password(store) == ""
    store.set(IMAP_PASSWORD_SECRET, "from-keyring")
    assert imap_password(store) == "from-keyring"


def test_control_characters_in_a_dns_record_never_reach_the_terminal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A TXT record is bytes the domain's owner chose, and the domain can come from a report a
    stranger sent: an ESC sequence in it (here OSC 0, which retitles the terminal; OSC 52 writes
    the clipboard) was printed as is by the summary. Each control or bidi character now shows
    as U+FFFD."""
    hostile = "v=DMARC1; p=none; \x1b]0;pwned\x07 \u202eexample\x00"
    records = {**DOMAIN_RECORDS, ("_dmarc.example.co.jp", "TXT"): [hostile]}
    server = DnsSandbox(records).start()
    try:
        folder = _reports(tmp_path / "r", 3)
        main(["dmarc", str(folder), "--dns-server", f"127.0.0.1:{server.port}"])
    finally:
        server.stop()
    out = capsys.readouterr().out
    shown = "v=DMARC1; p=none; \ufffd]0;pwned\ufffd \ufffdexample\ufffd"
    assert f"DNS example.co.jp: DMARC={shown}" in out
    assert not any(char in out for char in "\x1b\x07\x00\u202e")


HOSTILE_REPORT = """<?xml version="1.0" encoding="UTF-8"?>
<feedback>
  <report_metadata><org_name>stranger</org_name><email>r@stranger.example</email>
    <report_id>hostile-1</report_id>
    <date_range><begin>1793491200</begin><end>1793577599</end></date_range></report_metadata>
  <policy_published><domain>example.co.jp</domain><p>none</p></policy_published>
  <record>
    <row><source_ip>203.0.113.9</source_ip><count>5</count>
      <policy_evaluated><disposition>none</disposition><dkim>fail</dkim><spf>fail</spf>
      </policy_evaluated></row>
    <identifiers><header_from>gro.elpmaxe\u202e\u009b2J.example.co.jp</header_from></identifiers>
    <auth_results><spf><domain>x.example</domain><result>fail</result></spf></auth_results>
  </record>
</feedback>
"""


def test_bidi_and_c1_characters_from_a_report_never_reach_the_terminal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """XML allows U+202E (right-to-left override) and C1 characters such as U+009B (a
    one-character CSI for terminals taking 8-bit controls): a From domain holding them was
    printed as is, reordering what the operator reads."""
    report = tmp_path / "hostile.xml"
    report.write_text(HOSTILE_REPORT, encoding="utf-8")
    assert main(["dmarc", str(report), "--no-dns"]) == 3
    out = capsys.readouterr().out
    assert "From gro.elpmaxe\ufffd\ufffd2j.example.co.jp" in out  # domains lower-cased
    assert "\u202e" not in out and "\u009b" not in out


def test_the_record_check_asks_about_the_operators_domain_before_strangers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], dns_server: DnsSandbox
) -> None:
    # 25 reports a stranger wrote about domains that sort before ours, each counting more mail
    # than ours, all of it From: other domains. The check asks about 20 domains; picked by
    # name, ours (example.co.jp) was left out.
    folder = _reports(tmp_path / "r", 5)
    for index in range(25):
        domain = f"a{index:02}.example"
        (report,) = generate_reports(1, domain=domain, seed=100 + index, extra_spoof_records=40)
        xml = report.xml.replace(
            f"<header_from>{domain}</header_from>".encode(),
            f"<header_from>mail{index:02}.stranger.example</header_from>".encode(),
        )
        (folder / f"stranger-{index:02}.xml").write_bytes(xml)
    code = main(["dmarc", str(folder), "--dns-server", f"127.0.0.1:{dns_server.port}", "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 3
    assert len(data["domains"]) == 26  # the field keeps every domain, by name
    checked = [check["domain"] for check in data["dns"]["checks"]]
    assert checked[0] == "example.co.jp"
    assert len(checked) == 20
    assert ("_dmarc.example.co.jp", "TXT") in dns_server.questions
    assert "6" in data["dns"]["left_out_ja"]
