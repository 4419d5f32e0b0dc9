"""One long piece of markup (an attribute value, a tag name, a comment, a processing
instruction) in a report that is otherwise sound must be read in time that grows with its
length, not with its square.

The large-report path feeds the document to expat in 8 KiB pieces, and the expat Python ships
here (2.5.0, before "reparse deferral") scans a token that is still open again from its start
at every piece: an 8 MB attribute value took about 8 s, the 50 MB one a stranger's report may
carry (the XML limit is 64 MB) more than a minute, in the window's import, the IMAP import and
`todoku-cli dmarc`. Real files, the real import."""

from __future__ import annotations

import gzip
import time
from pathlib import Path

import pytest

from app.core.dmarc.safe_xml import piece_ends
from app.core.dmarc.service import analyse_reports
from app.sandbox.dmarc_reports import generate_reports, write_report_files

HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?><feedback><report_metadata><org_name>x</org_name>'
    "<email>a@example.net</email><report_id>long</report_id><date_range><begin>1793491200"
    "</begin><end>1793577599</end></date_range></report_metadata><policy_published><domain>"
    "example.co.jp</domain><p>none</p></policy_published>"
)
RECORD = (
    "<record><row><source_ip>192.0.2.1</source_ip><count>3</count><policy_evaluated>"
    "<disposition>none</disposition><dkim>fail</dkim><spf>fail</spf></policy_evaluated></row>"
    "<identifiers><header_from>example.co.jp</header_from></identifiers><auth_results><spf>"
    "<domain>example.co.jp</domain><result>fail</result></spf></auth_results></record>"
)
LENGTH = 8_000_000

LONG_MARKUP = {
    "attribute value": RECORD.replace("<record>", f'<record note="{"A" * LENGTH}">'),
    "attribute value of > signs": RECORD.replace("<record>", f'<record note="{">" * LENGTH}">'),
    "tag name": f"<x{'A' * LENGTH}/>",
    "blanks in an end tag": f"<x></x{' ' * LENGTH}>",
    "comment": f"<!--{'A' * LENGTH}-->",
    "comment holding tags": f"<!--{'<a>' * (LENGTH // 3)}-->",
    "processing instruction holding tags": f"<?note {'<a>' * (LENGTH // 3)}?>",
}


@pytest.mark.parametrize("name", sorted(LONG_MARKUP))
def test_a_long_piece_of_markup_is_read_in_linear_time(tmp_path: Path, name: str) -> None:
    folder = tmp_path / "reports"
    write_report_files(folder, generate_reports(2))
    document = HEAD + RECORD + LONG_MARKUP[name] + RECORD + "</feedback>"
    (folder / "long.xml.gz").write_bytes(gzip.compress(document.encode(), 1))
    started = time.monotonic()
    result = analyse_reports(paths=[folder])
    seconds = time.monotonic() - started
    assert result.problems == ()
    assert result.reports == 3
    assert seconds < 3.0, seconds  # 7-14 s before, 0.1-0.3 s now


def test_pieces_end_before_markup_and_cover_the_document() -> None:
    part = b"t" * 20 + b"<b c='>>>'/><!-- <x> <y> --><?p <z> ?><![CDATA[<c>]]>" + b"t" * 30
    data = b"<a>" + part * 50 + b"</a>"
    ends = list(piece_ends(data, 16))
    assert ends[-1] == len(data)
    assert ends == sorted(set(ends))
    for end in ends[:-1]:
        assert data[end : end + 1] == b"<"
        head = data[:end]
        assert head.count(b"<!--") == head.count(b"-->")  # never inside a comment
        assert head.count(b"<?") == head.count(b"?>")  # nor an instruction
        assert head.count(b"<![CDATA[") == head.count(b"]]>")  # nor a CDATA section


def test_an_opener_quoted_in_a_section_does_not_lift_the_flood_bounds(tmp_path: Path) -> None:
    # Taken for a comment that never ends, it would make the rest of the document one piece,
    # and the bounds on elements are checked between pieces.
    folder = tmp_path / "reports"
    write_report_files(folder, generate_reports(2))
    body = "<![CDATA[<!-- <?]]>" + "<e/>" * 3_000_000
    (folder / "long.xml.gz").write_bytes(gzip.compress((HEAD + body + "</feedback>").encode(), 1))
    started = time.monotonic()
    result = analyse_reports(paths=[folder])
    assert result.reports == 2
    [problem] = result.problems
    assert "要素や属性" in problem.reason_ja
    assert time.monotonic() - started < 4.0
