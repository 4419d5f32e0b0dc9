"""送信元の情報: a domain or IP list that is not one is named under its field as it is typed,
is not saved, and a stored one never reaches a letter nor counts as filled in."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox
from pytestqt.qtbot import QtBot

from app.core.storage.settings import AppSettings
from app.ui.letters import letter_texts as texts
from app.ui.letters.settings_pages import PAGE_ZENDESK, ContactSettingsDialog
from tests.helpers.letters import (
    ALL_KINDS_FOR_POLISH,
    MUNICIPAL,
    SENDER_SETTINGS,
    classified,
    select_rows,
    with_sender_facts,
)


def _dialog(qtbot: QtBot, settings: AppSettings | None = None, page: int = 0):
    dialog = ContactSettingsDialog(
        settings or AppSettings(),
        saved_token="",
        key_store_where_ja="",
        practice=True,
        page=page,
        token_loading=True,
    )
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def _save(dialog: ContactSettingsDialog) -> None:
    dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()


def test_wrong_values_are_named_as_typed_and_not_saved(qtbot: QtBot) -> None:
    dialog = _dialog(qtbot)
    page = dialog.sender_page
    assert not page.domain_error.isVisible() and not page.ips_error.isVisible()
    qtbot.keyClicks(page.domain_edit, "not a domain")
    qtbot.keyClicks(page.ips_edit, "999.1.1.1, abc")
    assert page.domain_error.isVisible() and page.ips_error.isVisible()
    assert "ドメイン" in page.domain_error.text()
    assert "999.1.1.1" in page.ips_error.text() and "abc" in page.ips_error.text()
    # The message is plain text: the typed value comes back in it.
    assert page.ips_error.textFormat() == Qt.TextFormat.PlainText
    dialog.tabs.setCurrentIndex(PAGE_ZENDESK)
    _save(dialog)
    assert dialog.isVisible() and dialog.result() != QDialog.DialogCode.Accepted
    assert dialog.tabs.currentWidget() is page  # back where the red line is
    assert dialog.focusWidget() is page.domain_edit

    page.domain_edit.setText("送信.example.co.jp")  # an IDN is a domain
    assert not page.domain_error.isVisible()
    _save(dialog)
    assert dialog.isVisible() and dialog.focusWidget() is page.ips_edit
    page.ips_edit.setText("１９２．０．２．１０、2001:db8::10 198.51.100.0/28")
    assert not page.ips_error.isVisible()
    _save(dialog)
    assert dialog.result() == QDialog.DialogCode.Accepted
    saved = dialog.result_settings()
    assert saved.sender_domain == "送信.example.co.jp"
    assert saved.sender_ips == "192.0.2.10, 2001:db8::10, 198.51.100.0/28"


def test_a_stored_wrong_value_is_named_when_the_page_opens(qtbot: QtBot) -> None:
    dialog = _dialog(qtbot, AppSettings().replace(sender_domain="not a domain"))
    assert dialog.sender_page.domain_error.isVisible()
    assert not dialog.sender_page.ips_error.isVisible()


@pytest.fixture
def window(make_window):
    win = make_window(run_letter_dialog=lambda dialog: dialog.show())
    win.model.append(list(ALL_KINDS_FOR_POLISH), classified(*ALL_KINDS_FOR_POLISH))
    win.list_page.ensure_grid()
    return win


def test_a_stored_wrong_value_never_reaches_the_letter(window) -> None:
    """The review's case: 「not a domain」 and 「999.1.1.1, abc」 went into the letter to 札幌市
    and the dialog said 「送信元の情報はすべて入っています」."""
    keeper = window.controller.settings_keeper
    keeper.store(
        with_sender_facts(
            window.controller.settings,
            sender_domain="not a domain",
            sender_ips="999.1.1.1, abc",
        )
    )
    select_rows(window, MUNICIPAL.email)
    window.contact_actions.letters_action.trigger()
    dialog = window.controller.letters.dialog
    text = dialog.text.toPlainText()
    assert "not a domain" not in text and "999.1.1.1" not in text
    assert "【送信元ドメインを記入】" in text and "【送信元 IP アドレスを記入】" in text
    missing = dialog.missing_label.text()
    assert missing != texts.MISSING_NONE
    assert "形式が正しくないため" in missing and "not a domain" in missing

    keeper.store(with_sender_facts(window.controller.settings))
    dialog.set_choices(window.controller.letters.compose(window.controller.letters._pairs))
    assert dialog.missing_label.text() == texts.MISSING_NONE
    assert SENDER_SETTINGS["sender_domain"] in dialog.text.toPlainText()
