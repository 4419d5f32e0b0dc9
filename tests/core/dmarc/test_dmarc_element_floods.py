"""A report small enough to pass the size limits (64 MB of XML, a few MB gzipped, as it
arrives by mail) can still be built to cost minutes of CPU and gigabytes of memory in the XML
parser: millions of elements no report has, or one tag with a million attributes. Each must be
refused quickly as one problem of that file, and the other files still read. Real files, the
real import."""

from __future__ import annotations

import gzip
from pathlib import Path

from app.core.dmarc.service import analyse_reports
from app.sandbox.dmarc_reports import generate_reports, write_report_files

HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?><feedback><report_metadata><org_name>x</org_name>'
    "<email>a@example.net</email><report_id>flood</report_id><date_range><begin>1793491200"
    "</begin><end>1793577599</end></date_range></report_metadata><policy_published><domain>"
    "example.co.jp</domain><p>none</p></policy_published>"
)


def _import(tmp_path: Path, document: bytes) -> tuple[object, list[int]]:
    """The import of ``document`` (as flood.xml.gz) beside two sound reports, and how far into
    the flood it had read each time it said so (every 2 MiB)."""
    folder = tmp_path / "reports"
    write_report_files(folder, generate_reports(2))  # two sound reports beside it
    (folder / "flood.xml.gz").write_bytes(gzip.compress(document, 1))
    read: list[int] = []
    result = analyse_reports(
        paths=[folder], document_progress=lambda done, _size: read.append(done)
    )
    return result, read


def _assert_refused(result: object, read: list[int], bound: str) -> None:
    """Refused as one problem of that file, naming the bound it broke, the other files read;
    and refused early: the flood (12 MB or more) was given up before its first 2 MiB were
    read, so the work done on it does not grow with its size. Unbounded, the parser read it
    all (15 s, 470 MB for 5,000,000 elements; 44 s for a million attributes)."""
    assert result.reports == 2  # type: ignore[attr-defined]
    [problem] = result.problems  # type: ignore[attr-defined]
    assert problem.origin.endswith("flood.xml.gz")
    assert read == [], f"still reading the flood at {read[-1]:,} bytes"
    assert problem.detail.endswith(bound), problem.detail


def _flood(body: str) -> bytes:
    return (HEAD + body + "</feedback>").encode()


def test_millions_of_unknown_elements_are_refused_early(tmp_path: Path) -> None:
    # 3,000,000 × "<e/>": 15 s and 470 MB for 5,000,000 before; distinct names cost more.
    document = _flood("<e/>" * 3_000_000)
    _assert_refused(*_import(tmp_path, document), "more than 100 children besides records")


def test_millions_of_distinct_element_names_are_refused_early(tmp_path: Path) -> None:
    document = _flood("".join(f"<e{index}/>" for index in range(2_000_000)))
    _assert_refused(*_import(tmp_path, document), "more than 100 children besides records")


def test_a_record_stuffed_with_children_is_refused_early(tmp_path: Path) -> None:
    # The records are taken out of the tree as they close; this one never closes in time.
    document = _flood("<record><auth_results>" + "<dkim/>" * 3_000_000 + "</auth_results></record>")
    _assert_refused(*_import(tmp_path, document), "an element with more than 1000 children")


def test_a_tag_with_a_million_attributes_is_refused_early(tmp_path: Path) -> None:
    # 44 s in the parser before (each distinct attribute name is interned and hashed).
    attributes = " ".join(f'a{index}=""' for index in range(1_000_000))
    document = _flood(f"<record {attributes}/>")
    _assert_refused(*_import(tmp_path, document), "more than 10000 attributes")


def test_many_records_with_many_distinct_attributes_are_refused_early(tmp_path: Path) -> None:
    body = "".join(
        "<record " + " ".join(f'a{r}x{i}=""' for i in range(100)) + "/>" for r in range(10_000)
    )
    _assert_refused(*_import(tmp_path, _flood(body)), "more than 10000 attributes")


def test_a_utf16_flood_is_refused_as_early(tmp_path: Path) -> None:
    # UTF-16 took another parser (defusedxml), which none of the bounds above reached.
    document = HEAD.replace("UTF-8", "UTF-16") + "<e/>" * 3_000_000 + "</feedback>"
    result, read = _import(tmp_path, document.encode("utf-16"))
    _assert_refused(result, read, "more than 100 children besides records")
