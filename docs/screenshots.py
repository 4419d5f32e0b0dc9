"""Screenshots of the main states (start-up notice, empty, fetching, grid with checked rows,
grid after AI refinement with the details pane, export dialog and its result, delivery tab with a
bad day, error, settings) into docs/; then the accounts feature's (docs/screenshots_accounts.py).

Run under a real X server so fonts and styles match a desktop:
    xvfb-run -a -s "-screen 0 1400x900x24" /work/venv/bin/python docs/screenshots.py
The window runs in practice mode against the built-in sandbox; nothing leaves the machine.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QEventLoop, QSettings, Qt, QTimer
from PySide6.QtWidgets import QApplication, QWidget

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS.parent))

from app.core.classify import LazyClassifier  # noqa: E402
from app.core.errors import AuthError  # noqa: E402
from app.core.storage.journal import (  # noqa: E402
    DeletionJournal,
    NewEntry,
    OperationMeta,
    OperationState,
)
from app.core.storage.secrets import MemorySecretStore  # noqa: E402
from app.core.storage.settings import AppSettings, SettingsStore  # noqa: E402
from app.core.types import ListKind  # noqa: E402
from app.paths import resources_dir  # noqa: E402
from app.ui.connection.controller import in_process_practice_sandbox  # noqa: E402
from app.ui.controller import MainController  # noqa: E402
from app.ui.main_window import MainWindow  # noqa: E402
from app.ui.models.entry_table import Column  # noqa: E402
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


def wait_until(condition, timeout_ms: int = 20_000) -> None:
    waited = 0
    while not condition() and waited < timeout_ms:
        wait(50)
        waited += 50


class SlowSandbox:
    """The practice data (with its incident day) served in this process, so the script can
    read its records, with latency to capture the fetching state."""

    def __init__(self) -> None:
        self.inner = in_process_practice_sandbox()
        self.url = ""

    def start(self) -> str:
        if not self.url:  # started early (to plant the unfinished deletion), then by the app
            self.url = self.inner.start()
            self.inner.configure(latency_ms=250)
        return self.url

    def stop(self) -> None:
        self.inner.stop()


def unfinished_operation(journal: DeletionJournal, sandbox: SlowSandbox, url: str) -> None:
    """A deletion a "crash" interrupted: 3 addresses still listed, 2 already gone."""
    listed = sandbox.inner.records("bounces")[:3]
    entries = [NewEntry(ListKind.BOUNCES, r.email, reason=r.reason) for r in listed]
    entries += [NewEntry(ListKind.BOUNCES, f"gone{i}@example.jp") for i in range(2)]
    meta = OperationMeta(
        account_label="練習モード", base_host=url.removeprefix("http://"), practice=True
    )
    operation_id = journal.create_operation(meta, entries)
    journal.set_state(operation_id, OperationState.RUNNING)


def main() -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    root = Path(tempfile.mkdtemp(prefix="todoku-shots-"))
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(root / "qt"))
    sandbox = SlowSandbox()
    journal = DeletionJournal(root / "journal.sqlite3")
    unfinished_operation(journal, sandbox, sandbox.start())
    settings_store = SettingsStore(root / "settings.json")
    # The default 97% threshold: ordinary practice days deliver ~98.5%, the one incident day
    # (3 days ago) falls below it. AI refinement on: practice mode uses the built-in
    # OpenAI-compatible imitation.
    settings_store.save(AppSettings(llm_enabled=True))
    export_folder = root / "exports"
    export_folder.mkdir()

    def capture_export_dialog(dialog):
        dialog.show()
        dialog.path_edit.setText(str(export_folder / dialog.path_edit.text().rsplit("/", 1)[-1]))
        wait(300)
        save(dialog, "export-dialog")
        dialog.save_button.click()
        return dialog.choice

    controller = MainController(
        settings_store=settings_store,
        run_export_dialog=capture_export_dialog,
        secrets=MemorySecretStore(),
        classify=LazyClassifier(rules_dir=resources_dir() / "rules"),
        sandbox_factory=lambda: sandbox,
        journal=journal,
    )
    window = MainWindow(controller, UiState(), log_path=str(root / "todoku.log"))
    window.resize(1380, 860)
    window.show()
    wait_until(lambda: window.status_panel.isVisible() and not controller.is_busy())
    wait(300)
    save(window, "state-unfinished")
    window.status_panel.close_button.click()
    wait(200)
    save(window, "state-empty")

    from app.core.dates import Preset

    window.range_bar.apply_preset(Preset.LAST_30_DAYS)
    window.range_bar.fetch_button.click()
    wait_until(lambda: controller.model.total > 300 or not controller.fetch.is_running())
    save(window, "state-fetching")
    while controller.fetch.is_running():
        wait(100)
    wait_until(lambda: not controller.llm.is_running())
    wait_until(lambda: window.delivery_view.report is not None)
    wait(200)
    window.table.selectRow(2)
    for row in (1, 2, 4):
        window.model.setData(
            window.model.index(row, Column.CHECK),
            Qt.CheckState.Checked,
            Qt.ItemDataRole.CheckStateRole,
        )
    wait(200)
    save(window, "state-grid")
    save(window, "main-window")

    # A row the AI refined, selected: the details pane names the source.
    model = window.model
    refined = next(
        (
            r
            for r in range(model.rowCount())
            if getattr(model.explanation_at(r), "source", "") == "llm"
        ),
        0,
    )
    sizes = window.list_page.splitter.sizes()
    window.list_page.splitter.setSizes([sum(sizes) - 300, 300])
    window.table.selectRow(refined)
    window.table.scrollTo(model.index(refined, 0))
    wait(200)
    save(window, "state-ai")
    window.list_page.splitter.setSizes(sizes)

    window.window_actions.export_action.trigger()
    wait_until(lambda: not controller.export.is_running())
    wait(200)
    save(window, "state-exported")

    window.tabs.setCurrentWidget(window.delivery_tab)
    wait(400)
    save(window, "delivery-tab")
    window.tabs.setCurrentIndex(0)

    controller.fetch.failed.emit(
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

    window.settings_flow.run_dialog = capture_settings
    window.open_settings()
    window.close()
    app.processEvents()
    journal.close()

    from docs.screenshots_accounts import capture_accounts  # accounts of every provider

    capture_accounts(root)
    return 0


if __name__ == "__main__":
    sys.exit(main())
