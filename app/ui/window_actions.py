"""WindowActions: the main window's menu bar and the actions it shares with buttons and
shortcuts (書き出し, 削除, 削除履歴, practice/live switch, ツール → 設定, ヘルプ: 使い方, キーボード
操作, log location, バージョン情報)."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow

from app.ui import texts
from app.ui.menu_text import menu_text

# 本番のアカウントに切り替える / 練習モードに切り替える: one item whose label flips, one key.
MODE_KEY = "W"


class WindowActions(QObject):
    """Builds the menus on ``window``; the window decides what each action does.

    Signals:
        export_requested: 書き出し… (menu, button or Ctrl+E).
        settings_requested: 設定….
        quit_requested: 終了.
        check_shown_requested: 表示中をすべて選択.
        uncheck_all_requested: 選択解除.
        delete_requested: 削除.
        history_requested: 削除履歴….
        mode_switch_requested: switch between practice and live.
        show_log_requested: ログの保存場所を表示.
        usage_requested: 使い方 (F1).
        shortcuts_requested: キーボード操作.
        about_requested: バージョン情報.
    """

    export_requested = Signal()
    settings_requested = Signal()
    quit_requested = Signal()
    check_shown_requested = Signal()
    uncheck_all_requested = Signal()
    delete_requested = Signal()
    history_requested = Signal()
    mode_switch_requested = Signal()
    show_log_requested = Signal()
    usage_requested = Signal()
    shortcuts_requested = Signal()
    about_requested = Signal()

    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        menu_bar = window.menuBar()
        file_menu = menu_bar.addMenu(texts.MENU_FILE)
        self.export_action = QAction(texts.ACTION_EXPORT, window)
        self.export_action.setIconText(texts.ACTION_EXPORT_SHORT)
        self.export_action.setToolTip(texts.ACTION_EXPORT_TIP)
        # setShortcuts([...]) rather than setShortcut(): the latter builds every Qt.* enum
        # (~11 ms) before the first paint; the behaviour is the same.
        self.export_action.setShortcuts([QKeySequence("Ctrl+E")])
        self.export_action.triggered.connect(self.export_requested)
        file_menu.addAction(self.export_action)
        file_menu.addSeparator()
        quit_action = file_menu.addAction(texts.ACTION_QUIT)
        quit_action.setShortcuts([QKeySequence(QKeySequence.StandardKey.Quit)])
        quit_action.triggered.connect(self.quit_requested)
        delete_menu = menu_bar.addMenu(texts.MENU_DELETE)
        self.check_shown_action = delete_menu.addAction(menu_text(texts.CHECK_SHOWN, "C"))
        self.check_shown_action.triggered.connect(self.check_shown_requested)
        self.uncheck_action = delete_menu.addAction(menu_text(texts.UNCHECK_ALL, "N"))
        self.uncheck_action.triggered.connect(self.uncheck_all_requested)
        self.delete_action = delete_menu.addAction(menu_text(texts.DELETE_CHECKED, "D"))
        self.delete_action.triggered.connect(self.delete_requested)
        delete_menu.addSeparator()
        self.history_action = delete_menu.addAction(texts.ACTION_HISTORY)
        self.history_action.triggered.connect(self.history_requested)
        account = menu_bar.addMenu(texts.MENU_ACCOUNT)
        self.account_menu = account  # the accounts feature adds アカウントの管理… here
        self.mode_action = account.addAction(menu_text(texts.PRACTICE_TO_LIVE, MODE_KEY))
        self.mode_action.triggered.connect(self.mode_switch_requested)
        # 設定 in a menu of its own, where Japanese desktop apps keep it (ツール), not under
        # ファイル; other tools' windows can join it.
        self.tools_menu = menu_bar.addMenu(texts.MENU_TOOLS)
        self.settings_action = self.tools_menu.addAction(texts.ACTION_SETTINGS)
        self.settings_action.setShortcuts([QKeySequence("Ctrl+,")])
        self.settings_action.triggered.connect(self.settings_requested)
        self.help_menu = help_menu = menu_bar.addMenu(texts.MENU_HELP)
        self.usage_action = help_menu.addAction(texts.ACTION_USAGE)
        self.usage_action.setShortcuts([QKeySequence("F1")])
        self.usage_action.triggered.connect(self.usage_requested)
        self.shortcuts_action = help_menu.addAction(texts.ACTION_SHORTCUTS)
        self.shortcuts_action.triggered.connect(self.shortcuts_requested)
        help_menu.addSeparator()
        log_action = help_menu.addAction(menu_text(texts.ACTION_OPEN_LOG, "L"))
        log_action.triggered.connect(self.show_log_requested)
        self.about_action = help_menu.addAction(texts.ACTION_ABOUT)
        self.about_action.triggered.connect(self.about_requested)

    def show_mode(self, practice: bool) -> None:
        label = texts.PRACTICE_TO_LIVE if practice else texts.LIVE_TO_PRACTICE
        self.mode_action.setText(menu_text(label, MODE_KEY))

    def set_busy(self, busy: bool, has_rows: bool) -> None:
        """While a fetch, export or deletion runs, nothing that conflicts with it can start."""
        self.mode_action.setEnabled(not busy)
        self.settings_action.setEnabled(not busy)
        self.export_action.setEnabled(not busy and has_rows)

    def set_delete_state(
        self, *, can_delete: bool, can_check: bool, can_uncheck: bool, available: bool
    ) -> None:
        """Mirror the delete bar's buttons (the menu offers the same actions)."""
        self.delete_action.setEnabled(can_delete)
        self.check_shown_action.setEnabled(can_check)
        self.uncheck_action.setEnabled(can_uncheck)
        self.history_action.setEnabled(available)
