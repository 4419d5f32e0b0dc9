"""ConfirmDeleteDialog narrowed by the operator: the scrolling warnings stay readable.

The warnings scroll vertically only (no horizontal bar). Dragged narrower than the warnings'
heading, the box was wider than the visible area: 「削除する前に確認してくださ」 and every
warning line lost their right-hand characters (seen at 500 px wide on a 1024×600 screen).
"""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from app.core.types import ListKind
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
