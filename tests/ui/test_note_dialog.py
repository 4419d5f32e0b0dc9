"""NoteDialog (the ヘルプ menu's notes): a table of keys keeps each row on one line.

At the note's usual width (34 full-width characters) the row 「Alt+F など → メニューを開く
（…選べます）」 wrapped, and its last characters 「す）」 went to the start of the next line,
under the keys, where they read as a key of their own (seen at 1024×600).
"""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from app.ui import texts
from app.ui.dialogs.note_dialog import NoteDialog


def _wraps(dialog: NoteDialog) -> bool:
    """Whether a line of the note breaks at the width it is shown at (taller than unbroken)."""
    label = dialog.label
    return label.heightForWidth(label.width()) > label.heightForWidth(10_000)


def test_each_shortcut_stays_on_one_line(qtbot: QtBot) -> None:
    dialog = NoteDialog(texts.SHORTCUTS_TITLE, texts.SHORTCUTS_TEXT)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert not _wraps(dialog)
    assert dialog.frameGeometry().width() <= dialog.screen().availableGeometry().width()


def test_a_note_of_sentences_keeps_its_reading_width(qtbot: QtBot) -> None:
    """Only a table widens: 使い方's paragraphs still wrap at about 34 characters."""
    dialog = NoteDialog(texts.USAGE_TITLE, texts.USAGE_TEXT)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    full_width = dialog.label.fontMetrics().horizontalAdvance("あ")
    assert dialog.label.width() < 40 * full_width
    assert _wraps(dialog)
