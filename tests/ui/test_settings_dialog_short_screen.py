"""The settings dialog on a short screen (a 1366×768 laptop at 125 % scaling leaves 1093×574
after the task bar): with every section open and a failed 接続テスト, the dialog stays on the
screen, 保存 and キャンセル stay in view, and the test's message is whole (the sections scroll)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers.app_process import run_driver, small_screen_env

DRIVER = r"""
import json, sys
from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QApplication, QDialogButtonBox
from app.core.errors import AuthError
from app.core.storage.settings import AppSettings
from app.ui.connection.settings_dialog import SettingsDialog

application = QApplication([])
dialog = SettingsDialog(
    AppSettings(sendgrid_base_url="http://127.0.0.1:9"),
    saved_sendgrid_key="",
    saved_llm_key="",
    keys_persistent=False,
    key_store_where_ja="メモリ内",
)
dialog.show()
dialog.show_test_result(AuthError())
for _ in range(20):
    application.processEvents()
screen = dialog.screen().availableGeometry()
label = dialog.test_result
save = dialog.buttons.button(QDialogButtonBox.StandardButton.Save)
def on_screen(widget):
    corner = widget.mapToGlobal(QPoint(widget.width() - 1, widget.height() - 1))
    return widget.isVisible() and screen.contains(corner)
print(json.dumps({
    "screen": screen.getRect(),
    "dialog": dialog.frameGeometry().getRect(),
    "label_height": label.height(),
    "label_needs": label.heightForWidth(label.width()),
    "save_on_screen": on_screen(save),
    "save_inside": dialog.rect().contains(save.mapTo(dialog, save.rect().bottomRight())),
}), flush=True)
"""


def test_settings_dialog_fits_a_short_screen_and_scrolls(tmp_path: Path) -> None:
    env = small_screen_env(tmp_path, 1093, 574)
    result = run_driver(DRIVER, env)
    assert result.returncode == 0, result.stderr[-1500:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    _, _, _, height = report["dialog"]
    # Before the fix the dialog grew to every line's height (taller than the screen); a window
    # manager then cut it to the screen and the failed test's message was clipped mid-line.
    assert height <= 574, report
    assert report["label_height"] >= report["label_needs"], report
    assert report["save_on_screen"] and report["save_inside"], report
