"""Reports in encodings expat cannot read, and report domains DNS cannot ask for.

Both once escaped as tracebacks from `todoku-cli dmarc` and the DMARC tab: pyexpat raises
ValueError ("multi-byte encodings are not supported") for Shift_JIS or EUC-JP and LookupError
for an unknown name; dnspython raises IDNAException / EmptyLabel / LabelTooLong for a domain
like "\u202eexample.jp" or "a..jp" taken from a report's XML.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.core.dmarc.dns_check import check_domain, make_resolver, policy_from_tags
from app.core.dmarc.errors import ImapError, UnsafeReportError
from app.core.dmarc.imap_source import MAX_MESSAGE_BYTES, ImapReportSource, ImapSettings
from app.core.dmarc.importer import ReportImporter
from app.core.dmarc.report_parser import parse_report
from app.core.dmarc.service import analyse_reports
from app.sandbox.dmarc_reports import generate_reports, write_report_files
from app.sandbox.dns_server import DnsSandbox
from app.sandbox.imap_server import ImapLiar
from tests.helpers.self_signed import make_certificate

REPORT = """<?xml version="1.0" encoding="{encoding}"?>
<feedback>
  <report_metadata>
    <org_name>日本の受信者</org_name><email>dmarc@example.jp</email>
    <report_id>{report_id}</report_id>
    <date_range><begin>1793491200</begin><end>1793577599</end></date_range>
  </report_metadata>
  <policy_published><domain>example.co.jp</domain><p>none</p></policy_published>
  <record>
    <row><source_ip>192.0.2.10</source_ip><count>4</count>
      <policy_evaluated><disposition>none</disposition><dkim>pass</dkim><spf>pass</spf>
      </policy_evaluated></row>
    <identifiers><header_from>example.co.jp</header_from></identifiers>
    <auth_results><spf><domain>example.co.jp</domain><result>pass</result></spf></auth_results>
  </record>
