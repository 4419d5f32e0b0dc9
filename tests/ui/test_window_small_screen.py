"""Start-up on an 800×600 screen (an old projector, a VM console, a remote desktop): the window
fits, and every main control is on screen or in reach of a scroll bar."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers.app_process import run_driver, small_screen_env

DRIVER = r"""
import json, sys
from PySide6.QtCore import QTimer, QPoint
from PySide6.QtWidgets import QApplication
import app.main as main

built = main.build_window
def inside(screen, widget):
    corner = widget.mapToGlobal(QPoint(widget.width() - 1, widget.height() - 1))
    return widget.isVisible() and screen.contains(corner)
def report():
    window = next(w for w in QApplication.topLevelWidgets() if type(w).__name__ == "MainWindow")
    screen = window.screen().availableGeometry()
    bar = window.list_page.delete_bar
    scroller = bar.parentWidget().parentWidget()  # the scroll area's viewport, then the area
    print(json.dumps({
        "screen": screen.getRect(), "window": window.frameGeometry().getRect(),
        "minimum": window.minimumSizeHint().toTuple(),
        "fetch_button_inside": inside(screen, window.range_bar.fetch_button),
        "export_button_inside": inside(screen, window.list_page.export_button),
        "account_bar_inside": inside(screen, window.account_bar),
        "delete_bar_scrolls": scroller.horizontalScrollBar().isVisible()
            and scroller.horizontalScrollBar().maximum() > 0,
        "delete_bar_full_width": bar.width() >= bar.minimumSizeHint().width(),
    }), flush=True)
    QApplication.quit()
def build(*args, **kwargs):
    result = built(*args, **kwargs)
    QTimer.singleShot(1500, report)
    return result
main.build_window = build
sys.exit(main.run([]))
"""


def test_window_fits_an_800x600_screen(tmp_path: Path) -> None:
    env = small_screen_env(tmp_path, 800, 600)
    result = run_driver(DRIVER, env)
    assert result.returncode == 0, result.stderr[-1500:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    _, _, width, height = report["window"]
    # Before the fix: the window opened 1280 px wide (minimum width 932, set by the delete bar)
    # on an 800 px screen, so 取得, 書き出し, チェックした項目を削除 and the account bar were
    # off-screen and the window could not be shrunk to reach them.
    assert width <= 800 and height <= 600, report
    assert report["minimum"][0] <= 800, report
    assert report["fetch_button_inside"], report
    assert report["export_button_inside"], report
    assert report["account_bar_inside"], report
    # The delete bar keeps its buttons whole and scrolls to チェックした項目を削除.
    assert report["delete_bar_scrolls"] and report["delete_bar_full_width"], report
