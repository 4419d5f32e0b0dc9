"""Report parsing: both schemas, quirks seen in the wild, and refusals of hostile XML."""

from __future__ import annotations

import gzip
import io
import re
import xml.etree.ElementTree as ET
import zipfile
from datetime import UTC, datetime

import pytest

from app.core.dmarc.archive import UnpackLimits, gunzip_limited, unpack
from app.core.dmarc.errors import ReportFileError, UnsafeReportError
from app.core.dmarc.model import ReportBlob
from app.core.dmarc.report_parser import parse_report, report_from_element

RFC7489 = b"""<?xml version="1.0" encoding="UTF-8" ?>
<feedback>
  <report_metadata>
    <org_name>google.com</org_name>
    <email>noreply-dmarc-support@google.com</email>
    <report_id>1234567890</report_id>
    <date_range><begin>1793491200</begin><end>1793577599</end></date_range>
  </report_metadata>
  <policy_published>
    <domain>Example.co.jp</domain><adkim>r</adkim><aspf>r</aspf><p>none</p><sp>none</sp>
    <pct>100</pct>
  </policy_published>
  <record>
    <row>
      <source_ip>192.0.2.10</source_ip><count>12</count>
      <policy_evaluated><disposition>none</disposition><dkim>pass</dkim><spf>pass</spf>
      </policy_evaluated>
    </row>
    <identifiers><header_from>example.co.jp</header_from></identifiers>
    <auth_results>
      <dkim><domain>example.co.jp</domain><result>pass</result><selector>s1</selector></dkim>
      <spf><domain>example.co.jp</domain><result>pass</result></spf>
    </auth_results>
  </record>
</feedback>
"""

RFC9990 = b"""<?xml version="1.0" encoding="UTF-8"?>
<feedback xmlns="urn:ietf:params:xml:ns:dmarc-2.0">
  <version>1.0</version>
  <report_metadata>
    <org_name>Sample Reporter</org_name>
    <email>report_sender@example-reporter.com</email>
    <report_id>3v98abbp8ya9n3va8yr8oa3ya</report_id>
    <date_range><begin>1793491200</begin><end>1793577599</end></date_range>
    <generator>Example DMARC Aggregate Reporter v1.2</generator>
  </report_metadata>
  <policy_published>
    <domain>example.co.jp</domain><discovery_method>treewalk</discovery_method>
    <p>quarantine</p><np>reject</np><testing>n</testing>
  </policy_published>
  <record>
    <row>
      <source_ip>203.0.113.66</source_ip><count>3</count>
      <policy_evaluated><disposition>quarantine</disposition><dkim>fail</dkim><spf>fail</spf>
        <reason><type>local_policy</type></reason>
      </policy_evaluated>
    </row>
    <identifiers><envelope_from>example.co.jp</envelope_from>
      <header_from>example.co.jp</header_from></identifiers>
    <auth_results>
      <spf><domain>example.co.jp</domain><scope>mfrom</scope><result>fail</result></spf>
    </auth_results>
  </record>
</feedback>
"""


def test_reads_the_rfc7489_schema() -> None:
    report = parse_report(RFC7489, "a.xml")
    assert report.schema == "rfc7489"
    assert (report.org_name, report.report_id) == ("google.com", "1234567890")
    assert report.begin == datetime(2026, 11, 1, tzinfo=UTC)
    assert report.policy.domain == "example.co.jp"
    assert (report.policy.p, report.policy.pct) == ("none", 100)
    (record,) = report.records
    assert (record.source_ip, record.messages, record.dmarc_pass) == ("192.0.2.10", 12, True)
    assert record.dkim_results[0].selector == "s1"
    assert record.spf_results[0].scope == ""  # optional and missing: empty, not an error


