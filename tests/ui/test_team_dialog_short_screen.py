"""The 共有データベース dialog on a 1024×600 screen: every field keeps its own height (Qt squeezed
them to 16 px, the text touching the frame, when the dialog's minimum height came from its
wrapped notes at their widest), the dialog stays on the screen with 保存 in view, and a long
server message can be read to its end (the body scrolls)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers.app_process import run_driver, small_screen_env

DRIVER = r"""
import json
from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QApplication, QDialogButtonBox
from app.ui.team.settings_dialog import SharedDatabaseDialog, TeamValues

application = QApplication([])
dialog = SharedDatabaseDialog(TeamValues(), password_stored=False, keys_persistent=False)
dialog.show()
for _ in range(20):
    application.processEvents()
screen = dialog.screen().availableGeometry()
fields = (dialog.host_edit, dialog.port_spin, dialog.name_edit, dialog.user_edit,
          dialog.ssl_combo, dialog.password_edit)
squeezed = [type(f).__name__ for f in fields if f.height() < f.sizeHint().height()]
dialog.show_result(False, "接続できませんでした。" * 40 + "\n最後の行")
for _ in range(20):
    application.processEvents()
save = dialog.buttons.button(QDialogButtonBox.StandardButton.Save)
label = dialog.result_label
def on_screen(widget):
    corner = widget.mapToGlobal(QPoint(widget.width() - 1, widget.height() - 1))
    return widget.isVisible() and screen.contains(corner)
# (the scrolled body's viewport; the dialog itself before the body scrolled)
scroll = getattr(dialog, "_scroll", None)
viewport = scroll.viewport() if scroll is not None else dialog
bottom = label.mapTo(viewport, QPoint(0, label.height() - 1)).y()
print(json.dumps({
    "squeezed": squeezed,
    "dialog": dialog.frameGeometry().getRect(),
    "save_on_screen": on_screen(save),
    "label_whole": label.height() >= label.heightForWidth(label.width()),
    "label_bottom_in_view": 0 <= bottom < viewport.height(),
}), flush=True)
"""


def test_the_team_dialog_fits_a_1024x600_screen_and_shows_a_long_message(tmp_path: Path) -> None:
    result = run_driver(DRIVER, small_screen_env(tmp_path, 1024, 600))
    assert result.returncode == 0, result.stderr[-1500:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["squeezed"] == [], report
    _, y, _, height = report["dialog"]
    assert y >= 0 and y + height <= 600, report
    assert report["save_on_screen"], report
    assert report["label_whole"], report
    assert report["label_bottom_in_view"], report
