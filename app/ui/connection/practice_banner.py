"""The 練習モード banner: visible whenever the window talks to the built-in sandbox."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from app.ui import texts
from app.ui.widgets.compact_strips import CompactStrip, compact_button
from app.ui.widgets.sentence_label import SentenceLabel
from app.ui.widgets.tint import set_text_colour


class PracticeBanner(CompactStrip):
    """A yellow strip with the practice explanation and a button to switch accounts; compact,
    the same line with less padding (練習モード is never hidden).

    Signals:
        switch_requested: the operator asked to leave practice mode.
    """

    switch_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("practiceBanner", "#fff4c2", "#e0c050", (10, 6, 10, 6), parent)
        title = QLabel(texts.PRACTICE_TITLE)
        set_text_colour(title, "#7a5a00", bold=True)
        # Another provider's text is longer (「…カスタマーズメールクラウドの模擬サーバー…」): on one
        # line it set the window's minimum width to 1,034 px, past a 1024 px screen. Wrapped, it
        # breaks between its sentences (not 「影響しませ」 / 「ん。」).
        self.text_label = SentenceLabel(texts.PRACTICE_TEXT)
        self.switch_button = QPushButton(texts.PRACTICE_TO_LIVE)
        self.switch_button.clicked.connect(self.switch_requested)
        layout = QHBoxLayout(self)
        self.set_margins(layout)
        layout.addWidget(title)
        layout.addWidget(self.text_label, 1)
        layout.addWidget(self.switch_button)

    def set_compact(self, compact: bool) -> None:
        super().set_compact(compact)
        compact_button(self.switch_button, compact)
