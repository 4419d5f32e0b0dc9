"""Keep untrusted text (bounce reasons, server answers) plain in labels, cells and tooltips."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel

from app.core.control_chars import HIDDEN_SHOWN, hidden_shown

# Tabs, NUL and every line break Qt's text panes (or Python's splitlines) honour: one of them
# inside an address made it look like two addresses in a list.
_CELL_BREAKS = str.maketrans(dict.fromkeys("\t\r\n\x00\v\f\x1c\x1d\x1e\x85\u2028\u2029", " "))
# What a cell shows: those as spaces, and bidi controls and invisible characters written out
# (⟨U+202E⟩, ⟨U+200B⟩), so a reason
# such as "user@example.com\u202egnp.exe" cannot display as "…exe.png" (one pass for both).
_CELL_SHOWN = {**_CELL_BREAKS, **HIDDEN_SHOWN}
# An address is at most 254 characters: past this, one came from a broken or hostile server.
ADDRESS_LINE_CHARS = 320
# Qt::PlainText, set through the ``textFormat`` property: labels are made before the first
# paint, and importing ``Qt`` for its enum builds ~95 enum classes (~11 ms).
_PLAIN_TEXT = 0


def shown(text: str) -> str:
    """Untrusted text as a pane or label shows it: bidi controls and invisible characters
    written out (⟨U+202E⟩, ⟨U+200B⟩).
    Only for display: what is copied, stored or deleted keeps the text as it is."""
    return hidden_shown(text)


def single_line(text: str, limit: int = 300) -> str:
    """For a table cell: no tabs or line breaks, hidden characters written out, bounded length."""
    flat = text.translate(_CELL_SHOWN)
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def text_head(text: str, limit: int, note: str) -> str:
    """``text`` itself, or its first ``limit`` characters and ``note`` (formatted with
    ``total`` and ``shown``) when it is longer: for a plain-text pane that must not lay out
    megabytes (Qt wraps one unbroken line glyph by glyph, in time that grows with its length).
    Bidi controls and invisible characters are written out (``shown``); ``total`` counts the
    text as given."""
    if len(text) <= limit:
        return hidden_shown(text)
    return hidden_shown(text[:limit]) + note.format(total=len(text), shown=limit)


def tooltip_text(text: str, limit: int = 2000, *, wrap: bool = True) -> str:
    """Tooltips are rich text in Qt: escape, keep line breaks, and wrap via <p> (no markup
    from the text itself can survive ``html.escape``); ``wrap=False`` keeps each line whole
    (a name wrapped in four pieces is hard to read). Hidden characters are written out."""
    if not text:
        return ""
    import html  # (~1.5 ms with html.entities; tooltips come after the first paint)

    clipped = hidden_shown(text if len(text) <= limit else text[:limit] + "…")
    space = "pre-wrap" if wrap else "pre"
    return f"<p style='white-space:{space}'>" + html.escape(clipped) + "</p>"


def plain_label(text: str = "", parent=None) -> QLabel:
    """A QLabel that never interprets its text as HTML."""
    label = QLabel(parent)
    label.setProperty("textFormat", _PLAIN_TEXT)
    label.setText(text)
    return label


def address_line(email: str) -> str:
    """An address for a list shown one per line: on one line, bounded."""
    return single_line(email, ADDRESS_LINE_CHARS)


def spreadsheet_clipboard_cell(text: str) -> str:
    """A TSV cell that pastes as text: tabs and line breaks would split cells or rows in Excel,
    and Excel reads a pasted cell as if it were typed, so text a spreadsheet would take for a
    formula (``=HYPERLINK(…)``, ``-2+3@…``, `` ＝1+1``) gets the CSV export's leading
    apostrophe."""
    from app.core.export.cells import needs_text_guard

    cell = text.translate(_CELL_BREAKS)
    return "'" + cell if needs_text_guard(cell) else cell
