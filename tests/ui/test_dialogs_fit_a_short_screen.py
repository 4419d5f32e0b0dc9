"""連絡文 and 削除履歴 on a 1024×600 screen: each opens no taller than the screen's free area, so
its bottom row of buttons (コピー・保存・閉じる) is on the screen. They opened at a fixed 680 and
640 px, below the screen's edge."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers.app_process import run_driver, small_screen_env

DRIVER = r"""
import json, sys
from datetime import date
from pathlib import Path
from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QApplication
from app.core.storage.journal import DeletionJournal
from app.ui.delete.history_dialog import HistoryDialog
from app.ui.letters.letter_dialog import LetterDialog
from app.ui.letters.letter_sets import LetterChoices, LetterSet

application = QApplication([])
journal = DeletionJournal(Path(sys.argv[1]) / "journal.sqlite3")
dialogs = {
    "letters": (LetterDialog(LetterChoices({None: LetterSet(())}), ai_available=False),
                "close_button"),
    "history": (HistoryDialog(journal, today=date(2026, 11, 10)), None),
}
screen = application.primaryScreen().availableGeometry()
report = {"screen": screen.getRect()}
for name, (dialog, button_name) in dialogs.items():
    dialog.show()
    for _ in range(10):
        application.processEvents()
    entry = {"frame": dialog.frameGeometry().getRect()}
    if button_name:
        button = getattr(dialog, button_name)
        corner = button.mapToGlobal(QPoint(button.width() - 1, button.height() - 1))
        entry["button_on_screen"] = button.isVisible() and screen.contains(corner)
    report[name] = entry
    dialog.close()
journal.close()
print(json.dumps(report), flush=True)
"""


def test_letters_and_history_dialogs_fit_a_1024x600_screen(tmp_path: Path) -> None:
    env = small_screen_env(tmp_path, 1024, 600)
    result = run_driver(DRIVER.replace("sys.argv[1]", repr(str(tmp_path))), env)
    assert result.returncode == 0, result.stderr[-1500:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    for name in ("letters", "history"):
        _, y, _, height = report[name]["frame"]
        assert y >= 0 and y + height <= 600, report
    assert report["letters"]["button_on_screen"], report
