"""ErrorDetailsDialog: with 詳細 folded, its lines sit together, the room left below them.

The dialog opens 640×420 for the details' text box; folded, that height was shared among
the message, 次にすること and the log line, each then centred in a band three times its
height, with wide blank bands between them (seen at 1024×600, 1366×768 and 200 %).
"""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from app.ui.dialogs.error_details import ErrorDetailsDialog
from app.ui.widgets.sentence_label import SentenceLabel

MESSAGE = "SendGrid に接続できませんでした。インターネット接続を確認してください。"
NEXT_STEP = "設定画面でベース URL が正しいか確かめてから、もう一度「取得」を押してください。"


def _open(qtbot: QtBot) -> ErrorDetailsDialog:
    dialog = ErrorDetailsDialog(MESSAGE, NEXT_STEP, "Traceback …", "/tmp/todoku.log")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_folded_the_next_step_is_as_tall_as_its_lines(qtbot: QtBot) -> None:
    dialog = _open(qtbot)
    (next_step,) = dialog.findChildren(SentenceLabel)
    assert next_step.height() <= next_step.heightForWidth(next_step.width()) + 2
    assert dialog.toggle_button.y() < dialog.height() // 2  # the blank room is below


def test_unfolded_the_details_take_the_room(qtbot: QtBot) -> None:
    dialog = _open(qtbot)
    dialog.toggle_button.click()
    qtbot.wait(50)
    free = dialog.height() - dialog.toggle_button.geometry().bottom()
    assert dialog.detail_text.height() > free // 2
