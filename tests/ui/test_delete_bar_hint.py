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


def test_a_narrow_bar_shows_a_shorter_wording_that_fits(qtbot) -> None:
    # Before, the label was cut where the room ended: 「チェック 0 件（色の付いた行は削除」 —
    # "coloured rows are deleted".
    bar = hint_bar(qtbot, 820)
    label = bar.checked_label
    shown = label.text()
    assert label.fontMetrics().horizontalAdvance(shown) <= label.width()
    assert shown in texts.CHECKED_NONE_HIGHLIGHTED_SHORTER, shown
    assert label.toolTip() == texts.CHECKED_NONE_HIGHLIGHTED  # the whole text on hover


def test_narrower_than_every_wording_it_still_ends_in_an_ellipsis(qtbot) -> None:
    bar = hint_bar(qtbot, 400)
    label = bar.checked_label
    label.resize(
        label.fontMetrics().horizontalAdvance(texts.CHECKED_NONE_HIGHLIGHTED_SHORTER[-1]) - 5,
        label.height(),
    )
    shown = label.text()
    assert shown.endswith("…") and label.fontMetrics().horizontalAdvance(shown) <= label.width()


def test_a_1024_window_keeps_the_point_of_the_hint(qtbot, make_window, tmp_path) -> None:
    """At 1024 px the bar kept 「チェック 0 件（削除されるのは…」: what is deleted was cut off.
    A shorter wording that fits is shown instead; the tooltip keeps the whole hint."""
    from PySide6.QtCore import QItemSelectionModel

    from app.core.storage.journal import DeletionJournal
    from app.ui.models.entry_table import Column
    from tests.helpers.ui import fetch

    window = make_window(journal=DeletionJournal(tmp_path / "journal.sqlite3"))
    window.resize(1024, 600)
    fetch(qtbot, window)
    window.table.selectionModel().select(
        window.model.index(2, Column.EMAIL),
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
    )
    qtbot.wait(20)
    label = window.list_page.delete_bar.checked_label
    assert window.width() <= 1024
    shown = label.text()
    assert "チェックした行だけ" in shown and not shown.endswith("…"), shown
    assert label.fontMetrics().horizontalAdvance(shown) <= label.width()
    assert label.toolTip() == texts.CHECKED_NONE_HIGHLIGHTED
