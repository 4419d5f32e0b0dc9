"""アカウントの管理 writes and removes an account's credentials in a job, not on the GUI thread,
and a keyring that refuses is named in Japanese with nothing lost: the edit dialog stays open as
typed and the account's settings are stored only together with its secrets; a removal the
keyring refuses leaves the account (and its secrets) in place.

A slow keyring (the Secret Service waiting for its unlock prompt, D-Bus giving up after 25 s)
held the event loop for as long as the write took; a locked one made the store fall back to
memory without a word, so the secret was gone at the next start (or, on removal, left behind
in the keyring under an account that no longer existed)."""

from __future__ import annotations

import json

from PySide6.QtCore import QTimer

from app.core.accounts import Account, ProviderName
from app.core.storage.secrets import SERVICE_NAME
from app.ui.accounts import account_texts
from app.ui.accounts.edit_dialog import AccountEditDialog
from app.ui.accounts.manage_dialog import AccountsDialog
from app.ui.accounts.manage_flow import AccountsFlow
from tests.ui.os_keyring.test_keyring_writes_off_gui_thread import click_save

# Each held write stays in flight this long after the event loop has turned, so the look at
# 500 ms sees the progress the dialog shows meanwhile.
DELAY_S = 1.5

INFOBIP_URL = "https://example.api.infobip.com"
TYPED_KEY = "ib-key-typed-0042"
OLD_KEY = "ib-key-saved-0001"


def started_window(qtbot, make_window):
    """The window once its start-up work is done (the later features are built just after
    the first paint, importing a dozen modules): that stall is not the keyring's."""
    window = make_window()
    qtbot.waitUntil(lambda: window.controller.later_built, timeout=10_000)
    qtbot.wait(300)
    return window


def fill_infobip(dialog: AccountEditDialog, name: str = "Infobip本番") -> None:
    dialog.provider_combo.setCurrentIndex(dialog.provider_combo.findData("infobip"))
    dialog.name_edit.setText(name)
    dialog.infobip_url.setText(INFOBIP_URL)
    dialog.secrets[ProviderName.INFOBIP]["api_key"].edit.setText(TYPED_KEY)


def stored_names(window) -> list[str]:
    path = window.controller.settings_keeper.path
    if not path.exists():  # nothing saved yet
        return []
    text = path.read_text(encoding="utf-8")
    return [a["name"] for a in json.loads(text).get("accounts", [])]


def keyring_value(os_keyring, account: Account, field: str) -> str | None:
    return os_keyring.values.get((SERVICE_NAME, account.secret_name(field)))


def look_later(seen: dict, ms: int, **widgets) -> None:
    """Note, ``ms`` from now, the text and enabled state of each widget (given as a function
    returning it): the progress shown while the keyring writes."""

    def look() -> None:
        for name, widget in widgets.items():
            try:
                shown = widget()
                seen[name] = (getattr(shown, "text", str)(), shown.isEnabled())
            except (RuntimeError, AttributeError):  # the dialog had closed, or has no such part
                seen[name] = None

    QTimer.singleShot(ms, look)


def test_adding_an_account_writes_its_key_in_a_job_and_says_so(
    qtbot, make_window, secrets, os_keyring
) -> None:
    window = started_window(qtbot, make_window)
    accounts = window.controller.accounts
    seen: dict[str, object] = {}

    def run_edit(dialog: AccountEditDialog) -> bool:
        fill_infobip(dialog)
        look_later(seen, 500, label=lambda: dialog.save_error, buttons=lambda: dialog.buttons)
        click_save(dialog)
        seen["result"] = dialog.result()
        return dialog.result() == dialog.DialogCode.Accepted

    flow = AccountsFlow(accounts, run_edit=run_edit)
    os_keyring.hold_writes = True
    os_keyring.write_delay_s = DELAY_S

    flow.add()
    qtbot.waitUntil(lambda: "result" in seen, timeout=10000)
    # Found: AccountsFlow._edit → AccountsController.save_account → keyring, on the GUI thread.
    os_keyring.assert_gui_ran_during_held_calls()
    assert seen["label"] == (account_texts.SAVING_CREDENTIALS, True), seen
    assert seen["buttons"] is not None and seen["buttons"][1] is False  # 保存 / キャンセル held
    assert seen["result"] == AccountEditDialog.DialogCode.Accepted
    account = next(a for a in accounts.accounts() if a.name == "Infobip本番")
    assert keyring_value(os_keyring, account, "api_key") == TYPED_KEY
    assert "Infobip本番" in stored_names(window)
    assert secrets.persistent


def test_a_locked_keyring_keeps_the_new_account_in_the_dialog_and_out_of_the_settings(
    qtbot, make_window, secrets, os_keyring
) -> None:
    window = started_window(qtbot, make_window)
    accounts = window.controller.accounts
    seen: dict[str, object] = {}

    def run_edit(dialog: AccountEditDialog) -> bool:
        fill_infobip(dialog)
        os_keyring.locked = True
        click_save(dialog)
        seen["refused"] = dialog.save_error.text()
        seen["shown"] = not dialog.save_error.isHidden()
        seen["after_refusal"] = dialog.result()
        seen["kept"] = (
            dialog.name_edit.text(),
            dialog.infobip_url.text(),
            dialog.secrets[ProviderName.INFOBIP]["api_key"].text(),
        )
        seen["accounts"] = [a.name for a in accounts.accounts()]
        seen["stored"] = stored_names(window)
        os_keyring.locked = False  # unlocked: 保存 once more reaches the keyring
        click_save(dialog)
        return dialog.result() == dialog.DialogCode.Accepted

    assert AccountsFlow(accounts, run_edit=run_edit).add()

    assert "保存できませんでした" in str(seen["refused"]), seen
    assert seen["shown"]
    assert seen["after_refusal"] != AccountEditDialog.DialogCode.Accepted  # still open
    assert seen["kept"] == ("Infobip本番", INFOBIP_URL, TYPED_KEY)
    # Not half-saved: without its key the account was neither listed nor written to the file.
    assert seen["accounts"] == ["SendGrid"]
    assert "Infobip本番" not in seen["stored"]
    # The refusal did not switch the session to memory: the retry went to the keyring.
    assert secrets.persistent
    account = next(a for a in accounts.accounts() if a.name == "Infobip本番")
    assert keyring_value(os_keyring, account, "api_key") == TYPED_KEY
    assert "Infobip本番" in stored_names(window)


