"""Screenshots of the main states (empty, fetching, full grid, error, settings) into docs/.

Run under a real X server so fonts and styles match a desktop:
    xvfb-run -a -s "-screen 0 1400x900x24" /work/venv/bin/python docs/screenshots.py
The window runs in practice mode against the built-in sandbox; nothing leaves the machine.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QEventLoop, QSettings, QTimer
from PySide6.QtWidgets import QApplication, QWidget

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS.parent))

from app.core.errors import AuthError  # noqa: E402
from app.core.services import LazyClassifier  # noqa: E402
from app.core.storage.secrets import MemorySecretStore  # noqa: E402
from app.core.storage.settings import SettingsStore  # noqa: E402
from app.paths import resources_dir  # noqa: E402
from app.ui.controller import MainController, practice_sandbox  # noqa: E402
from app.ui.main_window import MainWindow  # noqa: E402
from app.ui.persist import UiState  # noqa: E402


def wait(ms: int) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def save(widget: QWidget, name: str) -> Path:
    path = DOCS / f"{name}.png"
    widget.grab().save(str(path))
    print("saved", path)
    return path


class SlowSandbox:
    """The practice sandbox with latency, so the fetching state can be captured."""

    def __init__(self) -> None:
        self.inner = practice_sandbox()

    def start(self) -> str:
        url = self.inner.start()
        self.inner.configure(latency_ms=250)
        return url

    def stop(self) -> None:
        self.inner.stop()


def main() -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    root = Path(tempfile.mkdtemp(prefix="todoku-shots-"))
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(root / "qt"))
    sandbox = SlowSandbox()
    controller = MainController(
        settings_store=SettingsStore(root / "settings.json"),
        secrets=MemorySecretStore(),
        classify=LazyClassifier(rules_dir=resources_dir() / "rules"),
        sandbox_factory=lambda: sandbox,
    )
    window = MainWindow(controller, UiState(), log_path=str(root / "todoku.log"))
    window.resize(1380, 860)
    window.show()
    wait(300)
    save(window, "state-empty")

    from app.core.dates import Preset

    window.range_bar.apply_preset(Preset.LAST_30_DAYS)
    window.range_bar.fetch_button.click()
    wait(1200)
    save(window, "state-fetching")
    while controller.fetch_is_running():
        wait(100)
    wait(200)
    window.table.selectRow(2)
    wait(200)
    save(window, "state-grid")
    save(window, "main-window")

    controller.error_raised.emit(
        AuthError(detail="HTTP 401 GET /v3/suppression/bounces: authorization required")
    )
    window.status_panel.details_button.click()
    wait(200)
    save(window, "state-error")
    window.status_panel.close_button.click()

    def capture_settings(dialog) -> bool:
        dialog.show()
        dialog.key_edit.setText("SG.example-not-a-real-key-1234")
        wait(300)
        save(dialog, "state-settings")
        return False

    window._run_settings_dialog = capture_settings
    window.open_settings()
    window.close()
    app.processEvents()
    return 0


if __name__ == "__main__":
    sys.exit(main())
