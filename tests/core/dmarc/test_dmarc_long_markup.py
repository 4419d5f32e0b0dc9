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
from pathlib import Path

import pytest

from app.core.dmarc.safe_xml import FEED_CHUNK, piece_ends
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


def _long_token(markup: str) -> tuple[int, int]:
    """Where the one long token of ``markup`` starts and ends (ASCII, so bytes = characters)."""
    if markup.startswith("<record"):  # the start tag with the long attribute value
        return 0, markup.index('">') + 2
    if markup.startswith("<x></x"):  # the end tag with the blanks
        return 3, len(markup)
    return 0, len(markup)


@pytest.mark.parametrize("name", sorted(LONG_MARKUP))
def test_a_long_piece_of_markup_is_fed_whole_and_read(tmp_path: Path, name: str) -> None:
    # Why it is linear: no piece handed to expat ends inside the long token, so expat never
    # scans it again (the time itself is a benchmark's matter, not a test's: 7-14 s before,
    # 0.1-0.3 s after on this machine, measured when the pieces were changed).
    document = (HEAD + RECORD + LONG_MARKUP[name] + RECORD + "</feedback>").encode()
    first, last = _long_token(LONG_MARKUP[name])
    start = len((HEAD + RECORD).encode()) + first
    end = len((HEAD + RECORD).encode()) + last
    inside = [cut for cut in piece_ends(document, FEED_CHUNK) if start < cut < end]
    assert inside == []
    # And the real import reads the document, with two sound reports beside it.
    folder = tmp_path / "reports"
    write_report_files(folder, generate_reports(2))
    (folder / "long.xml.gz").write_bytes(gzip.compress(document, 1))
    result = analyse_reports(paths=[folder])
    assert result.problems == ()
    assert result.reports == 3


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
    result = analyse_reports(paths=[folder])
    assert result.reports == 2
    [problem] = result.problems
    assert "要素や属性" in problem.reason_ja
