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
* what is left (a wide encoding declared in bytes that are not UTF-16) goes through
  ``defusedxml.ElementTree`` with ``forbid_dtd=True``. defusedxml runs a pure-Python
  ElementTree, several times slower, which is why it is not the everyday path.

UTF-16 (a BOM, or the NUL byte of the first ``<``) is decoded by Python and read as UTF-8, so
it meets the DOCTYPE check and the flood bounds (``refuse_attribute_flood`` and the report
parser's element bounds) like any UTF-8 report.

Encodings expat cannot read (Shift_JIS, EUC-JP, cp932, UTF-32: pyexpat raises ValueError for
every multi-byte one) are decoded by Python and the document is read as UTF-8 on the everyday
path, so the same DOCTYPE check applies to them.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator

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
# Encodings whose bytes are not ASCII where the text is: the declaration cannot be read as
# bytes, so such a document stays on the defusedxml path (expat reads UTF-16 itself).
_WIDE_ENCODINGS = ("utf-16", "utf16", "utf-32", "utf32", "ucs-2", "ucs2", "ucs-4", "ucs4")
_UTF32_BOMS = (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")  # expat reads no UTF-32 either
_DECLARED_ENCODING_TEXT = re.compile(r"""^(<\?xml[^>]*?encoding\s*=\s*["'])[A-Za-z0-9._-]+""")
# IANA names Python's codecs do not know, as Japanese mail software writes them.
_ENCODING_ALIASES = {"windows-31j": "cp932", "x-sjis": "shift_jis", "x-euc-jp": "euc_jp"}


ConsumeChildren = Callable[[ET.Element], None]
# Fed to expat in pieces of this size when a caller consumes the tree as it grows: a piece's
# new elements are read while they are still in the processor's cache, and the memory of the
# children the caller took out is reused for the next piece (measured on the benchmark's
# reports: 4 to 16 KiB alike, 32 KiB and the whole document at once slower).
FEED_CHUNK = 8 * 1024
# expat before 2.6.0 (Python's bundled 2.5.0 here; the fix is "reparse deferral", CVE-2023-52425)
# scans a token that is still open again from its start at every piece fed: a 4 MB attribute
# value, tag name, comment or processing instruction cut into 8 KiB pieces cost 2 s, a 50 MB
# one minutes, quadratic in its length. So a piece never ends inside markup: it ends just
# before a ``<``, which no tag can hold, and never inside a comment, processing instruction or
# CDATA section (those may hold ``<``). Text is read as it comes and may be cut anywhere.
_SECTIONS = {b"<!--": b"-->", b"<?": b"?>", b"<![CDATA[": b"]]>"}
_SECTION_OPENER = re.compile(rb"<!--|<\?|<!\[CDATA\[")
# Text, tags and complete sections: stops at the opener of a section not closed by ``endpos``.
# No possessive quantifiers: Python before 3.11.3 (Debian 12's 3.11.2) matched them wrongly and
# let pieces end inside comments. Nothing follows the repetition, so a plain one never backtracks.
_CLOSED_SECTIONS = re.compile(
    rb"(?:[^<]+|<!--.*?-->|<\?.*?\?>|<!\[CDATA\[.*?\]\]>|<(?!!--|\?|!\[CDATA\[))*", re.DOTALL
)


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
    if data[:4] in _UTF32_BOMS:
        return parse_xml(_utf32_as_utf8(data, origin), origin, consume)
    utf16 = _utf16_codec(data)
    if utf16:
        return parse_xml(_utf16_as_utf8(data, utf16, origin), origin, consume)
    if not _prolog_is_readable(data):
        declared = _DECLARED_ENCODING.match(data[:256])
        if declared is not None and not declared.group(1).decode().lower().startswith(
            _WIDE_ENCODINGS
        ):
            # Shift_JIS, EUC-JP, cp932, GB2312 ...: expat reads no multi-byte encoding but
            # UTF-8/16 (pyexpat raises ValueError), so the text is decoded here and read as
            # UTF-8, on the same checked path as any UTF-8 report.
            return parse_xml(_as_utf8(data, declared, origin), origin, consume)
        return _parse_defused(data, origin)
    if prolog_declares_dtd(data):
        raise UnsafeReportError(UNSAFE_MESSAGE_JA, detail=f"{origin}: DOCTYPE in the prolog")
    refuse_attribute_flood(data, origin)
    try:
        if consume is None or len(data) <= FEED_CHUNK:
            return ET.fromstring(data)
        return _parse_in_pieces(data, consume)
    except ET.ParseError as error:
        raise ReportFileError(
            _not_xml_message(data, error.position), detail=f"{origin}: {error}"
        ) from None
    except (ValueError, LookupError) as error:  # a declaration the prolog check did not see
        raise _encoding_error(origin, error) from None


# A report's attributes are a few namespace declarations on the root. Every distinct attribute
# name is interned by the parser and kept until it ends, and one tag's attributes are checked
# against each other: a tag with a million of them took 103 s, ten thousand records with a
# hundred each 9 s. Counted on the bytes before parsing (an attribute's value starts with
# ``="`` or ``='``, blanks allowed around ``=``); a false count from text holding ``="`` only
# matters past this many.
MAX_ATTRIBUTES = 10_000
_ATTRIBUTE_VALUE = re.compile(rb"""=[ \t\r\n]*["']""")
FLOOD_MESSAGE_JA = (
    "安全のため読み込みませんでした。DMARC レポートにはない量の要素や属性を含む XML です"
    "（解析に長い時間と大量のメモリを使わせる細工の可能性があります）。"
)


def refuse_attribute_flood(data: bytes, origin: str) -> None:
    """Raise UnsafeReportError when ``data`` holds more than ``MAX_ATTRIBUTES`` attributes."""
    if data.count(b"=") <= MAX_ATTRIBUTES:
        return  # the common case: one pass in C, no regex
    for count, _ in enumerate(_ATTRIBUTE_VALUE.finditer(data), 1):
        if count > MAX_ATTRIBUTES:
            raise UnsafeReportError(
                FLOOD_MESSAGE_JA, detail=f"{origin}: more than {MAX_ATTRIBUTES} attributes"
            )


def _parse_in_pieces(data: bytes, consume: ConsumeChildren) -> ET.Element:
    builder = ET.TreeBuilder()
    parser = ET.XMLParser(target=builder)
    view = memoryview(data)
    root: ET.Element | None = None
    peek = True
    start = 0
    for end in piece_ends(data, FEED_CHUNK):
        parser.feed(view[start:end])
        start = end
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


def piece_ends(data: bytes, size: int) -> Iterator[int]:
    """Where the pieces of ``data`` fed to expat end: each ``size`` bytes or more, and each but
    the last just before a ``<`` that is outside any comment, processing instruction or CDATA
    section, so no markup token spans two pieces (see ``_SECTIONS``).

    Sections are found in document order, each from its opener to its closer, so an opener
    quoted inside another section (``<![CDATA[<!--]]>``) opens nothing: a piece is longer than
    ``size`` only by a real section, which builds no elements, so the flood bounds checked
    between pieces still hold. Whatever the bytes, the parser sees them all, in order."""
    total = len(data)
    start = 0
    section = _next_section(data, 0)
    while start < total:
        end = data.find(b"<", start + size)
        while end >= 0 and section is not None and section[0] < end:
            after = section[1]
            if after < 0:  # never closed: the document is broken, expat says where
                end = -1
                break
            if after > end:  # the piece would end inside the section: end after it
                end = data.find(b"<", after)
                section = _next_section(data, after)
            else:  # skip the complete sections up to ``end`` in one go (a flood of tiny ones)
                skipped = _CLOSED_SECTIONS.match(data, after, end)
                section = _next_section(data, skipped.end() if skipped else after)
        end = total if end < 0 else end
        yield end
        start = end


def _next_section(data: bytes, position: int) -> tuple[int, int] | None:
    """The first comment, processing instruction or CDATA section at or after ``position``:
    where it opens and the offset just past its closer (-1 when it never closes)."""
    found = _SECTION_OPENER.search(data, position)
    if found is None:
        return None
    closer = _SECTIONS[found.group()]
    closing = data.find(closer, found.end())
    return found.start(), (closing + len(closer) if closing >= 0 else -1)


def _as_utf8(data: bytes, declared: re.Match[bytes], origin: str) -> bytes:
    """``data`` decoded from its declared encoding and re-encoded as UTF-8 (declaration too)."""
    name = declared.group(1).decode()
    codec = _ENCODING_ALIASES.get(name.lower(), name)
    try:
        text = data[declared.end(1) + 1 :].decode(codec)
    except LookupError:
        raise ReportFileError(
            f"文字コード「{name}」に対応していないため読み取れません。",
            detail=f"{origin}: unknown encoding {name!r}",
        ) from None
    except UnicodeDecodeError as error:
        raise ReportFileError(
            f"宣言された文字コード（{name}）として読めない文字があるため読み取れません。",
            detail=f"{origin}: {error}",
        ) from None
    head = data[: declared.start(1)] + b"UTF-8" + data[declared.end(1) : declared.end(1) + 1]
    return head + text.encode("utf-8")


def _utf32_as_utf8(data: bytes, origin: str) -> bytes:
    try:
        text = data.decode("utf-32")  # the BOM says which byte order, and is dropped
    except UnicodeDecodeError as error:
        raise _encoding_error(origin, error) from None
    return _DECLARED_ENCODING_TEXT.sub(r"\1UTF-8", text, count=1).encode("utf-8")


def _utf16_codec(data: bytes) -> str:
    """The codec of a UTF-16 document (by its BOM, or by where the NUL of ``<`` lies), or ""."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return "utf-16"  # the BOM says which byte order, and is dropped
    if data[:2] == b"<\0" and data[2:3] != b"\0":
        return "utf-16-le"
    if data[:2] == b"\0<":
        return "utf-16-be"
    return ""


def _utf16_as_utf8(data: bytes, codec: str, origin: str) -> bytes:
    """UTF-16 read as UTF-8, so that it takes the checked everyday path: through defusedxml it
    met none of the flood bounds (3,000,000 empty elements: 13 s, 320 MB, read as a report)."""
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as error:
        raise _encoding_error(origin, error) from None
    return _DECLARED_ENCODING_TEXT.sub(r"\1UTF-8", text, count=1).encode("utf-8")


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
    except (ValueError, LookupError) as error:
        raise _encoding_error(origin, error) from None
    return root


def _encoding_error(origin: str, error: Exception) -> ReportFileError:
    # pyexpat refuses an encoding it cannot read (UTF-32, an unknown name) with these.
    return ReportFileError(
        "文字コードに対応していないため読み取れません（UTF-8・UTF-16・Shift_JIS などの"
        "レポートを読み込めます）。",
        detail=f"{origin}: {type(error).__name__}: {error}",
    )


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
