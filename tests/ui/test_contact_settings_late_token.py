"""連絡の設定: the keyring's answer arrives after the dialog is shown and may be longer.

The dialog opens at once with 「トークンの保存先: …」 (one line) and was sized for it. Where
the OS has no credential store the answer is two lines long; the Zendesk page did not grow,
and its notes were squeezed below the height their lines need (31 px of 36 at 1024×600).
"""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from app.core.storage.settings import AppSettings
from app.ui.letters.settings_pages import PAGE_ZENDESK, ContactSettingsDialog
from app.ui.widgets.sentence_label import SentenceLabel

NO_STORE = "メモリ内（OS の資格情報ストアが使えないため、アプリを閉じると消えます）"


def test_the_late_store_note_gets_room_and_squeezes_no_note(qtbot: QtBot) -> None:
    dialog = ContactSettingsDialog(
        AppSettings(),
        saved_token="",
        key_store_where_ja="",
        practice=True,
        page=PAGE_ZENDESK,
        token_loading=True,
    )
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    page = dialog.zendesk_page
    page.show_saved_token("", NO_STORE)  # what the keyring job answers
    qtbot.wait(50)  # the relayout
    for label in [*page.findChildren(SentenceLabel), page.store_note]:
        assert label.height() >= label.heightForWidth(label.width()), label.text()


def test_opened_on_the_sender_page_the_zendesk_page_still_fits(qtbot: QtBot) -> None:
    dialog = ContactSettingsDialog(
        AppSettings(), saved_token="", key_store_where_ja="", practice=True, token_loading=True
    )
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    page = dialog.zendesk_page
    page.show_saved_token("", NO_STORE)
    dialog.tabs.setCurrentIndex(PAGE_ZENDESK)
    qtbot.wait(50)
    for label in [*page.findChildren(SentenceLabel), page.store_note]:
        assert label.height() >= label.heightForWidth(label.width()), label.text()
