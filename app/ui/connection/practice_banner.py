"""The 練習モード banner: visible whenever the window talks to the built-in sandbox."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from app.ui import texts
from app.ui.safe_text import plain_label
from app.ui.widgets.tint import TintedFrame, set_text_colour


class PracticeBanner(TintedFrame):
    """A yellow strip with the practice explanation and a button to switch accounts.

    Signals:
        switch_requested: the operator asked to leave practice mode.
    """

    switch_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("practiceBanner", "#fff4c2", "#e0c050", parent)
        title = QLabel(texts.PRACTICE_TITLE)
        set_text_colour(title, "#7a5a00", bold=True)
        self.text_label = plain_label(texts.PRACTICE_TEXT)
        self.switch_button = QPushButton(texts.PRACTICE_TO_LIVE)
        self.switch_button.clicked.connect(self.switch_requested)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.addWidget(title)
        layout.addWidget(self.text_label, 1)
        layout.addWidget(self.switch_button)
