"""The 本番 marker: visible whenever the window talks to the real account, as the practice
banner is in practice mode, so the operator always knows which data a deletion touches."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from app.ui import texts
from app.ui.safe_text import plain_label, single_line
from app.ui.widgets.compact_strips import CompactStrip, compact_button
from app.ui.widgets.tint import set_text_colour


class LiveMarker(CompactStrip):
    """A red-edged strip: 本番, the masked key, and a button back to practice mode.

    Signals:
        switch_requested: the operator asked to switch to practice mode.
    """

    switch_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("liveMarker", "#fdecea", "#c62828", (10, 4, 10, 4), parent)
        self.badge = QLabel(texts.LIVE_BADGE)
        self.badge.setStyleSheet(
            "QLabel { background: #c62828; color: white; font-weight: bold;"
            " padding: 1px 8px; border-radius: 3px; }"
        )
        self.text_label = plain_label(texts.LIVE_TEXT.format(account="", provider=" SendGrid "))
        set_text_colour(self.text_label, "#7f1212")
        self.switch_button = QPushButton(texts.LIVE_TO_PRACTICE)
        self.switch_button.clicked.connect(self.switch_requested)
        layout = QHBoxLayout(self)
        self.set_margins(layout)
        layout.addWidget(self.badge)
        layout.addWidget(self.text_label, 1)
        layout.addWidget(self.switch_button)

    def set_compact(self, compact: bool) -> None:
        super().set_compact(compact)
        compact_button(self.switch_button, compact)

    def set_account(self, masked_key: str, provider: str = "SendGrid", endpoint: str = "") -> None:
        """``provider``: the service the account is on, by its Japanese name: the marker says
        whose real data a deletion touches (a CMC, Infobip or SES account is not SendGrid's).
        ``endpoint``: the host of a base URL the operator set, named instead of 「実際の…」."""
        from app.core.accounts import between_words_ja

        account = f"（キー {masked_key}）" if masked_key else ""
        if endpoint:
            text = texts.LIVE_TEXT_ENDPOINT.format(
                account=account, host=single_line(endpoint, 80), provider=f" {provider} "
            )
        else:
            text = texts.LIVE_TEXT.format(account=account, provider=between_words_ja(provider))
        self.text_label.setText(text)
