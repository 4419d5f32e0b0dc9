"""Make untrusted text safe for spreadsheet cells: XML-legal, within limits, never a formula."""

from __future__ import annotations

import re
import unicodedata

from app.core.control_chars import hidden_shown

# Characters XML 1.0 forbids (openpyxl's ILLEGAL_CHARACTERS_RE covers the C0 controls only), plus
# lone surrogates and U+FFFE/U+FFFF, which would make the UTF-8 encoder or Excel's parser fail.
_XML_ILLEGAL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
REPLACEMENT_CHAR = "\ufffd"

EXCEL_MAX_CELL_CHARS = 32_767  # counted in UTF-16 code units, as Excel stores text

# A cell starting with one of these can be read as a formula by Excel (or a CSV importer).
# Line feed is not in the usual OWASP list; we add it because a CR is turned into one below.
FORMULA_TRIGGERS = frozenset("=+-@\t\r\n")

# Blanks a spreadsheet may skip before it looks for a formula (" =1+1"): ASCII and ideographic
# spaces, no-break space. Tab and line feed are triggers themselves.
_LEADING_BLANKS = " \u3000\u00a0"
_ASCII_TRIGGERS = frozenset("=+-@")

# Text equal to one of these would be stored by openpyxl as an error value, not as text.
EXCEL_ERROR_CODES = frozenset(("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"))


def truncation_marker(original_length: int) -> str:
    return f"…（以下省略: 元は{original_length:,}文字）"


def clean_text(text: str) -> str:
    """Return ``text`` with XML-illegal characters replaced, CR line ends made LF, and cut to fit.

    Illegal characters become U+FFFD (visible, one character, and obviously "unreadable"), so a
    garbled server reply still shows where the garbage was. CR and CRLF become LF, the line break
    Excel uses inside a cell (a raw CR would come back as LF after an XML round trip anyway).
    """
    if _XML_ILLEGAL_RE.search(text) is not None:
        text = _XML_ILLEGAL_RE.sub(REPLACEMENT_CHAR, text)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    # Fast path: even if every character took two UTF-16 units, half the limit fits.
    if len(text) > EXCEL_MAX_CELL_CHARS // 2 and _utf16_length(text) > EXCEL_MAX_CELL_CHARS:
        text = _truncate(text)
    return text


def report_cell_text(text: str) -> str:
    """``clean_text`` for a workbook a person reads (the xlsx exports): bidi controls and
    invisible characters are written out as ⟨U+202E⟩, ⟨U+200B⟩ and the like first, so a reason
    cannot show reordered, nor an address as another, there either (docs/hostile-input.md).
    CSV keeps them: it is the data, read back by programs."""
    return clean_text(hidden_shown(text))


def needs_text_guard(text: str) -> bool:
    """True when a spreadsheet could take ``text`` for a formula or an error value."""
    if not text:
        return False
    first = text[0]
    if first in FORMULA_TRIGGERS or text in EXCEL_ERROR_CODES:
        return True
    if first in _LEADING_BLANKS:
        # " =1+1": guarded as well; some importers strip the blank before reading the cell.
        rest = text.lstrip(_LEADING_BLANKS)
        if not rest:
            return False
        first = rest[0]
        if first in FORMULA_TRIGGERS:
            return True
    # Full-width and small forms (＝ ＋ － ＠, ﹦ ﹢ ﹣ ﹫): Japanese Excel turns a leading
    # full-width "＝" typed into a cell into a formula, so such text is guarded like "=".
    return first >= "\x80" and unicodedata.normalize("NFKC", first) in _ASCII_TRIGGERS


def csv_text(text: str) -> str:
    """Clean ``text`` and prefix ``'`` where a spreadsheet would see a formula or an error value."""
    text = clean_text(text)
    if needs_text_guard(text):
        return "'" + text
    return text


def _utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _truncate(text: str) -> str:
    marker = truncation_marker(len(text))
    budget = EXCEL_MAX_CELL_CHARS - _utf16_length(marker)
    kept: list[str] = []
    used = 0
    for char in text:
        used += 2 if ord(char) > 0xFFFF else 1
        if used > budget:
            break
        kept.append(char)
    return "".join(kept) + marker
