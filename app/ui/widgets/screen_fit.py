"""Open a window at its preferred size, cut down to the free area of its screen.

A fixed first size (900×680 for 連絡文, 1000×640 for 削除履歴) is taller than a 1024×600 screen
and than a 1366×768 laptop at 125 % scaling (574 px free): the dialog's bottom row — コピー,
保存, 閉じる — opened below the screen's edge, with no window manager that would move it up.
"""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

# The window manager's title bar and borders, unknown before the window is shown.
TITLE_BAR_ALLOWANCE = 40


def resize_within_screen(widget: QWidget, width: int, height: int) -> None:
    """``widget.resize(width, height)``, no larger than its screen's free area allows (never
    below the widget's minimum size: Qt enforces that)."""
    screen = widget.screen()
    if screen is not None:
        free = screen.availableGeometry()
        width = min(width, free.width())
        height = min(height, free.height() - TITLE_BAR_ALLOWANCE)
    widget.resize(width, height)


def content_height(widget: QWidget, width: int) -> int:
    """The height ``widget``'s layout needs at ``width``: its wrapped labels reckoned for that
    width. A window's first size takes its size hint, whose wrapped labels are reckoned for
    a width Qt guesses: narrower than a minimum width, it is taller, and the surplus opened a
    blank band in the window."""
    layout = widget.layout()
    if layout is None:
        return widget.sizeHint().height()
    layout.activate()  # heights fitted since (FittedNote) are counted
    if layout.hasHeightForWidth():
        return layout.totalHeightForWidth(width)
    return layout.totalSizeHint().height()


def fit_height_to_content(window: QWidget) -> None:
    """Make ``window`` as tall as its content needs at its width (within its screen)."""
    resize_within_screen(window, window.width(), content_height(window, window.width()))
