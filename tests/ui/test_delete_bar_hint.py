"""The delete bar's count hint on a narrow window: cut at a whole sentence, never mid-phrase."""

from __future__ import annotations

from app.ui import texts
from app.ui.fetch.delete_bar import DeleteBar


def hint_bar(qtbot, width: int) -> DeleteBar:
    bar = DeleteBar()
    qtbot.addWidget(bar)
    bar.set_state(shown=10, checked=0, busy=False, available=True, highlighted=1)
    bar.resize(width, bar.sizeHint().height())
    bar.show()
    qtbot.waitExposed(bar)
    return bar


def test_the_whole_hint_where_there_is_room(qtbot) -> None:
    bar = hint_bar(qtbot, 1400)
    assert bar.checked_label.text() == texts.CHECKED_NONE_HIGHLIGHTED
    assert bar.checked_label.toolTip() == texts.CHECKED_NONE_HIGHLIGHTED


def test_a_narrow_bar_shows_the_first_sentence_and_an_ellipsis(qtbot) -> None:
    # About what the label gets in a 1024 px window. Before, the label was cut where the room
    # ended: 「チェック 0 件（色の付いた行は削除」 — "coloured rows are deleted".
    bar = hint_bar(qtbot, 820)
    label = bar.checked_label
    shown = label.text()
    assert label.fontMetrics().horizontalAdvance(shown) <= label.width()
    assert shown != texts.CHECKED_NONE_HIGHLIGHTED and shown.endswith("…"), shown
    assert shown.startswith("チェック 0 件（削除されるのは")
    assert label.toolTip() == texts.CHECKED_NONE_HIGHLIGHTED  # the whole text on hover
