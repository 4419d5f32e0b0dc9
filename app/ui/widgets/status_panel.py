"""Error panel: the Japanese cause and next step stay until dismissed or their cause is gone;
詳細 expands the detail; 設定を開く appears when the fix is in the settings. Compact (a short
window), only the message's first line and the buttons show; 詳細 brings back the rest."""

from __future__ import annotations

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import TodokuError
from app.ui import texts
from app.ui.safe_text import plain_label, shown
from app.ui.widgets.compact_strips import CompactStrip, compact_button
from app.ui.widgets.tint import set_text_colour

DETAIL_HEIGHT = 140
# Compact (a short window), 詳細 shows the message and next step, and the technical detail in
# this many lines (it scrolls): the whole panel would otherwise push the window past the screen.
DETAIL_COMPACT_LINES = 3


def fixed_in_settings(error: TodokuError) -> bool:
    """The error's next step sends the operator to the settings (key, region, account…)."""
    return any(marker in error.next_step_ja for marker in texts.SETTINGS_MARKERS)


class StatusPanel(CompactStrip):
    """Shows one error at a time (the newest). Hidden until ``show_error``.

    Signals:
        dismissed: the × button was pressed.
        settings_requested: 設定を開く was pressed.
    """

    dismissed = Signal()
    settings_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("statusPanel", "#fdecea", "#e57373", (10, 6, 6, 6), parent)
        self.error: TodokuError | None = None
        self._message = ""
        self._repeated = False  # the next step only repeats the message
        self.message_label = plain_label()
        self.message_label.setWordWrap(True)
        set_text_colour(self.message_label, "#b71c1c", bold=True)
        self.next_step_label = plain_label()
        self.next_step_label.setWordWrap(True)
        self.details_button = QToolButton()
        self.details_button.setText(texts.DETAILS_SHOW)
        self.details_button.setAutoRaise(True)
        self.details_button.setCheckable(True)
        self.settings_button = QPushButton(texts.OPEN_SETTINGS)
        self.settings_button.setVisible(False)
        self.close_button = QToolButton()
        self.close_button.setText("×")
        self.close_button.setToolTip(texts.DISMISS_TOOLTIP)
        self.close_button.setAutoRaise(True)
        self.detail_text = QPlainTextEdit()  # plain text: server answers are untrusted
        self.detail_text.setReadOnly(True)
        self.detail_text.setMaximumHeight(DETAIL_HEIGHT)
        self.detail_text.setVisible(False)

        header = QHBoxLayout()
        header.addWidget(self.message_label, 1)
        header.addWidget(self.settings_button)
        header.addWidget(self.details_button)
        header.addWidget(self.close_button)
        next_row = QHBoxLayout()
        self.next_step_title = QLabel(texts.ERROR_NEXT_STEP + ":")
        next_row.addWidget(self.next_step_title)
        next_row.addWidget(self.next_step_label, 1)
        layout = QVBoxLayout(self)
        self.set_margins(layout)
        layout.addLayout(header)
        layout.addLayout(next_row)
        layout.addWidget(self.detail_text)

        self.details_button.toggled.connect(self._on_details_toggled)
        self.close_button.clicked.connect(self._on_close_clicked)
        self.settings_button.clicked.connect(self.settings_requested)
        self.setVisible(False)

    def show_error(self, error: TodokuError, message: str = "") -> None:
        """Show ``error``; ``message`` (several lines, e.g. a notice with counts) instead of
        its ``message_ja`` when given."""
        self.error = error
        self._message = message or error.message_ja
        self.next_step_label.setText(shown(texts.in_the_window(error.next_step_ja)))
        # A message that already says what to do is not repeated as the next step.
        self._repeated = error.next_step_ja.strip() in ("", error.message_ja.strip())
        self.settings_button.setVisible(fixed_in_settings(error))
        detail = error.detail or type(error).__name__
        self.detail_text.setPlainText(shown(f"{type(error).__name__}\n{detail}"))
        self.details_button.setChecked(False)
        self._show_parts()
        self.setVisible(True)
        self.content_changed.emit()

    def set_compact(self, compact: bool) -> None:
        super().set_compact(compact)
        compact_button(self.settings_button, compact)
        self._show_parts()

    def _show_parts(self) -> None:
        """Full, or compact with 詳細 open: everything. Compact: the message's first line."""
        whole = not self.compact or self.details_button.isChecked()
        self.message_label.setText(shown(self._message if whole else self._message.split("\n")[0]))
        self.next_step_title.setVisible(whole and not self._repeated)
        self.next_step_label.setVisible(whole and not self._repeated)
        detail = self.detail_text
        detail.setVisible(self.details_button.isChecked())
        line = detail.fontMetrics().lineSpacing()
        frame = 2 * detail.frameWidth() + 2 * round(detail.document().documentMargin())
        # Compact, it may also give way to a single line (it scrolls).
        detail.setMaximumHeight(
            line * DETAIL_COMPACT_LINES + frame if self.compact else DETAIL_HEIGHT
        )
        detail.setMinimumHeight(line + frame if self.compact else 0)

    def clear(self) -> None:
        """The error's cause is gone (e.g. the key was saved): hide it."""
        self.error = None
        self.setVisible(False)

    def clear_if_fixed_in_settings(self) -> None:
        """After the settings were saved or the account switched, an error whose fix was in
        the settings no longer describes the current state."""
        if self.error is not None and fixed_in_settings(self.error):
            self.clear()

    @Slot(bool)
    def _on_details_toggled(self, shown: bool) -> None:
        self._show_parts()
        self.details_button.setText(texts.DETAILS_HIDE if shown else texts.DETAILS_SHOW)

    @Slot()
    def _on_close_clicked(self) -> None:
        self.clear()
        self.dismissed.emit()