def test_an_edit_the_keyring_refuses_leaves_the_saved_account_as_it_was(
    qtbot, make_window, secrets, os_keyring
) -> None:
    window = started_window(qtbot, make_window)
    accounts = window.controller.accounts
    ses = Account("SES東京", ProviderName.SES, region="ap-northeast-1", aws_credentials="keys")
    pair = {"access_key_id": "AKIASAVED0000001", "secret_access_key": "ses-saved-secret-01"}
    for field, value in pair.items():
        secrets.set(ses.secret_name(field), value)
    accounts.settings.store(accounts.settings.current.replace(accounts=(ses,)))
    seen: dict[str, object] = {}

    def run_edit(dialog: AccountEditDialog) -> bool:
        dialog.ses_region.setCurrentText("us-east-1")
        dialog.ses_chain.setChecked(True)  # the key pair leaves the keyring: refused
        os_keyring.locked = True
        click_save(dialog)
        seen["refused"] = dialog.save_error.text()
        seen["after_refusal"] = dialog.result()
        os_keyring.locked = False
        dialog.reject()  # the operator gives up
        return False

    flow = AccountsFlow(accounts, run_edit=run_edit)
    flow.edit("SES東京")  # the masks are read in a job first
    qtbot.waitUntil(lambda: "after_refusal" in seen, timeout=5000)

    assert "保存できませんでした" in str(seen["refused"]), seen
    assert seen["after_refusal"] != AccountEditDialog.DialogCode.Accepted
    assert accounts.accounts()[1] == ses  # region and key source as before
    for field, value in pair.items():
        assert keyring_value(os_keyring, ses, field) == value
    assert secrets.persistent


def _manage_dialog(qtbot, flow: AccountsFlow, name: str) -> AccountsDialog:
    dialog = AccountsDialog(flow.rows())
    qtbot.addWidget(dialog)
    flow.dialog = dialog
    dialog.remove_requested.connect(flow.remove)
    dialog.select(name)
    return dialog


def test_removing_an_account_forgets_its_key_in_a_job(
    qtbot, make_window, secrets, os_keyring
) -> None:
    window = started_window(qtbot, make_window)
    accounts = window.controller.accounts
    account = Account("Infobip本番", ProviderName.INFOBIP, base_url=INFOBIP_URL)
    secrets.set(account.secret_name("api_key"), OLD_KEY)
    accounts.settings.store(accounts.settings.current.replace(accounts=(account,)))
    flow = AccountsFlow(accounts, confirm_remove=lambda name, parent: True)
    dialog = _manage_dialog(qtbot, flow, account.name)
    seen: dict[str, object] = {}
    os_keyring.hold_writes = True
    os_keyring.write_delay_s = DELAY_S

    def click() -> None:
        look_later(
            seen, 500, label=lambda: dialog.result_label, buttons=lambda: dialog.remove_button
        )
        dialog.remove_button.click()
        seen["clicked"] = True

    click()
    qtbot.waitUntil(lambda: "clicked" in seen, timeout=10000)
    # Found: AccountsController.remove_account → forget_credentials, on the GUI thread.
    os_keyring.assert_gui_ran_during_held_calls()
    assert seen["label"] == (account_texts.REMOVING_CREDENTIALS, True), seen
    assert seen["buttons"] == (account_texts.REMOVE, False)
    assert keyring_value(os_keyring, account, "api_key") is None
    assert [a.name for a in accounts.accounts()] == ["SendGrid"]
    flow.dialog = None


def test_a_removal_the_keyring_refuses_keeps_the_account_and_says_so(
    qtbot, make_window, secrets, os_keyring
) -> None:
    window = started_window(qtbot, make_window)
    accounts = window.controller.accounts
    account = Account("Infobip本番", ProviderName.INFOBIP, base_url=INFOBIP_URL)
    secrets.set(account.secret_name("api_key"), OLD_KEY)
    accounts.settings.store(accounts.settings.current.replace(accounts=(account,)))
    assert accounts.switch(account.name)
    flow = AccountsFlow(accounts, confirm_remove=lambda name, parent: True)
    dialog = _manage_dialog(qtbot, flow, account.name)
    os_keyring.locked = True

    dialog.remove_button.click()

    text = dialog.result_label.text()
    assert "削除できませんでした" in text and "Infobip本番" in text, text
    assert not dialog.result_label.isHidden()
    # The account, its key and the window's place on it all stay: 削除 can be pressed again.
    assert [a.name for a in accounts.accounts()] == ["SendGrid", "Infobip本番"]
    assert "Infobip本番" in stored_names(window)
    assert accounts.current.name == "Infobip本番"
    assert os_keyring.values[(SERVICE_NAME, account.secret_name("api_key"))] == OLD_KEY
    assert secrets.persistent
    assert dialog.remove_button.isEnabled()

    os_keyring.locked = False
    dialog.remove_button.click()
    assert keyring_value(os_keyring, account, "api_key") is None
    assert [a.name for a in accounts.accounts()] == ["SendGrid"]
    assert accounts.current.is_default
    flow.dialog = None
