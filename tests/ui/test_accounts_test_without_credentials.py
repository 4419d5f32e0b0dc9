"""アカウントの管理 → 接続テスト on an account with nothing saved: says so, sends nothing."""

from __future__ import annotations

from app.core.accounts import Account, ProviderName
from app.ui.accounts.manage_dialog import AccountRow, AccountsDialog

DEFAULT = Account("SendGrid", ProviderName.SENDGRID)
SAVED = Account("本番", ProviderName.SENDGRID)
SES_CHAIN = Account("SES", ProviderName.SES, region="ap-northeast-1", aws_credentials="chain")


def dialog_with(qtbot, *rows: AccountRow) -> tuple[AccountsDialog, list[str]]:
    dialog = AccountsDialog(list(rows))
    qtbot.addWidget(dialog)
    asked: list[str] = []
    dialog.test_requested.connect(asked.append)
    return dialog, asked


def test_an_account_without_credentials_is_not_tested_and_the_dialog_says_why(qtbot) -> None:
    # Before: the test went to the real SendGrid with no key and, after a dozen seconds of
    # retries, advised checking the internet connection.
    dialog, asked = dialog_with(qtbot, AccountRow(DEFAULT, current=True, saved=False))
    dialog.select("SendGrid")
    dialog.test_button.click()
    assert asked == []
    text = dialog.result_label.text()
    assert "まだ保存されていません" in text and "編集…" in text and DEFAULT.label_ja in text
    assert dialog.test_button.isEnabled()  # after saving a key, the same button works


def test_accounts_with_something_to_test_with_are_tested(qtbot) -> None:
    dialog, asked = dialog_with(
        qtbot,
        AccountRow(SAVED, current=True, saved=True),
        AccountRow(SES_CHAIN, current=False, saved=False),  # the standard chain needs nothing
    )
    for name in ("本番", "SES"):
        dialog.select(name)
        dialog.test_button.setEnabled(True)
        dialog.test_button.click()
    assert asked == ["本番", "SES"]


def test_the_edit_dialog_asks_for_a_key_before_testing(qtbot) -> None:
    from app.ui.accounts.edit_dialog import AccountEditDialog

    dialog = AccountEditDialog(None, saved_secrets={}, taken_names=("SendGrid",))
    qtbot.addWidget(dialog)
    tested: list[object] = []
    dialog.test_requested.connect(lambda account, typed: tested.append(typed))
    dialog.test_button.click()
    assert tested == []
    assert "入力してから" in dialog.test_result.text()
    dialog.secrets[ProviderName.SENDGRID]["api_key"].edit.setText("SG.typed")
    dialog.test_button.click()
    assert tested == [{"api_key": "SG.typed"}]


def test_the_edit_dialog_tests_with_the_saved_key(qtbot) -> None:
    from app.ui.accounts.edit_dialog import AccountEditDialog

    dialog = AccountEditDialog(SAVED, saved_secrets={"api_key": "SG.…abcd"}, taken_names=())
    qtbot.addWidget(dialog)
    tested: list[object] = []
    dialog.test_requested.connect(lambda account, typed: tested.append(typed))
    dialog.test_button.click()
    assert tested == [{}]  # nothing typed: the saved key is used