</feedback>
"""


def _report(encoding: str, report_id: str, codec: str | None = None) -> bytes:
    return REPORT.format(encoding=encoding, report_id=report_id).encode(codec or encoding)


def test_japanese_multibyte_encodings_are_read(tmp_path: Path) -> None:
    files = {
        "sjis.xml": _report("Shift_JIS", "sjis-1"),
        "eucjp.xml": _report("EUC-JP", "euc-1"),
        "cp932.xml": _report("Windows-31J", "cp932-1", "cp932"),  # the IANA name Java writes
        "jis.xml": _report("ISO-2022-JP", "jis-1"),
        "utf32.xml": _report("UTF-32", "utf32-1"),
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    importer = ReportImporter()
    reports = list(importer.read_paths([tmp_path]))
    assert importer.problems == []
    ids = sorted(r.report_id for r in reports)
    assert ids == ["cp932-1", "euc-1", "jis-1", "sjis-1", "utf32-1"]
    assert {r.org_name for r in reports} == {"日本の受信者"}
    assert all(r.records[0].messages == 4 for r in reports)


def test_unknown_or_unreadable_encodings_are_listed_in_japanese(tmp_path: Path) -> None:
    (tmp_path / "unknown.xml").write_bytes(_report("x-todoku", "u-1", "utf-8"))
    (tmp_path / "broken32.xml").write_bytes(_report("UTF-32", "u-2")[:-1])
    (tmp_path / "liar.xml").write_bytes(_report("Shift_JIS", "u-3", "utf-8")[:-40] + b"\x82")
    (tmp_path / "good.xml").write_bytes(_report("UTF-8", "ok-1"))
    importer = ReportImporter()
    reports = list(importer.read_paths([tmp_path]))
    assert [r.report_id for r in reports] == ["ok-1"]  # the batch goes on
    reasons = {Path(p.origin).name: p.reason_ja for p in importer.problems}
    assert reasons["unknown.xml"] == "文字コード「x-todoku」に対応していないため読み取れません。"
    assert reasons["broken32.xml"].startswith("文字コードに対応していないため読み取れません")
    assert reasons["liar.xml"].startswith("宣言された文字コード（Shift_JIS）として読めない文字")


def test_a_dtd_in_a_shift_jis_report_is_still_refused() -> None:
    document = (
        '<?xml version="1.0" encoding="Shift_JIS"?>\n'
        '<!DOCTYPE f [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
        "<feedback><report_metadata><org_name>&x;</org_name></report_metadata></feedback>"
    ).encode("shift_jis")
    with pytest.raises(UnsafeReportError):
        parse_report(document, "dtd-sjis.xml")


@pytest.fixture
def dns_server() -> Iterator[DnsSandbox]:
    server = DnsSandbox({("_dmarc.example.co.jp", "TXT"): ["v=DMARC1; p=none"]}).start()
    yield server
    server.stop()


@pytest.mark.parametrize(
    "domain", ["\u202eexample.jp", "a..jp", "x" * 64 + ".jp", ("a" * 60 + ".") * 5 + "jp"]
)
def test_a_report_domain_dns_cannot_ask_for_is_a_problem_not_a_crash(
    domain: str, dns_server: DnsSandbox
) -> None:
    resolver = make_resolver("127.0.0.1", dns_server.port, lifetime=1.0)
    check = check_domain(domain, resolver, dkim_selectors=("s1",))
    assert not check.dmarc.found and not check.spf.found
    assert check.problems_ja == (
        f"レポートのドメイン名「{domain}」は DNS の名前として正しくないため、確認できません。",
    )
    assert dns_server.questions == []  # nothing was sent for it


def test_a_selector_dns_cannot_ask_for_is_a_missing_key(dns_server: DnsSandbox) -> None:
    resolver = make_resolver("127.0.0.1", dns_server.port, lifetime=1.0)
    check = check_domain("example.co.jp", resolver, dkim_selectors=("a b..c",))
    assert check.dmarc.found
    assert "DKIM の公開鍵 a b..c._domainkey.example.co.jp が見つかりません。" in check.problems_ja


def test_a_named_pipe_called_report_xml_is_listed_not_waited_on(tmp_path: Path) -> None:
    """Reading a FIFO waits for a writer: the import (CLI and tab) hung forever."""
    import os
    import threading

    folder = tmp_path / "reports"
    folder.mkdir()
    os.mkfifo(folder / "report.xml")
    (folder / "good.xml").write_bytes(_report("UTF-8", "ok-1"))
    importer = ReportImporter()
    found: list[object] = []
    worker = threading.Thread(
        target=lambda: found.extend(importer.read_paths([folder, folder / "report.xml"])),
        daemon=True,
    )
    worker.start()
    worker.join(timeout=10)
    if worker.is_alive():  # unblock the reader so the test process can end
        with open(folder / "report.xml", "wb"):
            pass
        pytest.fail("the import waited on the named pipe")
    assert [getattr(r, "report_id", None) for r in found] == ["ok-1"]
    assert [(Path(p.origin).name, p.reason_ja) for p in importer.problems] == [
        ("report.xml", "通常のファイルではないため読み込みませんでした。")
    ] * 2


@pytest.mark.parametrize("pct", ["²", "9" * 5000])
def test_a_pct_python_cannot_read_as_a_number_is_no_pct_not_a_crash(pct: str) -> None:
    """A published "pct=²" passed str.isdigit() and then int() raised ValueError, as did 5,000
    ASCII digits (Python's int() stops at 4,300): `todoku-cli dmarc` and the DMARC tab ended in
    a traceback while advising on the policy DNS returned."""
    record = "v=DMARC1; p=quarantine; pct=" + pct
    server = DnsSandbox({("_dmarc.example.co.jp", "TXT"): [record]}).start()
    try:
        resolver = make_resolver("127.0.0.1", server.port, lifetime=1.0)
        check = check_domain("example.co.jp", resolver, dkim_selectors=())
    finally:
        server.stop()
    assert check.dmarc.found
    policy = policy_from_tags(check.domain, check.dmarc_tags)
    assert policy is not None and policy.p == "quarantine" and policy.pct is None


def test_an_imap_server_sending_more_than_it_announced_is_stopped(tmp_path: Path) -> None:
    """RFC822.SIZE said 1,000 bytes, then BODY[] came as an 80 MB literal: imaplib read it into
    memory whole (any size the server liked). The literal read is now capped at 64 MB."""
    cert, key = make_certificate(tmp_path)
    size = MAX_MESSAGE_BYTES + 16 * 1024 * 1024
    with ImapLiar(cert, key, body_size=size, declared_size=1000) as server:
        settings = ImapSettings("127.0.0.1", "reports", port=server.port, cafile=cert)
        with (
            pytest.raises(ImapError, match="大きすぎるメール") as caught,
            ImapReportSource(settings, "s3cret-pass") as source,
        ):
            list(ReportImporter().read_blobs(source.blobs()))
    assert "s3cret-pass" not in caught.value.detail
    assert server.bytes_sent < size  # the client stopped reading and hung up


_LAST_SECOND = b"253402300799"  # 9999-12-31T23:59:59Z: valid UTC, past 9999-12-31 in JST


def far_future_report_folder(tmp_path: Path) -> Path:
    """One good report and ``zz-hostile.xml``, a report whose period ends in year 10000 JST."""
    folder = tmp_path / "reports"
    good, hostile = list(generate_reports(2, seed=11))
    write_report_files(folder, [good])
    xml = re.sub(rb"<begin>\d+</begin>", b"<begin>" + _LAST_SECOND + b"</begin>", hostile.xml)
    xml = re.sub(rb"<end>\d+</end>", b"<end>" + _LAST_SECOND + b"</end>", xml)
    (folder / "zz-hostile.xml").write_bytes(xml)
    return folder


def test_a_report_dated_past_the_last_jst_second_is_one_problem_not_a_crash(
    tmp_path: Path,
) -> None:
    result = analyse_reports(paths=[far_future_report_folder(tmp_path)])  # was OverflowError
    assert result.reports == 1
    [problem] = result.problems
    assert problem.origin.endswith("zz-hostile.xml")
    assert "扱える範囲" in problem.reason_ja and "9999-12-31 23:59:59 日本時間" in problem.reason_ja
