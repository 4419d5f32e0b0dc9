"""Parse untrusted report XML safely: no DTD, no entity declarations, nothing fetched.

Aggregate reports (RFC 7489 appendix C, RFC 9990 appendix A) never need a DTD. Entity
declarations can only live in a DTD, and so can references to external files, so refusing
every DOCTYPE stops the "billion laughs" expansion bomb, external entities (XXE: reading local
files or URLs) and external DTD fetches in one rule — the rule defusedxml's ``forbid_dtd``
applies.

Two paths apply it:

* everyday documents (UTF-8, ASCII or Latin-1, the encodings reporters use) are checked for a
  DOCTYPE in their prolog — the only place XML allows one — and then parsed by ElementTree's C
  parser. This keeps the import near a bare ``ElementTree`` parse (docs/dmarc.md, benchmark).
  As a second wall, the expat behind it (2.4.1 and later) limits entity amplification itself;
* any other encoding (UTF-16, or a declared encoding whose bytes the prolog check could not
  read) goes through ``defusedxml.ElementTree`` with ``forbid_dtd=True``. defusedxml runs a
  pure-Python ElementTree, several times slower, which is why it is not the everyday path.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable

from app.core.dmarc.errors import ReportFileError, UnsafeReportError

_UTF8_BOM = b"\xef\xbb\xbf"
_WHITESPACE = b" \t\r\n"
UNSAFE_MESSAGE_JA = (
    "安全のため読み込みませんでした。DTD や実体参照（エンティティ）の宣言を含む XML です"
    "（DMARC レポートには不要で、外部ファイルの読み出しや展開爆弾に悪用されます）。"
)


_DECLARED_ENCODING = re.compile(rb"""^<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_PROLOG_ENCODINGS = frozenset(
    ("utf-8", "utf8", "us-ascii", "ascii", "iso-8859-1", "latin-1", "latin1")
)


ConsumeChildren = Callable[[ET.Element], None]
# Fed to expat in pieces of this size when a caller consumes the tree as it grows: a piece's
# new elements are read while they are still in the processor's cache, and the memory of the
# children the caller took out is reused for the next piece (measured on the benchmark's
# reports: 4 to 16 KiB alike, 32 KiB and the whole document at once slower).
_FEED_CHUNK = 8 * 1024


def parse_xml(data: bytes, origin: str, consume: ConsumeChildren | None = None) -> ET.Element:
    """Return the root element of ``data``.

    With ``consume``, the document is parsed piece by piece and after each piece
    ``consume(root)`` is called with the tree built so far: every child of the root except
    the last one is then complete, and ``consume`` may take complete children out (so a
    large document never sits in memory whole). What it leaves is in the returned root. On
    the rare path through defusedxml (see above) ``consume`` is not called.

    Raises:
        UnsafeReportError: the document declares a DTD (and so possibly entities).
        ReportFileError: the bytes are not well-formed XML.
    """
    # Some reporters write a UTF-8 BOM or a blank line before the XML declaration; expat
    # refuses a declaration that is not at the very start, so both are dropped here.
    if data.startswith(_UTF8_BOM):
        data = data[len(_UTF8_BOM) :]
    if data[:1] in (b" ", b"\t", b"\r", b"\n"):
        data = data.lstrip(_WHITESPACE)
    if not _prolog_is_readable(data):
        return _parse_defused(data, origin)
    if prolog_declares_dtd(data):
        raise UnsafeReportError(UNSAFE_MESSAGE_JA, detail=f"{origin}: DOCTYPE in the prolog")
    try:
        if consume is None or len(data) <= _FEED_CHUNK:
            return ET.fromstring(data)
        return _parse_in_pieces(data, consume)
    except ET.ParseError as error:
        raise ReportFileError(
            _not_xml_message(data, error.position), detail=f"{origin}: {error}"
        ) from None


def _parse_in_pieces(data: bytes, consume: ConsumeChildren) -> ET.Element:
    builder = ET.TreeBuilder()
    parser = ET.XMLParser(target=builder)
    view = memoryview(data)
    root: ET.Element | None = None
    peek = True
    for start in range(0, len(data), _FEED_CHUNK):
        parser.feed(view[start : start + _FEED_CHUNK])
        if root is None and peek:
            # ElementTree's C TreeBuilder hands out its root at any time (close() only returns
            # it); the pure-Python fallback insists on the end of the document: then the
            # caller simply gets the whole tree at the end.
            try:
                root = builder.close()
            except AssertionError:
                peek = False
        if root is not None:
            consume(root)
    whole: ET.Element = parser.close()
    return whole


def _prolog_is_readable(data: bytes) -> bool:
    """True when the bytes of the prolog are ASCII as written (so a byte search sees a DOCTYPE)."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\0" in data[:4]:
        return False  # UTF-16/32
    declared = _DECLARED_ENCODING.match(data[:256])
    return declared is None or declared.group(1).decode().lower() in _PROLOG_ENCODINGS


def prolog_declares_dtd(data: bytes) -> bool:
    """Whether anything but the XML declaration, processing instructions and comments comes
    before the root element: in XML that can only be a DOCTYPE (``<!DOCTYPE``)."""
    position = 0
    while True:
        position = data.find(b"<", position)
        if position < 0:
            return False
        if data.startswith(b"<?", position):
            end = data.find(b"?>", position + 2)
            if end < 0:
                return False  # unterminated: the parser reports the broken XML
            position = end + 2
        elif data.startswith(b"<!--", position):
            end = data.find(b"-->", position + 4)
            if end < 0:
                return False
            position = end + 3
        else:
            return data.startswith(b"<!", position)


def _parse_defused(data: bytes, origin: str) -> ET.Element:
    import defusedxml.ElementTree as DefusedET  # rare path: loaded only when needed
    from defusedxml import DefusedXmlException

    try:
        root: ET.Element = DefusedET.fromstring(data, forbid_dtd=True)
    except DefusedXmlException as error:
        raise UnsafeReportError(UNSAFE_MESSAGE_JA, detail=f"{origin}: {error}") from None
    except ET.ParseError as error:
        raise ReportFileError(
            _not_xml_message(data, error.position), detail=f"{origin}: {error}"
        ) from None
    return root


def _not_xml_message(data: bytes, position: tuple[int, int]) -> str:
    start = data[:1]
    if start in (b"{", b"["):
        return (
            "XML ではなく JSON のファイルです（TLS レポートなど、DMARC 集計レポート以外の"
            "可能性があります）。"
        )
    if not data.strip():
        return "ファイルが空です。"
    line, column = position
    return f"XML の形式が壊れているため読み取れません（{line} 行目 {column + 1} 文字目付近）。"
