"""The practice banner of a カスタマーズメールクラウド account on a 1024×600 screen: its text on
one line set the window's minimum width to 1,034 px, so the window could not fit the screen
and the text ran under 本番のアカウントに切り替える. It wraps now; the grid keeps its rows."""

from __future__ import annotations

from PySide6.QtCore import QPoint
from PySide6.QtGui import QTextLayout, QTextOption
from PySide6.QtWidgets import QLabel

from app.core.accounts import ProviderName
from app.ui.accounts import account_texts
from tests.ui.test_accounts import NAMES, ProviderSandboxes, add_account

SHORT = (1024, 560)  # a 1024×600 screen minus a task bar


def test_a_cmc_account_fits_a_1024_screen_with_its_whole_practice_text(qtbot, make_window) -> None:
    window = make_window(provider_sandbox_factory=ProviderSandboxes())
    add_account(window, ProviderName.CMC)
    bar = window.account_bar
    bar.combo.setCurrentIndex(bar.combo.findData(NAMES[ProviderName.CMC]))
    bar.combo.activated.emit(bar.combo.currentIndex())
    window.resize(*SHORT)
    window.list_page.ensure_grid()
    label = window.banner.text_label
    assert "実際のカスタマーズメールクラウドには影響しません。" in label.text()

    def fitted() -> None:
        window.centralWidget().layout().activate()
        assert window.minimumSizeHint().width() <= SHORT[0], window.minimumSizeHint()
        assert window.width() <= SHORT[0], window.width()
        # Given at least the width it needs to show all of its text (on one line or wrapped).
        assert label.width() >= label.minimumSizeHint().width()
        corner = label.mapTo(window, QPoint(label.width() - 1, label.height() - 1))
        assert window.rect().contains(corner)
        # The whole text is laid out inside the label (wrapped, not cut).
        needed = label.heightForWidth(label.width())
        assert label.height() >= needed, (label.height(), needed)
        assert not label.geometry().intersects(window.banner.switch_button.geometry())
        rows = window.table.viewport().height() / window.table.verticalHeader().defaultSectionSize()
        assert rows >= 5, rows

    qtbot.waitUntil(fitted, timeout=3000)


def shown_lines(label: QLabel) -> list[str]:
    """The lines the label's text takes at its width, as Qt lays out wrapped text (the text
    Qt holds, with any breaks the label put in)."""
    shown = QLabel.text(label)
    lines = []
    for paragraph in shown.split("\n"):
        layout = QTextLayout(paragraph, label.font())
        option = QTextOption()
        option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        layout.setTextOption(option)
        layout.beginLayout()
        while (line := layout.createLine()).isValid():
            line.setLineWidth(label.contentsRect().width())
            lines.append(paragraph[line.textStart() : line.textStart() + line.textLength()])
        layout.endLayout()
    return lines


def test_the_practice_text_wraps_between_its_sentences_at_1024_px(qtbot, make_window) -> None:
    """At 1024 px it wrapped inside a word: 「…影響しませ」 / 「ん。」."""
    window = make_window(provider_sandbox_factory=ProviderSandboxes())
    add_account(window, ProviderName.CMC)
    bar = window.account_bar
    bar.combo.setCurrentIndex(bar.combo.findData(NAMES[ProviderName.CMC]))
    bar.combo.activated.emit(bar.combo.currentIndex())
    window.resize(*SHORT)
    window.list_page.ensure_grid()
    label = window.banner.text_label

    def two_whole_sentences() -> None:
        window.centralWidget().layout().activate()
        lines = shown_lines(label)
        assert len(lines) == 2, lines
        assert all(line.rstrip().endswith("。") for line in lines), lines

    qtbot.waitUntil(two_whole_sentences, timeout=3000)
    # The text as set stays whole (the breaks are the label's own).
    assert label.text() == account_texts.practice_text("カスタマーズメールクラウド")
    # Wide enough, both sentences share one line again.
    window.resize(1366, 728)
    qtbot.waitUntil(lambda: len(shown_lines(label)) == 1, timeout=3000)
