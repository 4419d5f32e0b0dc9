"""AccountBar: which account the window is on, a chooser to switch, and 管理…; it sits at the
right of the menu bar, so it costs the grid no height."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize, Qt, Signal, Slot
from PySide6.QtGui import QPaintEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStyle,
    QStyleOptionComboBox,
    QStylePainter,
    QWidget,
)

from app.core.accounts import Account
from app.ui.accounts import account_texts as texts
from app.ui.safe_text import plain_label, tooltip_text
from app.ui.widgets.tint import set_text_colour

# The chooser grows with its longest label up to about 22 Japanese characters (「cmc1（カスタマーズ
# メールクラウド）」 is whole); a longer account name can no longer push the menu bar, and with it
# the window, past a 1024 px screen.
WIDEST_LABEL = "あ" * 22
LABEL_INSET = 2  # the style draws the label 1 px in from each side of its field


class AccountCombo(QComboBox):
    """The account chooser. A label wider than the chooser is shortened in the middle, so the
    account's name starts it and its provider ends it (Qt cut the end: 「cmc1（カスタマーズ
    メール…」); the tooltip has the whole label, and the list that drops down shows every label
    whole."""

    def _longest_label(self) -> int:
        metrics = self.fontMetrics()
        widths = (metrics.horizontalAdvance(self.itemText(i)) for i in range(self.count()))
        return max(widths, default=0)

    def _field(self, rect: QRect | None = None) -> QRect:
        """Where the style draws the current label (inside the frame, left of the arrow)."""
        option = QStyleOptionComboBox()
        self.initStyleOption(option)
        if rect is not None:
            option.rect = rect
        return self.style().subControlRect(
            QStyle.ComplexControl.CC_ComboBox, option, QStyle.SubControl.SC_ComboBoxEditField, self
        )

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()  # AdjustToContents: Qt's guess, a few px short of the label
        chrome = hint.width() - self._field(QRect(QPoint(0, 0), hint)).width() + LABEL_INSET
        metrics = self.fontMetrics()
        text = min(self._longest_label(), metrics.horizontalAdvance(WIDEST_LABEL))
        shortest = self.minimumContentsLength() * metrics.horizontalAdvance("X")
        hint.setWidth(max(text, shortest) + chrome)
        return hint

    def minimumSizeHint(self) -> QSize:
        return self.sizeHint()

    def show_labels(self) -> None:
        """After the labels or the current one changed: the tooltip and the popup's width."""
        self.setToolTip(tooltip_text(f"{texts.ACCOUNT_LABEL} {self.currentText()}", wrap=False))
        self.view().setMinimumWidth(self._longest_label() + 2 * self.fontMetrics().height())
        self.updateGeometry()

    def shown_text(self) -> str:
        """The current label as it fits the chooser's text field (shortened in the middle)."""
        room = self._field().width() - LABEL_INSET
        return self.fontMetrics().elidedText(self.currentText(), Qt.TextElideMode.ElideMiddle, room)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QStylePainter(self)
        option = QStyleOptionComboBox()
        self.initStyleOption(option)
        painter.drawComplexControl(QStyle.ComplexControl.CC_ComboBox, option)
        option.currentText = self.shown_text()
        painter.drawControl(QStyle.ControlElement.CE_ComboBoxLabel, option)


class AccountBar(QWidget):
    """Signals:
    switch_requested: str, the account name the operator chose.
    manage_requested: 管理… pressed."""

    switch_requested = Signal(str)
    manage_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.combo = AccountCombo()
        self.combo.setMinimumContentsLength(18)
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.combo.setToolTip(texts.ACCOUNT_LABEL)
        self.combo.activated.connect(self._on_combo_activated)
        self.combo.currentIndexChanged.connect(self.combo.show_labels)
        self.mode_label = plain_label()
        self.manage_button = QPushButton(texts.MANAGE)
        self.manage_button.clicked.connect(self.manage_requested)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 0, 6, 0)
        layout.addWidget(QLabel(texts.ACCOUNT_LABEL))
        layout.addWidget(self.combo)
        layout.addWidget(self.mode_label)
        layout.addWidget(self.manage_button)

    def set_accounts(self, accounts: tuple[Account, ...], current: str) -> None:
        self.combo.blockSignals(True)
        self.combo.clear()
        for account in accounts:
            self.combo.addItem(account.label_ja, account.name)
        self.combo.setCurrentIndex(max(0, self.combo.findData(current)))
        self.combo.blockSignals(False)
        self.combo.show_labels()

    def current_name(self) -> str:
        return str(self.combo.currentData() or "")

    def set_mode(self, practice: bool, mode_text: str) -> None:
        self.mode_label.setText(mode_text)
        set_text_colour(self.mode_label, "#7a5a00" if practice else "#1b5e20", bold=True)

    def set_busy(self, busy: bool) -> None:
        """No switch while a fetch, a delete or an export runs (its rows are this account's)."""
        self.combo.setEnabled(not busy)
        self.manage_button.setEnabled(not busy)

    @Slot(int)
    def _on_combo_activated(self, index: int) -> None:
        self.switch_requested.emit(str(self.combo.itemData(index)))
