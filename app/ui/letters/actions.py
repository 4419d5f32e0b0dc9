"""ContactActions: the 連絡 menu and the actions the grid's bar and context menu share."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow

from app.ui.letters import letter_texts as texts
from app.ui.menu_text import menu_text


class ContactActions(QObject):
    """Builds the 連絡 menu (before ヘルプ) on ``window``; the window decides what runs.

    Signals:
        letters_requested: 連絡文を作成… (menu, bar, context menu or Ctrl+L).
        zendesk_requested: Zendesk チケットを作成….
        settings_requested: 送信元の情報と Zendesk の設定….
    """

    letters_requested = Signal()
    zendesk_requested = Signal()
    settings_requested = Signal()

    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self.letters_action = QAction(menu_text(texts.ACTION_LETTERS, "L"), window)
        # The bar's buttons show the icon text: the label without the access key.
        self.letters_action.setIconText(texts.ACTION_LETTERS.removesuffix("…"))
        self.letters_action.setToolTip(texts.ACTION_LETTERS_TIP)
        self.letters_action.setShortcuts([QKeySequence("Ctrl+L")])
        self.letters_action.triggered.connect(self.letters_requested)
        self.zendesk_action = QAction(menu_text(texts.ACTION_ZENDESK, "Z"), window)
        self.zendesk_action.setIconText(texts.ACTION_ZENDESK.removesuffix("…"))
        self.zendesk_action.setToolTip(texts.ACTION_ZENDESK_TIP)
        self.zendesk_action.triggered.connect(self.zendesk_requested)
        self.settings_action = QAction(menu_text(texts.ACTION_CONTACT_SETTINGS, "S"), window)
        self.settings_action.triggered.connect(self.settings_requested)
        menu_bar = window.menuBar()
        existing = menu_bar.actions()
        menu = menu_bar.addMenu(texts.MENU_CONTACT)
        if existing:  # keep ヘルプ last
            menu_bar.insertMenu(existing[-1], menu)
        menu.addAction(self.letters_action)
        menu.addAction(self.zendesk_action)
        menu.addSeparator()
        menu.addAction(self.settings_action)
        self.menu = menu

    def set_state(self, *, has_rows: bool, busy: bool) -> None:
        """Letters need rows; a ticket run waits for a running fetch, export or delete."""
        self.letters_action.setEnabled(has_rows)
        self.zendesk_action.setEnabled(has_rows and not busy)
        self.settings_action.setEnabled(not busy)
