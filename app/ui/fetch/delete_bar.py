"""DeleteBar: the row above the grid — check all shown, uncheck, checked count, delete, history."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QToolButton, QWidget

from app.ui import texts
from app.ui.widgets.eliding_label import ElidingLabel
from app.ui.widgets.single_click_button import SingleClickButton
from app.ui.widgets.tint import set_text_colour


class DeleteBar(QWidget):
    """Buttons only; the window decides what they do and when they are enabled.

    Signals:
        check_shown_requested: 表示中をすべてチェック.
        uncheck_all_requested: チェックをすべて外す.
        delete_requested: チェックした項目を削除.
        history_requested: 削除履歴.
    """

    check_shown_requested = Signal()
    uncheck_all_requested = Signal()
    delete_requested = Signal()
    history_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.check_shown_button = QPushButton(texts.CHECK_SHOWN)
        self.check_shown_button.setToolTip(texts.CHECK_SHOWN_TIP)
        self.uncheck_button = QPushButton(texts.UNCHECK_ALL)
        self.uncheck_button.setToolTip(texts.UNCHECK_ALL_TIP)
        # The count's hint is long: it takes the free space but never widens the window past a
        # 1280 px screen. Narrower, a shorter wording that fits (at 1024 px 「削除はチェックした
        # 行だけ」), else a whole sentence and "…" (never mid-phrase); the tooltip keeps the
        # whole text.
        self.checked_label = ElidingLabel(separator="。")
        self.checked_label.setText(texts.CHECKED_COUNT.format(checked=0))
        self.checked_label.setMinimumWidth(
            self.checked_label.fontMetrics().horizontalAdvance(
                texts.CHECKED_COUNT.format(checked=0)
            )
            + 40
        )
        self.history_button = QPushButton(texts.HISTORY_BUTTON)
        self.delete_button = SingleClickButton(texts.DELETE_CHECKED)
        set_text_colour(self.delete_button, "#b00020", bold=True, disabled_colour="#9a9a9a")
        self.delete_button.setAutoDefault(False)
        self._added: list[QToolButton] = []  # other features' buttons (add_action)
        layout = self._layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.check_shown_button)
        layout.addWidget(self.uncheck_button)
        layout.addSpacing(8)
        layout.addWidget(self.checked_label, 1)
        layout.addWidget(self.history_button)
        layout.addWidget(self.delete_button)
        self.check_shown_button.clicked.connect(self.check_shown_requested)
        self.uncheck_button.clicked.connect(self.uncheck_all_requested)
        self.delete_button.clicked.connect(self.delete_requested)
        self.history_button.clicked.connect(self.history_requested)
        self.set_state(shown=0, checked=0, busy=False, available=True)

    def add_action(self, action: QAction) -> QToolButton:
        """A button for another feature's action (e.g. 連絡文を作成…), left of 削除履歴."""
        button = QToolButton()
        button.setDefaultAction(action)
        button.setProperty("toolButtonStyle", 1)  # Qt::ToolButtonTextOnly, without ``Qt``
        self._layout.insertWidget(self._layout.indexOf(self.history_button), button)
        # Tab reaches it where it stands (before 削除履歴), not after the rest of the window.
        QWidget.setTabOrder(self._added[-1] if self._added else self.uncheck_button, button)
        self._added.append(button)
        return button

    def set_state(
        self, *, shown: int, checked: int, busy: bool, available: bool, highlighted: int = 0
    ) -> None:
        """Enable what makes sense: delete needs a checked row, no running job and a journal.

        ``highlighted``: rows selected (coloured) in the grid. Only ticked rows are deleted; with
        rows highlighted and none ticked, the count says so rather than a bare 0.
        """
        shorter: tuple[str, ...] = ()
        if highlighted and not checked:
            count = texts.CHECKED_NONE_HIGHLIGHTED
            shorter = texts.CHECKED_NONE_HIGHLIGHTED_SHORTER
        else:
            count = texts.CHECKED_COUNT.format(checked=checked)
        self.checked_label.setText(count, shorter)
        self.checked_label.setToolTip(count)
        # Ticking rows is harmless while a job runs; only the delete itself must wait.
        self.check_shown_button.setEnabled(shown > 0)
        self.uncheck_button.setEnabled(checked > 0)
        self.history_button.setEnabled(available)
        can_delete = checked > 0 and not busy and available
        self.delete_button.setEnabled(can_delete)
        self.delete_button.setText(
            texts.DELETE_CHECKED_COUNT.format(checked=checked) if checked else texts.DELETE_CHECKED
        )
        if not available:
            tip = texts.DELETE_NO_JOURNAL
        elif busy:
            tip = texts.DELETE_BUSY
        elif not checked:
            tip = texts.DELETE_NEEDS_CHECK
        else:
            tip = ""
        self.delete_button.setToolTip(tip)
