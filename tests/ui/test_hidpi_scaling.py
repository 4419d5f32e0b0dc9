"""A Windows laptop at 200 % display scaling: 1920×1080 pixels, which Qt sees as a 960×540
screen (QT_SCALE_FACTOR=2 here, on the offscreen platform). The main window on every tab, the
ヘルプ notes and the delete confirmation must stay on that screen with their buttons in reach.

Before: the DMARC tab's charts made the window 595 px tall (its status bar below the screen's
edge), 使い方 opened 572 px tall with OK off-screen, and the delete confirmation for all five
lists was 561 px tall at least (875 px with returning addresses), 削除する off-screen."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers.app_process import run_driver, small_screen_env, window_driver

SCREEN = (0, 0, 960, 540)  # what Qt sees of 1920×1080 at 200 %


def scaled_env(tmp_path: Path) -> dict[str, str]:
    env = small_screen_env(tmp_path, 1920, 1080)
    env["QT_SCALE_FACTOR"] = "2"
    return env


def on_screen(rect: list[int]) -> bool:
    x, y, width, height = rect
    return x >= 0 and y >= 0 and x + width <= SCREEN[2] and y + height <= SCREEN[3]


WINDOW_REPORT = r"""
    import json
    from PySide6.QtCore import QPoint
    from PySide6.QtWidgets import QDialogButtonBox
    def settle():
        for _ in range(20):
            QApplication.processEvents()
    def corner(widget):
        point = widget.mapToGlobal(QPoint(widget.width() - 1, widget.height() - 1))
        return [point.x(), point.y()]
    result = {"screen": window.screen().availableGeometry().getRect(), "tabs": []}
    for index in range(window.tabs.count()):
        window.tabs.setCurrentIndex(index)
        settle()
        result["tabs"].append({
            "name": window.tabs.tabText(index),
            "frame": window.frameGeometry().getRect(),
            "least_height": window.minimumSizeHint().height(),
            "status_bar_corner": corner(window.statusBar()),
        })
    window.tabs.setCurrentIndex(0)
    window.window_actions.usage_action.trigger()
    settle()
    note = window.last_note
    ok = [b for b in note.findChildren(QDialogButtonBox)][0].buttons()[0]
    result["usage"] = {"frame": note.frameGeometry().getRect(), "ok_corner": corner(ok),
                       "ok_visible": ok.isVisible()}
    print("REPORT " + json.dumps(result), flush=True)
"""


def _report(stdout: str) -> dict:
    line = next(line for line in stdout.splitlines() if line.startswith("REPORT "))
    return json.loads(line.removeprefix("REPORT "))


def test_the_main_window_and_the_usage_note_fit_a_laptop_at_200_percent(tmp_path: Path) -> None:
    result = run_driver(window_driver(WINDOW_REPORT), scaled_env(tmp_path))
    assert result.returncode == 0, result.stderr[-2000:]
    report = _report(result.stdout)
    assert report["screen"] == list(SCREEN), report
    assert [tab["name"] for tab in report["tabs"]][2] == "DMARC"  # the tab that was too tall
    for tab in report["tabs"]:
        assert on_screen(tab["frame"]), tab
        assert tab["least_height"] <= SCREEN[3], tab
        x, y = tab["status_bar_corner"]
        assert x < SCREEN[2] and y < SCREEN[3], tab
    usage = report["usage"]
    assert on_screen(usage["frame"]), usage
    x, y = usage["ok_corner"]
    assert usage["ok_visible"] and x < SCREEN[2] and y < SCREEN[3], usage


CONFIRM_DRIVER = r"""
import json
from datetime import UTC, datetime
from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QApplication, QLabel
from app.core.deletion.plan import plan_deletion
from app.core.types import ALL_LISTS, Explanation, SuppressionEntry
from app.ui.delete.confirm_delete import ConfirmDeleteDialog

application = QApplication([])
created = datetime(2026, 11, 3, tzinfo=UTC)
explanation = Explanation("userunknown", "Invalid Address", True, "x", "y", "z")
plan = plan_deletion(
    (SuppressionEntry(kind, f"{kind.value}{n}@example.jp", created), explanation)
    for kind in ALL_LISTS
    for n in range(30)
)
returning = {
    f"bounces{n}@example.jp": ["再発: 3 回目です", "2026/10/01 バウンス", "2026/11/01 バウンス"]
    for n in range(10)
}
def corner(widget):
    point = widget.mapToGlobal(QPoint(widget.width() - 1, widget.height() - 1))
    return [point.x(), point.y()]
def lines_height(label):
    # How tall its lines are at its width, asked of a fresh label (no pinned minimum).
    fresh = QLabel(label.text())
    fresh.setFont(label.font())
    fresh.setWordWrap(True)
    return fresh.heightForWidth(label.width())
report = {}
for name, recurrences in (("five lists", None), ("returning addresses", returning)):
    dialog = ConfirmDeleteDialog(plan, practice=False, recurrences=recurrences)
    dialog.show()
    for _ in range(20):
        application.processEvents()
    report[name] = {
        "frame": dialog.frameGeometry().getRect(),
        "delete_corner": corner(dialog.delete_button),
        "cancel_corner": corner(dialog.cancel_button),
        "lines": [[label.height(), lines_height(label)] for label in dialog.warning_labels],
    }
    dialog.close()
print("REPORT " + json.dumps(report), flush=True)
"""


def test_the_delete_confirmation_keeps_its_buttons_on_a_laptop_at_200_percent(
    tmp_path: Path,
) -> None:
    result = run_driver(CONFIRM_DRIVER, scaled_env(tmp_path))
    assert result.returncode == 0, result.stderr[-2000:]
    report = _report(result.stdout)
    for name, dialog in report.items():
        assert on_screen(dialog["frame"]), (name, dialog)
        for button in ("delete_corner", "cancel_corner"):
            x, y = dialog[button]
            assert x < SCREEN[2] and y < SCREEN[3], (name, dialog)
        # Each warning exactly as tall as its lines: none cut, no blank lines between them.
        for height, needed in dialog["lines"]:
            assert height == needed, (name, dialog["lines"])
