"""ConfirmDeleteDialog narrowed by the operator: the scrolling warnings stay readable.

The warnings scroll vertically only (no horizontal bar). Dragged narrower than the warnings'
heading, the box was wider than the visible area: 「削除する前に確認してくださ」 and every
warning line lost their right-hand characters (seen at 500 px wide on a 1024×600 screen).
"""

from __future__ import annotations

from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from app.core.types import ListKind
from app.ui.delete.deletion_texts import CONFIRM_ADDRESSES
from tests.ui.test_confirm_delete import make_plan, open_dialog


def test_narrowed_the_warnings_are_never_wider_than_their_visible_area(qtbot: QtBot) -> None:
    dialog = open_dialog(qtbot, make_plan(3, ListKind.BOUNCES, permanent=True), practice=True)
    scroll = dialog.warnings_scroll
    assert scroll is not None
    dialog.resize(500, 450)  # what xdotool windowsize left; Qt keeps it above the minimum
    qtbot.wait(50)  # the resize and the labels' re-fitting
    frame = scroll.widget()
    assert frame.width() <= scroll.viewport().width()
    for label in dialog.warning_labels:
        assert label.geometry().right() < scroll.viewport().width()


def test_dragged_below_its_minimum_every_line_keeps_its_text(qtbot: QtBot) -> None:
    """Without a window manager a drag below the minimum width reaches Qt; Qt sets the dialog
    back to 527 px, but the event for the smaller width came last and the layout placed the
    parts for it: 「削除するアドレス（選択してコピーできます）」 lost its last character."""
    dialog = open_dialog(qtbot, make_plan(3, ListKind.BOUNCES, permanent=True), practice=True)
    minimum = dialog.minimumSizeHint().width()
    window = dialog.windowHandle()
    assert window is not None
    window.resize(minimum - 12, dialog.height())  # what xdotool windowsize asks the server
    qtbot.wait(50)
    assert dialog.width() == minimum
    (header,) = [
        label for label in dialog.findChildren(QLabel) if label.text() == CONFIRM_ADDRESSES
    ]
    assert header.width() >= header.fontMetrics().horizontalAdvance(header.text())
    assert header.geometry().right() < dialog.width()
    assert dialog.addresses.geometry().right() == header.geometry().right()
