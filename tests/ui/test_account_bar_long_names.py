"""The account chooser at the top right: an account added while the window was open kept the
chooser as wide as 「SendGrid（既定）」 and Qt cut its label at the end (「cmc1（カスタマーズ
メール…」, the provider lost), and a long account name widened the menu bar. Now a label is
whole up to about 22 Japanese characters, a longer one is shortened in the middle (the name's
start and the provider stay), and the tooltip has it whole."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication

from app.core.accounts import ProviderName
from app.ui.accounts.account_bar import WIDEST_LABEL
from app.ui.accounts.edit_dialog import AccountEditDialog
from app.ui.accounts.manage_flow import AccountsFlow
from tests.ui.test_accounts import ProviderSandboxes, fill

LONG = "キャンペーン配信用の本番アカウント"


def add_and_choose(window, provider: ProviderName, name: str) -> None:
    def run_edit(dialog: AccountEditDialog) -> bool:
        fill(dialog, provider)
        dialog.name_edit.setText(name)
        dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
        return dialog.result() == dialog.DialogCode.Accepted

    assert AccountsFlow(window.controller.accounts, run_edit=run_edit).add()
    bar = window.account_bar
    bar.combo.setCurrentIndex(bar.combo.findData(name))
    bar.combo.activated.emit(bar.combo.currentIndex())
    assert window.controller.accounts.current.name == name


def test_a_cmc_account_reads_whole_and_a_long_name_keeps_both_ends(qtbot, make_window) -> None:
    window = make_window(provider_sandbox_factory=ProviderSandboxes())
    window.resize(1024, 600)
    qtbot.waitExposed(window)
    combo = window.account_bar.combo
    # Added while the window is open: the menu bar used to keep the chooser as wide as it was
    # for 「SendGrid（既定）」 alone, and the new label was cut.
    add_and_choose(window, ProviderName.CMC, "cmc1")
    QApplication.processEvents()
    assert combo.width() >= combo.sizeHint().width()
    assert combo.shown_text() == "cmc1（カスタマーズメールクラウド）"  # whole at 1024 px
    assert "cmc1（カスタマーズメールクラウド）" in combo.toolTip()

    add_and_choose(window, ProviderName.CMC, LONG)
    QApplication.processEvents()
    whole = f"{LONG}（カスタマーズメールクラウド）"
    assert combo.currentText() == whole
    assert combo.width() >= combo.sizeHint().width()
    shown = combo.shown_text()
    assert shown != whole and "…" in shown
    assert shown.startswith("キャンペーン") and shown.endswith("クラウド）")
    assert whole in combo.toolTip()
    # The long label no longer sets the chooser's width; the list that drops down is wide
    # enough for every label.
    metrics = combo.fontMetrics()
    assert combo.width() <= metrics.horizontalAdvance(WIDEST_LABEL) + 4 * metrics.height()
    assert combo.view().minimumWidth() >= metrics.horizontalAdvance(whole)
    assert window.account_bar.geometry().right() < window.width()
