"""GuidanceDialog: instead of deleting, the provider's console steps with the chosen addresses
(CMC blocks), and why a history list cannot be cleaned (CMC bounces). Nothing is sent."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Slot
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.core.export.output import ExportError, save_text
from app.core.types import DeletionGuidance, ListKind
from app.ui.accounts import account_texts as texts
from app.ui.safe_text import plain_label
from app.ui.widgets.sentence_label import SentenceLabel
from app.ui.widgets.tint import set_text_colour

log = logging.getLogger(__name__)

# ask_path(parent, suggested name) -> the chosen file or None (tests answer without a dialog)
PathAsker = Callable[[QWidget, str], Path | None]


def ask_save_path(parent: QWidget, suggested: str) -> Path | None:
    chosen, _ = QFileDialog.getSaveFileName(
        parent, texts.GUIDANCE_SAVE, suggested, texts.GUIDANCE_FILE_FILTER
    )
    return Path(chosen) if chosen else None


def guidance_text(
    guides: tuple[DeletionGuidance, ...], history: dict[ListKind, int], provider_label: str
) -> str:
    """Everything the dialog shows, as plain text (what コピー and 保存 hand out)."""
    parts = [guide.as_text() for guide in guides]
    parts += [
        texts.NONE_TEXT.format(provider=provider_label, label=kind.label_ja, count=count)
        for kind, count in history.items()
    ]
    return "\n\n".join(parts) + "\n"


class GuidanceDialog(QDialog):
    """Read-only guide: the steps and addresses in a plain-text box, コピー and 保存 buttons."""

    def __init__(
        self,
        guides: tuple[DeletionGuidance, ...],
        history: dict[ListKind, int],
        provider_label: str,
        api_count: int,
        parent: QWidget | None = None,
        *,
        ask_path: PathAsker = ask_save_path,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(texts.GUIDANCE_TITLE if guides else texts.NONE_TITLE)
        self.setMinimumSize(640, 460)
        self._ask_path = ask_path
        self.text = guidance_text(guides, history, provider_label)

        heading = plain_label(guides[0].title_ja if guides else texts.NONE_TITLE)
        set_text_colour(heading, "#1a3a6b", bold=True)
        heading.setWordWrap(True)
        nothing_sent = SentenceLabel(texts.GUIDANCE_NOTHING_SENT)
        set_text_colour(nothing_sent, "#7a5a00")
        self.body = QPlainTextEdit(self.text)  # plain text: addresses are never markup
        self.body.setReadOnly(True)
        self.api_note = plain_label(texts.API_CONTINUES.format(count=api_count))
        self.api_note.setVisible(api_count > 0)
        self.status = plain_label()
        self.copy_button = QPushButton(texts.GUIDANCE_COPY)
        self.copy_button.clicked.connect(self._on_copy_clicked)
        self.save_button = QPushButton(texts.GUIDANCE_SAVE)
        self.save_button.clicked.connect(self._on_save_clicked)
        self.close_button = QPushButton(texts.CLOSE)
        self.close_button.setDefault(True)
        self.close_button.clicked.connect(self.accept)

        buttons = QHBoxLayout()
        buttons.addWidget(self.copy_button)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(nothing_sent)
        layout.addWidget(self.body, 1)
        layout.addWidget(self.api_note)
        layout.addLayout(buttons)

    @Slot()
    def _on_copy_clicked(self) -> None:
        QGuiApplication.clipboard().setText(self.text)
        self.status.setText(texts.GUIDANCE_COPIED)

    @Slot()
    def _on_save_clicked(self) -> None:
        path = self._ask_path(self, texts.GUIDANCE_FILE_NAME)
        if path is None:
            return
        try:
            save_text(path, self.text)
        except ExportError as failure:  # in Japanese already (the OS's strerror is English)
            log.warning("guidance not saved: %s", failure.detail)
            set_text_colour(self.status, "#c62828")
            self.status.setText(
                texts.GUIDANCE_SAVE_FAILED.format(
                    message=failure.message_ja, next_step=failure.next_step_ja
                )
            )
            return
        set_text_colour(self.status, "#1b5e20")
        self.status.setText(texts.GUIDANCE_SAVED.format(path=path))
