"""Coloured text and tinted boxes, as Qt style sheets."""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QWidget


def set_text_colour(
    widget: QWidget, colour: str, *, bold: bool = False, disabled_colour: str = ""
) -> None:
    """Text in ``colour`` (labels and buttons alike); ``disabled_colour`` while disabled."""
    kind = type(widget).__name__
    weight = " font-weight: bold;" if bold else ""
    style = f"{kind} {{ color: {colour};{weight} }}"
    if disabled_colour:
        style += f" {kind}:disabled {{ color: {disabled_colour}; }}"
    widget.setStyleSheet(style)


class TintedFrame(QFrame):
    """A rounded box with a background and a one-pixel border (``name`` is its object name)."""

    def __init__(
        self, name: str, background: str, border: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setStyleSheet(
            f"QFrame#{name} {{ background: {background}; border: 1px solid {border};"
            " border-radius: 4px; }"
        )
