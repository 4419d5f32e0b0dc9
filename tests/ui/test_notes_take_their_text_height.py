"""Wrapped notes are as tall as their lines at the width they get: no blank band under them,
and never cut off when their dialog is dragged to its minimum size.

A word-wrapped label's size hint is reckoned for a width Qt guesses (about 240 px): 履歴の設定's
hint got three lines' height (54 px) for its two lines of text, and so did the Zendesk page's
「トークンの保存先」; the Zendesk result dialog at its minimum size showed two of its note's lines.
"""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from app.core.storage.settings import AppSettings
from app.core.zendesk.tickets import TicketOutcome
from app.ui.history.settings_dialog import HistorySettingsDialog
from app.ui.letters.settings_pages import PAGE_ZENDESK, ContactSettingsDialog
from app.ui.letters.ticket_dialogs import TicketResultDialog
from app.ui.widgets.sentence_label import SentenceLabel

NO_STORE = "メモリ内（OS の資格情報ストアが使えないため、アプリを閉じると消えます）"


def test_history_settings_hint_has_no_blank_band(qtbot: QtBot) -> None:
    dialog = HistorySettingsDialog(400, confirm_erase=lambda parent, text: False)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.wait(20)  # the relayout after the note's height is fitted
    (hint,) = dialog.findChildren(SentenceLabel)
    assert hint.heightForWidth(hint.width()) < 3 * hint.fontMetrics().lineSpacing()  # 2 lines
    assert hint.height() == hint.heightForWidth(hint.width())
    group = dialog.erase_edit.parentWidget()
    below_hint = group.y() - hint.geometry().bottom() - 1
    assert below_hint <= dialog.layout().spacing() + 1  # the layout's gap, not a blank band


def test_zendesk_store_note_has_no_blank_band(qtbot: QtBot) -> None:
    dialog = ContactSettingsDialog(
        AppSettings(),
        saved_token="",
        key_store_where_ja=NO_STORE,
        practice=True,
        page=PAGE_ZENDESK,
    )
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.wait(20)
    page = dialog.zendesk_page
    note = page.store_note
    assert note.heightForWidth(note.width()) < 3 * note.fontMetrics().lineSpacing()  # 2 lines
    for label in [note, *page.findChildren(SentenceLabel)]:
        assert label.height() == label.heightForWidth(label.width()), label.text()
    spacing = page.layout().verticalSpacing()
    assert page.requester_check.y() - note.geometry().bottom() - 1 <= spacing + 1
    # and the spare room did not move to the page's foot
    last_row = max(page.test_button.geometry().bottom(), page.test_result.geometry().bottom())
    below_last_row = page.height() - last_row - 1
    spare = below_last_row - page.layout().contentsMargins().bottom()
    assert spare < note.fontMetrics().lineSpacing() // 2  # (a pixel or two of the tab frame)


def test_ticket_result_at_its_minimum_size_shows_the_whole_note(qtbot: QtBot) -> None:
    url = "http://127.0.0.1:41885/agent/tickets/1"  # a practice ticket: the longest note
    dialog = TicketResultDialog([TicketOutcome(1, url, True, ("a@example.jp",))], cancelled=False)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.resize(1, 1)  # dragged as small as it goes: Qt keeps it at its minimum size
    qtbot.wait(50)
    note = dialog.note
    assert note.height() >= note.heightForWidth(note.width())
    assert (
        note.geometry().bottom()
        < dialog.copy_button.mapTo(dialog, dialog.copy_button.rect().topLeft()).y()
    )
