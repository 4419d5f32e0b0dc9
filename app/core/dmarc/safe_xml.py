"""Parse untrusted report XML with defusedxml: no DTD, no entities, nothing fetched from outside.

Aggregate reports (RFC 7489 appendix C, RFC 9990 appendix A) never need a DTD or an entity
declaration, so any is refused outright: that stops the "billion laughs" expansion bomb,
external entities (XXE: reading local files or URLs) and external DTD fetches in one rule.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from app.core.dmarc.errors import ReportFileError, UnsafeReportError

_UTF8_BOM = b"\xef\xbb\xbf"
_WHITESPACE = b" \t\r\n"


def parse_xml(data: bytes, origin: str) -> ET.Element:
    """Return the root element of ``data``.

    Raises:
        UnsafeReportError: the document declares a DTD or entities.
        ReportFileError: the bytes are not well-formed XML.
    """
    import defusedxml.ElementTree as DefusedET  # loaded on first import, never at app start
    from defusedxml import DefusedXmlException

    # Some reporters write a UTF-8 BOM or a blank line before the XML declaration; expat
    # refuses a declaration that is not at the very start, so both are dropped here.
    if data.startswith(_UTF8_BOM):
        data = data[len(_UTF8_BOM) :]
    if data[:1] in (b" ", b"\t", b"\r", b"\n"):
        data = data.lstrip(_WHITESPACE)
    try:
        root: ET.Element = DefusedET.fromstring(data, forbid_dtd=True)
    except DefusedXmlException as error:
        raise UnsafeReportError(
            "安全のため読み込みませんでした。DTD や実体参照（エンティティ）の宣言を含む XML です"
            "（DMARC レポートには不要で、外部ファイルの読み出しや展開爆弾に悪用されます）。",
            detail=f"{origin}: {type(error).__name__}: {error}",
        ) from None
    except ET.ParseError as error:
        raise ReportFileError(_not_xml_message(data, error), detail=f"{origin}: {error}") from None
    return root


def _not_xml_message(data: bytes, error: ET.ParseError) -> str:
    start = data[:1]
    if start in (b"{", b"["):
        return (
            "XML ではなく JSON のファイルです（TLS レポートなど、DMARC 集計レポート以外の"
            "可能性があります）。"
        )
    if not data.strip():
        return "ファイルが空です。"
    line, column = error.position
    return f"XML の形式が壊れているため読み取れません（{line} 行目 {column + 1} 文字目付近）。"
