"""Amazon SES regions in アカウントの管理: the list names them as AWS does in Japanese
(「ap-northeast-1（東京）」); before, it listed codes only and an operator could not tell
which one is Tokyo. The account keeps the code, and a code typed by hand stays as typed."""

from __future__ import annotations

from app.core.accounts import Account, ProviderName
from app.ui.accounts.edit_dialog import AccountEditDialog


def new_ses_dialog(qtbot) -> AccountEditDialog:
    dialog = AccountEditDialog(None, saved_secrets={}, taken_names=("SendGrid",))
    qtbot.addWidget(dialog)
    dialog.provider_combo.setCurrentIndex(dialog.provider_combo.findData("ses"))
    dialog.name_edit.setText("SES本番")
    return dialog


def test_the_regions_are_named_in_japanese_and_saved_as_codes(qtbot) -> None:
    dialog = new_ses_dialog(qtbot)
    combo = dialog.ses_region
    shown = [combo.itemText(i) for i in range(combo.count())]
    assert shown[:2] == ["ap-northeast-1（東京）", "ap-northeast-3（大阪）"]
    assert combo.currentText() == "ap-northeast-1（東京）"
    assert dialog.result_account().region == "ap-northeast-1"
    combo.setCurrentIndex(1)
    assert dialog.result_account().region == "ap-northeast-3"
    combo.setCurrentText("sa-east-1")  # a region not in the list, typed
    assert dialog.result_account().region == "sa-east-1"
    assert dialog.problem() == ""


def test_an_existing_account_opens_with_its_region_named(qtbot) -> None:
    account = Account(name="大阪", provider=ProviderName.SES, region="ap-northeast-3")
    dialog = AccountEditDialog(account, saved_secrets={}, taken_names=("SendGrid", "大阪"))
    qtbot.addWidget(dialog)
    assert dialog.ses_region.currentText() == "ap-northeast-3（大阪）"
    assert dialog.result_account().region == "ap-northeast-3"
