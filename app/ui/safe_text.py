"""Keep untrusted text (bounce reasons, server answers) plain in labels, cells and tooltips."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

_CELL_BREAKS = str.maketrans({"\t": " ", "\r": " ", "\n": " ", "\x00": " "})


def single_line(text: str, limit: int = 300) -> str:
    """For a table cell: no tabs or line breaks (Excel paste safety), bounded length."""
    flat = text.translate(_CELL_BREAKS)
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def tooltip_text(text: str, limit: int = 2000) -> str:
    """Tooltips are rich text in Qt: escape, keep line breaks, and wrap via <p> (no markup
    from the text itself can survive ``html.escape``)."""
    if not text:
        return ""
    clipped = text if len(text) <= limit else text[:limit] + "…"
    return "<p style='white-space:pre-wrap'>" + html.escape(clipped) + "</p>"


def plain_label(text: str = "", parent=None) -> QLabel:
    """A QLabel that never interprets its text as HTML."""
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setText(text)
    return label


def clipboard_cell(text: str) -> str:
    """A TSV cell: tabs and line breaks would split cells/rows in Excel."""
    return text.translate(_CELL_BREAKS)
