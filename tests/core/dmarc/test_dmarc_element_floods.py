"""A report small enough to pass the size limits (64 MB of XML, a few MB gzipped, as it
arrives by mail) can still be built to cost minutes of CPU and gigabytes of memory in the XML
parser: millions of elements no report has, or one tag with a million attributes. Each must be
refused quickly as one problem of that file, and the other files still read. Real files, the
real import."""

from __future__ import annotations

import gzip
import time
from pathlib import Path

from app.core.dmarc.service import analyse_reports
from app.sandbox.dmarc_reports import generate_reports, write_report_files

HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?><feedback><report_metadata><org_name>x</org_name>'
    "<email>a@example.net</email><report_id>flood</report_id><date_range><begin>1793491200"
    "</begin><end>1793577599</end></date_range></report_metadata><policy_published><domain>"
    "example.co.jp</domain><p>none</p></policy_published>"
)


def _import(tmp_path: Path, body: str) -> tuple[float, object]:
    folder = tmp_path / "reports"
    write_report_files(folder, generate_reports(2))  # two sound reports beside it
    (folder / "flood.xml.gz").write_bytes(gzip.compress((HEAD + body + "</feedback>").encode(), 1))
    started = time.monotonic()
    result = analyse_reports(paths=[folder])
    return time.monotonic() - started, result


def _assert_refused(seconds: float, result: object) -> None:
    assert result.reports == 2  # type: ignore[attr-defined]
    [problem] = result.problems  # type: ignore[attr-defined]
    assert problem.origin.endswith("flood.xml.gz")
    assert seconds < 4.0, seconds


def test_millions_of_unknown_elements_are_refused_quickly(tmp_path: Path) -> None:
    # 3,000,000 × "<e/>": 15 s and 470 MB for 5,000,000 before; distinct names cost more.
    _assert_refused(*_import(tmp_path, "<e/>" * 3_000_000))


def test_millions_of_distinct_element_names_are_refused_quickly(tmp_path: Path) -> None:
    body = "".join(f"<e{index}/>" for index in range(2_000_000))
    _assert_refused(*_import(tmp_path, body))


def test_a_record_stuffed_with_children_is_refused_quickly(tmp_path: Path) -> None:
    # The records are taken out of the tree as they close; this one never closes in time.
    body = "<record><auth_results>" + "<dkim/>" * 3_000_000 + "</auth_results></record>"
    _assert_refused(*_import(tmp_path, body))


def test_a_tag_with_a_million_attributes_is_refused_quickly(tmp_path: Path) -> None:
    # 44 s in the parser before (each distinct attribute name is interned and hashed).
    attributes = " ".join(f'a{index}=""' for index in range(1_000_000))
    _assert_refused(*_import(tmp_path, f"<record {attributes}/>"))


def test_many_records_with_many_distinct_attributes_are_refused_quickly(tmp_path: Path) -> None:
    body = "".join(
        "<record " + " ".join(f'a{r}x{i}=""' for i in range(100)) + "/>" for r in range(10_000)
    )
    _assert_refused(*_import(tmp_path, body))


def test_a_utf16_flood_is_refused_as_quickly(tmp_path: Path) -> None:
    # UTF-16 took another parser (defusedxml), which none of the bounds above reached.
    document = HEAD.replace("UTF-8", "UTF-16") + "<e/>" * 3_000_000 + "</feedback>"
    folder = tmp_path / "reports"
    write_report_files(folder, generate_reports(2))
    (folder / "flood.xml.gz").write_bytes(gzip.compress(document.encode("utf-16"), 1))
    started = time.monotonic()
    result = analyse_reports(paths=[folder])
    _assert_refused(time.monotonic() - started, result)