def test_reads_the_rfc9990_schema_with_its_namespace() -> None:
    report = parse_report(RFC9990, "b.xml")
    assert report.schema == "rfc9990"
    policy = report.policy
    assert (policy.p, policy.np, policy.testing, policy.discovery_method) == (
        "quarantine",
        "reject",
        "n",
        "treewalk",
    )
    assert policy.pct is None and policy.adkim == "r"  # defaults when left out
    (record,) = report.records
    assert record.reasons == ("local_policy",)
    assert record.envelope_from == "example.co.jp"
    assert record.dkim_results == ()
    assert not record.dmarc_pass


def test_a_bom_and_blank_lines_before_the_declaration_are_accepted() -> None:
    report = parse_report(b"\xef\xbb\xbf\r\n\n" + RFC7489, "bom.xml")
    assert report.report_id == "1234567890"


def test_missing_required_element_is_named_in_japanese() -> None:
    broken = RFC7489.replace(b"<report_id>1234567890</report_id>", b"")
    with pytest.raises(ReportFileError, match="必須の要素「report_id」"):
        parse_report(broken, "x.xml")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"<html><body>not a report</body></html>", "feedback ではありません"),
        (b'{"organization-name": "x", "policies": []}', "JSON のファイル"),
        (b"<feedback><report_metadata>", "XML の形式が壊れている"),
        (b"", "空です"),
        (RFC7489.replace(b"<count>12</count>", b"<count>many</count>"), "数値ではありません"),
    ],
)
def test_not_a_report_gets_a_japanese_reason(data: bytes, message: str) -> None:
    with pytest.raises(ReportFileError, match=message):
        parse_report(data, "x")


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<feedback><report_metadata><org_name>&lol9;</org_name></report_metadata></feedback>
"""


def test_entity_expansion_bomb_is_refused_at_the_declaration() -> None:
    with pytest.raises(UnsafeReportError, match="安全のため") as refused:
        parse_report(BILLION_LAUGHS, "lol.xml")
    # Refused by the prolog check, before the parser saw a byte: nothing was ever expanded
    # (expat's own amplification limit, the second wall, would have to expand first).
    assert refused.value.detail == "lol.xml: DOCTYPE in the prolog"


def test_external_entity_is_refused_and_the_file_is_never_read(tmp_path) -> None:  # type: ignore[no-untyped-def]
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    xxe = (
        f'<?xml version="1.0"?><!DOCTYPE feedback [<!ENTITY x SYSTEM "file://{secret}">]>'
        "<feedback><report_metadata><org_name>&x;</org_name></report_metadata></feedback>"
    ).encode()
    with pytest.raises(UnsafeReportError) as caught:
        parse_report(xxe, "xxe.xml")
    assert "TOP-SECRET" not in str(caught.value) + caught.value.detail


def test_external_dtd_is_refused() -> None:
    doc = b'<?xml version="1.0"?><!DOCTYPE feedback SYSTEM "http://127.0.0.1:9/x.dtd"><feedback/>'
    with pytest.raises(UnsafeReportError):
        parse_report(doc, "dtd.xml")


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_zip_with_several_reports_and_gzip_without_a_gz_name() -> None:
    second = RFC9990
    archive = _zip({"a.xml": RFC7489, "dir/b.xml": second, "__MACOSX/._a.xml": b"junk"})
    documents = list(unpack(ReportBlob("reports.zip", archive)))
    assert [d.origin for d in documents] == ["reports.zip › a.xml", "reports.zip › dir/b.xml"]
    plain = list(unpack(ReportBlob("report.bin", gzip.compress(RFC7489))))
    assert plain[0].data == RFC7489  # the first bytes decide, not the name


def test_multi_member_gzip_is_read_whole() -> None:
    data = gzip.compress(RFC7489[:100]) + gzip.compress(RFC7489[100:])
    assert gunzip_limited(data, "x.gz", 10_000) == RFC7489


def test_gzip_bomb_is_refused_without_inflating_it() -> None:
    bomb = gzip.compress(b"\0" * (50 * 1024 * 1024))  # 50 MB of zeros in ~50 KB
    limits = UnpackLimits(max_xml_bytes=1024 * 1024)
    with pytest.raises(UnsafeReportError, match="上限（1 MB）を超える") as caught:
        list(unpack(ReportBlob("bomb.xml.gz", bomb), limits))
    assert "圧縮爆弾" in caught.value.message_ja


def test_zip_bomb_is_refused_even_when_its_header_lies() -> None:
    archive = bytearray(_zip({"bomb.xml": b"\0" * (20 * 1024 * 1024)}))
    # Rewrite the declared uncompressed size (local header and central directory) to 100 bytes.
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = archive.find(signature)
        archive[start + offset : start + offset + 4] = (100).to_bytes(4, "little")
    limits = UnpackLimits(max_xml_bytes=1024 * 1024)
    with pytest.raises(ReportFileError):  # refused by our limit or by zipfile's own size check
        list(unpack(ReportBlob("liar.zip", bytes(archive)), limits))


def test_zip_bomb_by_declared_size_and_by_member_count() -> None:
    limits = UnpackLimits(max_xml_bytes=1024 * 1024, max_zip_members=3)
    with pytest.raises(UnsafeReportError, match="圧縮爆弾"):
        list(unpack(ReportBlob("big.zip", _zip({"a.xml": b"\0" * (2 * 1024 * 1024)})), limits))
    many = _zip({f"{i}.xml": RFC7489 for i in range(5)})
    with pytest.raises(UnsafeReportError, match="多すぎます"):
        list(unpack(ReportBlob("many.zip", many), limits))


def test_gzip_members_of_a_zip_count_towards_the_total_by_their_expanded_size() -> None:
    """By compressed size, 100 tiny .xml.gz members expanded to 100 × max_xml_bytes."""
    limits = UnpackLimits(max_xml_bytes=10_000, max_zip_members=100, max_total_bytes=25_000)
    member = gzip.compress(b"<feedback>" + b" " * 9_000 + b"</feedback>")  # ~60 bytes
    bomb = _zip({f"report{index}.xml.gz": member for index in range(5)})  # 5 × 9 KB expanded
    expanded = 0
    with pytest.raises(UnsafeReportError, match="圧縮爆弾"):
        for document in unpack(ReportBlob("bomb.zip", bomb), limits):
            expanded += len(document.data)
    assert 0 < expanded <= limits.max_total_bytes


def test_truncated_and_damaged_archives_are_reported() -> None:
    with pytest.raises(ReportFileError, match="途中で切れています"):
        list(unpack(ReportBlob("cut.gz", gzip.compress(RFC7489)[:-20])))
    with pytest.raises(ReportFileError, match="zip ファイルが壊れている"):
        list(unpack(ReportBlob("bad.zip", b"PK\x03\x04garbage")))
    with pytest.raises(ReportFileError, match="XML ファイルがありません"):
        list(unpack(ReportBlob("none.zip", _zip({"readme.txt": b"hi"}))))


@pytest.mark.parametrize(
    "document",
    [
        # The DOCTYPE after a comment and a processing instruction is still in the prolog.
        b'<?xml version="1.0"?><!-- <feedback> --><?pi <feedback>?><!DOCTYPE f [<!ENTITY a "b">]>'
        b"<feedback/>",
        # UTF-16 hides "<!DOCTYPE" from a byte search: that document takes the defusedxml path.
        BILLION_LAUGHS.replace(b'<?xml version="1.0"?>', b"").decode().encode("utf-16"),
        # A declared encoding the byte check cannot read also goes to defusedxml.
        BILLION_LAUGHS.replace(b'version="1.0"', b'version="1.0" encoding="utf-16"')
        .decode()
        .encode("utf-16"),
    ],
)
def test_a_dtd_is_refused_however_it_is_dressed(document: bytes) -> None:
    with pytest.raises(UnsafeReportError):
        parse_report(document, "dressed.xml")


def test_utf16_and_prefixed_namespace_reports_still_read() -> None:
    utf16 = RFC7489.replace(b'encoding="UTF-8"', b'encoding="UTF-16"').decode().encode("utf-16")
    assert parse_report(utf16, "u16.xml").report_id == "1234567890"
    prefixed = (
        RFC9990.replace(b'<feedback xmlns="', b'<d:feedback xmlns:d="')
        .replace(b"<", b"<d:")
        .replace(b"<d:/", b"</d:")
        .replace(b"<d:?xml", b"<?xml")
        .replace(b"<d:d:", b"<d:")
        .replace(b"</d:d:", b"</d:")
    )
    report = parse_report(prefixed, "prefixed.xml")
    assert report.schema == "rfc9990" and report.records[0].messages == 3


def test_undeclared_entity_reference_is_broken_xml_not_expanded() -> None:
    doc = RFC7489.replace(b"<org_name>google.com", b"<org_name>&xxe;google.com")
    with pytest.raises(ReportFileError, match="XML の形式が壊れている"):
        parse_report(doc, "undeclared.xml")


def _large(report: bytes, copies: int = 400) -> bytes:
    """``report`` with its record repeated ``copies`` times (each from another address and
    every third one with other results, an unknown element among them), so the document is
    parsed in many pieces and its records are read while it is parsed."""
    head, rest = report.split(b"<record>", 1)
    record, tail = rest.rsplit(b"</record>", 1)
    records = []
    for index in range(copies):
        address = f"<source_ip>198.51.100.{index % 250}</source_ip>".encode()
        copy = re.sub(rb"<source_ip>[^<]*</source_ip>", address, record)
        if index % 3 == 0:
            copy = copy.replace(b"<result>pass</result>", b"<result>fail</result>")
        records.append(b"<record>" + copy + b"</record>")
        if index == copies // 2:
            records.append(b"<extension><note>a reporter's own element</note></extension>")
    return head + b"\n".join(records) + tail


@pytest.mark.parametrize("report", [RFC7489, RFC9990])
def test_a_large_report_read_while_parsing_equals_the_whole_tree(report: bytes) -> None:
    document = _large(report)
    assert len(document) > 10 * 16 * 1024  # many pieces of the streamed parse (8 KiB each)
    streamed = parse_report(document, "big.xml")
    whole = report_from_element(ET.fromstring(document), "big.xml")
    assert len(streamed.records) == 400
    assert streamed.records == whole.records
    assert (streamed.report_id, streamed.policy, streamed.schema) == (
        whole.report_id,
        whole.policy,
        whole.schema,
    )
    assert len({record.source_ip for record in streamed.records}) == 250
    if report is RFC7489:  # its DKIM and SPF results were varied
        assert len({record[2:] for record in streamed.records}) == 2


def test_a_large_report_keeps_the_order_of_its_problems() -> None:
    # A bad record early in a large document is reported only when nothing more basic is wrong:
    # broken XML first, then missing metadata, as for a small document.
    bad_record = _large(RFC7489).replace(b"<count>12</count>", b"<count>many</count>", 1)
    with pytest.raises(ReportFileError, match="数値ではありません"):
        parse_report(bad_record, "bad.xml")
    with pytest.raises(ReportFileError, match="XML の形式が壊れている"):
        parse_report(bad_record.replace(b"</feedback>", b"</feedbak>"), "broken.xml")
    with pytest.raises(ReportFileError, match="XML の形式が壊れている"):
        parse_report(bad_record[:-100], "truncated.xml")  # the end never comes
    with pytest.raises(ReportFileError, match="必須の要素「report_id」"):
        parse_report(bad_record.replace(b"<report_id>1234567890</report_id>", b""), "x.xml")
    not_dmarc = _large(RFC7489).replace(b"feedback>", b"feedbackx>")
    with pytest.raises(ReportFileError, match="feedback ではありません"):
        parse_report(not_dmarc, "other.xml")


def test_a_large_document_with_a_dtd_is_refused_before_parsing() -> None:
    body = _large(RFC7489).split(b"?>", 1)[1]
    bomb = BILLION_LAUGHS.split(b"<feedback>", 1)[0] + body
    with pytest.raises(UnsafeReportError, match="安全のため") as refused:
        parse_report(bomb, "lol-large.xml")
    assert refused.value.detail == "lol-large.xml: DOCTYPE in the prolog"  # before parsing
