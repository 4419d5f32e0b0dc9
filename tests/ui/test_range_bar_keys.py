"""The range bar from the keyboard: Enter fetches (a main window has no default button)."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Qt

from app.core.types import ListKind
from app.ui import texts
from app.ui.fetch.date_range import DateRangeBar

TODAY = date(2026, 12, 6)


def test_enter_in_a_date_field_fetches_the_typed_range(qtbot) -> None:
    bar = DateRangeBar(today=TODAY)
    qtbot.addWidget(bar)
    bar.show()
    edit = bar.start_edit
    edit.setFocus()
    edit.lineEdit().selectAll()
    qtbot.keyClicks(edit, "2026/11/01")
    with qtbot.waitSignal(bar.fetch_requested, timeout=10_000) as fetched:
        qtbot.keyClick(edit, Qt.Key.Key_Return)
    chosen, lists = fetched.args
    assert (chosen.start, chosen.end) == (date(2026, 11, 1), TODAY)
    assert edit.date() == QDate(2026, 11, 1)
    assert ListKind.BOUNCES in lists
    # From a list's box too (the keypad's Enter as well).
    box = bar.list_boxes[ListKind.BLOCKS]
    box.setFocus()
    with qtbot.waitSignal(bar.fetch_requested, timeout=10_000):
        qtbot.keyClick(box, Qt.Key.Key_Enter, Qt.KeyboardModifier.KeypadModifier)
    # Ctrl+Enter is not Enter.
    with qtbot.assertNotEmitted(bar.fetch_requested):
        qtbot.keyClick(box, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)


def test_enter_does_not_fetch_what_the_fetch_button_refuses(qtbot) -> None:
    bar = DateRangeBar(today=TODAY)
    qtbot.addWidget(bar)
    bar.show()
    for box in bar.list_boxes.values():
        box.setChecked(False)
    assert bar.range_error.text() == texts.NO_LIST_CHOSEN
    bar.start_edit.setFocus()
    with qtbot.assertNotEmitted(bar.fetch_requested):
        qtbot.keyClick(bar.start_edit, Qt.Key.Key_Return)
    bar.set_lists((ListKind.BOUNCES,))
    bar.set_busy(True)  # a fetch is running: Enter starts no second one
    with qtbot.assertNotEmitted(bar.fetch_requested):
        qtbot.keyClick(bar.start_edit, Qt.Key.Key_Return)


def test_enter_keeps_the_preset_while_its_dates_are_unchanged(qtbot) -> None:
    from app.core.dates import Preset

    bar = DateRangeBar(today=TODAY)
    qtbot.addWidget(bar)
    bar.show()
    bar.apply_preset(Preset.LAST_30_DAYS)
    bar.start_edit.setFocus()
    with qtbot.waitSignal(bar.fetch_requested, timeout=10_000):
        qtbot.keyClick(bar.start_edit, Qt.Key.Key_Return)
    assert bar.preset is Preset.LAST_30_DAYS
    assert bar.preset_combo.currentText() == Preset.LAST_30_DAYS.label_ja
    # A date typed by hand is no longer the preset.
    bar.start_edit.lineEdit().selectAll()
    qtbot.keyClicks(bar.start_edit, "2026/11/20")
    qtbot.keyClick(bar.start_edit, Qt.Key.Key_Return)
    assert bar.preset is None
    assert bar.preset_combo.currentIndex() == 0


def test_ctrl_a_then_a_whole_date_typed_fetches_that_date(qtbot) -> None:
    # What an operator does: click the field, Ctrl+A, type the date, Enter. Qt's own Ctrl+A
    # sent the digits to the year section: the typed date was dropped and Enter fetched the
    # range still shown.
    bar = DateRangeBar(today=TODAY)
    qtbot.addWidget(bar)
    bar.show()
    edit = bar.start_edit
    qtbot.mouseClick(edit.lineEdit(), Qt.MouseButton.LeftButton)
    qtbot.keyClick(edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    assert edit.lineEdit().selectedText() == edit.lineEdit().text()
    qtbot.keyClicks(edit, "2026/10/01")
    with qtbot.waitSignal(bar.fetch_requested, timeout=10_000) as fetched:
        qtbot.keyClick(edit, Qt.Key.Key_Return)
    chosen, _ = fetched.args
    assert chosen.start == date(2026, 10, 1)
    assert edit.date() == QDate(2026, 10, 1)
