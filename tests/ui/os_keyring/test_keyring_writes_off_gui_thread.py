"""Saving a key or password writes the OS keyring in a job, not on the GUI thread, and a keyring
that refuses the write is named in Japanese while the dialog keeps what was typed.

A slow keyring (the Secret Service waiting for its unlock prompt, D-Bus giving up after 25 s)
held the event loop for as long as the write took; a locked one made the store fall back to
memory without a word, so the key was gone at the next start.

Each test holds the keyring's calls until the GUI thread's event loop has run while they were in
flight (tests/helpers/os_keyring.py): a call made on the GUI thread, or one the GUI thread waits
for without running its event loop, fails the test however fast or busy the machine is."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QDialog, QDialogButtonBox

from app.core.storage.secrets import LLM_KEY, SENDGRID_KEY, SERVICE_NAME
from app.ui import texts
from tests.helpers.dovecot_server import DovecotServer, running_dovecot
from tests.helpers.ui import FETCH_TIMEOUT_MS, TEST_KEY

LLM_TYPED = "sk-typed-llm-key-0042"


def click_save(dialog) -> None:
    dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()


def test_saving_keys_in_settings_writes_the_keyring_in_a_job(
    qtbot, make_window, secrets, os_keyring
) -> None:
    seen: dict[str, object] = {}

    def run_dialog(dialog) -> bool:
        qtbot.addWidget(dialog)
        qtbot.waitUntil(lambda: not dialog.keys_loading, timeout=5000)
        if not seen:  # the first opening only builds the dialog (its module's first import)
            seen["warmed"] = True
            return False
        dialog.key_edit.setText(TEST_KEY)
        dialog.llm_key_edit.setText(LLM_TYPED)
        click_save(dialog)
        seen["result"] = dialog.result()
        return dialog.result() == QDialog.DialogCode.Accepted

    window = make_window(run_settings_dialog=run_dialog)
    window.window_actions.settings_action.trigger()
    os_keyring.hold_writes = True

    window.window_actions.settings_action.trigger()
    qtbot.waitUntil(lambda: "result" in seen, timeout=5000)
    # Found: ~1.5 s: SettingsFlow.open → ConnectionController.save_settings → keyring writes.
    os_keyring.assert_gui_ran_during_held_calls(at_least=2)  # the two keys
    assert seen["result"] == QDialog.DialogCode.Accepted
    assert os_keyring.values[(SERVICE_NAME, SENDGRID_KEY)] == TEST_KEY
    assert os_keyring.values[(SERVICE_NAME, LLM_KEY)] == LLM_TYPED
    assert secrets.persistent


def test_a_locked_keyring_at_save_is_named_and_the_dialog_keeps_what_was_typed(
    qtbot, make_window, secrets, os_keyring
) -> None:
    seen: dict[str, object] = {}

    def run_dialog(dialog) -> bool:
        qtbot.addWidget(dialog)
        qtbot.waitUntil(lambda: not dialog.keys_loading, timeout=5000)
        dialog.key_edit.setText(TEST_KEY)
        os_keyring.locked = True
        click_save(dialog)
        seen["refused"] = dialog.save_error.text()
        seen["shown"] = not dialog.save_error.isHidden()
        seen["after_refusal"] = dialog.result()
        seen["kept"] = dialog.key_edit.text()
        os_keyring.locked = False  # unlocked: 保存 once more reaches the keyring
        click_save(dialog)
        return dialog.result() == QDialog.DialogCode.Accepted

    window = make_window(run_settings_dialog=run_dialog)
    window.window_actions.settings_action.trigger()

    assert "保存できませんでした" in str(seen["refused"]), seen
    assert seen["shown"]
    assert seen["after_refusal"] != QDialog.DialogCode.Accepted  # still open
    assert seen["kept"] == TEST_KEY
    # The refusal did not switch the session to memory: the retry went to the keyring.
    assert os_keyring.values[(SERVICE_NAME, SENDGRID_KEY)] == TEST_KEY
    assert secrets.persistent
    assert window.controller.connection.masked_key.endswith(TEST_KEY[-4:])
    assert texts.SETTINGS_SAVING_KEYS not in str(seen["refused"])


# -- DMARC: the IMAP dialog --------------------------------------------------------------------


def test_the_imap_dialog_opens_before_the_keyring_says_a_password_is_stored(
    qtbot, make_window, secrets, os_keyring
) -> None:
    from app.core.dmarc.imap_source import IMAP_PASSWORD_SECRET
    from app.ui.dmarc import texts as dmarc_texts

    secrets.set(IMAP_PASSWORD_SECRET, "imap-password-0007")
    window = make_window()
    tab = window.dmarc_tab
    seen: list[str] = []

    def look(dialog):
        seen.append(dialog.password_edit.placeholderText())
        qtbot.waitUntil(
            lambda: dialog.password_edit.placeholderText() == dmarc_texts.IMAP_PASSWORD_KEPT,
            timeout=5000,
        )
        return None

    tab.run_imap_dialog = look
    os_keyring.hold_reads = True

    tab.imap_button.click()
    qtbot.waitUntil(lambda: len(seen) == 1, timeout=5000)
    # Found: ~1.5 s: DmarcTab._on_imap_clicked → has_stored_password → keyring, on the GUI thread.
    os_keyring.assert_gui_ran_during_held_calls()
    assert seen == [dmarc_texts.IMAP_PASSWORD_CHECKING]


@pytest.fixture(scope="module")
def dovecot() -> Iterator[DovecotServer]:
    yield from running_dovecot()


def test_an_imap_password_is_written_in_the_import_job_and_a_refusal_is_named(
    qtbot, make_window, secrets, os_keyring, dovecot
) -> None:
    from app.core.dmarc.imap_source import IMAP_PASSWORD_SECRET, ImapSettings
    from app.ui.dmarc import texts as dmarc_texts

    window = make_window()
    dmarc = window.controller.dmarc
    errors: list = []
    dmarc.failed.connect(errors.append)
    settings = ImapSettings(
        host="127.0.0.1",
        username=dovecot.username,
        port=dovecot.port,
        cafile=dovecot.cert,
        timeout=5.0,
    )
    os_keyring.hold_writes = True
    dmarc.import_mailbox(settings, dovecot.password)
    qtbot.waitUntil(lambda: dmarc.job is None, timeout=FETCH_TIMEOUT_MS)
    # Found: ~1.5 s: DmarcController.on_succeeded wrote the password on the GUI thread.
    os_keyring.assert_gui_ran_during_held_calls()
    assert not errors, errors
    assert os_keyring.values[(SERVICE_NAME, IMAP_PASSWORD_SECRET)] == dovecot.password

    os_keyring.hold_writes, os_keyring.locked = False, True
    os_keyring.values.clear()
    dmarc.import_mailbox(settings, dovecot.password)
    qtbot.waitUntil(lambda: dmarc.job is None, timeout=FETCH_TIMEOUT_MS)
    assert dmarc.current is not None  # the reports are in
    assert [e.message_ja for e in errors] == [dmarc_texts.IMAP_PASSWORD_UNSAVED]
    assert secrets.persistent  # not switched to memory: the next try reaches the keyring


# -- 共有データベース ------------------------------------------------------------------------------


def test_the_shared_database_dialog_reads_and_writes_the_password_in_jobs(
    qtbot, make_window, secrets, os_keyring
) -> None:
    from app.core.storage.team.connection import shared_db_password_key
    from app.ui.team import team_texts

    window = make_window()
    team = window.controller.team
    key = shared_db_password_key("suzuki", "db.example.jp")
    secrets.set(key, "old-password-0001")
    keeper = team._keeper
    keeper.store(keeper.current.replace(shared_db_host="db.example.jp", shared_db_user="suzuki"))
    seen: dict[str, object] = {}

    def answer(dialog):
        qtbot.addWidget(dialog)
        seen["opened"] = dialog.password_edit.placeholderText()
        qtbot.waitUntil(lambda: dialog.password_stored is True, timeout=5000)
        dialog.password_edit.setText("new-password-0002")
        os_keyring.hold_writes, os_keyring.locked = False, True
        dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
        seen["refused"] = dialog.result_label.text()
        seen["kept"] = dialog.password_edit.text()
        seen["after_refusal"] = dialog.result()
        os_keyring.locked, os_keyring.hold_writes = False, True
        dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
        return dialog.result()

    team._run_dialog = answer
    os_keyring.hold_reads = True
    seen.update(saved=team.open_settings(window))
    qtbot.waitUntil(lambda: "saved" in seen, timeout=10_000)
    # Found: ~1.5 s to open (the stored-password read) and ~1.5 s to save (the write).
    os_keyring.assert_gui_ran_during_held_calls(at_least=2)
    assert seen["opened"] == team_texts.PASSWORD_CHECKING
    assert "保存できませんでした" in str(seen["refused"])
    assert seen["kept"] == "new-password-0002"
    assert seen["after_refusal"] != QDialog.DialogCode.Accepted
    assert seen["saved"] is True
    assert os_keyring.values[(SERVICE_NAME, key)] == "new-password-0002"


# -- 送信元の情報 / Zendesk: the API token ------------------------------------------------------


def test_the_zendesk_token_is_written_in_a_job_and_a_refusal_keeps_the_dialog_open(
    qtbot, make_window, secrets, os_keyring
) -> None:
    from app.core.storage.secrets import ZENDESK_TOKEN

    token = "zendesk-token-typed-5678"
    seen: dict[str, object] = {}

    def run_settings(dialog) -> bool:
        qtbot.addWidget(dialog)
        page = dialog.zendesk_page
        qtbot.waitUntil(lambda: not page.token_loading, timeout=5000)
        page.token_edit.setText(token)
        os_keyring.locked = True
        click_save(dialog)
        seen["refused"] = dialog.save_error.text()
        seen["kept"] = page.token_edit.text()
        seen["after_refusal"] = dialog.result()
        os_keyring.locked, os_keyring.hold_writes = False, True
        click_save(dialog)
        return dialog.result() == QDialog.DialogCode.Accepted

    window = make_window(run_contact_settings=run_settings)
    window.contact_actions.settings_action.trigger()
    qtbot.waitUntil(lambda: "refused" in seen, timeout=5000)
    # Found: ~1.5 s: LettersController.open_settings wrote the token on the GUI thread.
    os_keyring.assert_gui_ran_during_held_calls()
    assert "保存できませんでした" in str(seen["refused"])
    assert seen["kept"] == token
    assert seen["after_refusal"] != QDialog.DialogCode.Accepted
    qtbot.waitUntil(lambda: (SERVICE_NAME, ZENDESK_TOKEN) in os_keyring.values, timeout=5000)
    assert os_keyring.values[(SERVICE_NAME, ZENDESK_TOKEN)] == token
    assert secrets.persistent
