"""Screenshots of the accounts feature (issue 16) at 1366×768: the account chooser and a CMC
account in practice mode, アカウントの管理, the edit dialog of each kind with a 接続テスト, the
guide shown instead of deleting CMC blocks, and the 配信状況 tab of a non-SendGrid account.

Run under a real X server (see docs/screenshots.py, which also calls ``capture_accounts``):
    Xvfb :93 -screen 0 1366x768x24 & DISPLAY=:93 python docs/screenshots_accounts.py
Every imitation runs in this process on loopback; no credential here is real.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QEventLoop, QSettings, Qt, QTimer
from PySide6.QtWidgets import QApplication, QWidget

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS.parent))

from app.core.accounts import Account, ProviderName  # noqa: E402
from app.core.classify import LazyClassifier  # noqa: E402
from app.core.dates import Preset  # noqa: E402
from app.core.storage.journal import DeletionJournal  # noqa: E402
from app.core.storage.secrets import MemorySecretStore  # noqa: E402
from app.core.storage.settings import SettingsStore  # noqa: E402
from app.core.types import ListKind  # noqa: E402
from app.paths import resources_dir  # noqa: E402
from app.sandbox.practice import practice_credentials  # noqa: E402
from app.ui.accounts.guidance_dialog import GuidanceDialog  # noqa: E402
from app.ui.accounts.practice_sandboxes import in_process_sandbox  # noqa: E402
from app.ui.connection.controller import in_process_practice_sandbox  # noqa: E402
from app.ui.controller import MainController  # noqa: E402
from app.ui.main_window import MainWindow  # noqa: E402
from app.ui.models.entry_table import ENTRY_ROLE, Column  # noqa: E402
from app.ui.persist import UiState  # noqa: E402

SIZE = (1366, 768)


def wait(ms: int) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def wait_until(condition, timeout_ms: int = 20_000) -> None:
    waited = 0
    while not condition() and waited < timeout_ms:
        wait(50)
        waited += 50


def save(widget: QWidget, name: str) -> Path:
    path = DOCS / f"{name}.png"
    widget.grab().save(str(path))
    print("saved", path)
    return path


def _accounts(secrets: MemorySecretStore) -> tuple[Account, ...]:
    """A realistic set: a CMC account with saved credentials, Infobip, SES on the AWS chain."""
    cmc = Account("CMC本番", ProviderName.CMC, server_composition="sv-shop")
    infobip = Account(
        "Infobip大量配信", ProviderName.INFOBIP, base_url="https://example.api.infobip.com"
    )
    ses = Account("SES東京", ProviderName.SES, region="ap-northeast-1")
    secrets.set(cmc.secret_name("api_user"), "example-user")
    secrets.set(cmc.secret_name("api_key"), "example-not-a-real-key-9876")
    return (cmc, infobip, ses)


def capture_accounts(root: Path) -> None:
    secrets = MemorySecretStore()
    store = SettingsStore(root / "accounts-settings.json")
    journal = DeletionJournal(root / "accounts-journal.sqlite3")

    def show_guidance(guides, history, provider_label, api_count, parent) -> None:
        dialog = GuidanceDialog(guides, history, provider_label, api_count, parent)
        dialog.resize(720, 560)
        dialog.show()
        wait(300)
        save(dialog, "accounts-guidance")
        dialog.close()
        dialog.deleteLater()

    controller = MainController(
        settings_store=store,
        secrets=secrets,
        classify=LazyClassifier(rules_dir=resources_dir() / "rules"),
        sandbox_factory=in_process_practice_sandbox,
        provider_sandbox_factory=in_process_sandbox,
        show_guidance=show_guidance,
        journal=journal,
    )
    accounts = controller.accounts
    for account in _accounts(secrets):
        accounts.save_account(account, {})
    window = MainWindow(controller, UiState(), log_path=str(root / "todoku.log"))
    window.resize(*SIZE)
    window.show()
    wait(500)

    # The window on the CMC account, practice mode, after a fetch: only bounces and blocks.
    accounts.switch("CMC本番")
    window.range_bar.apply_preset(Preset.LAST_30_DAYS)
    window.range_bar.fetch_button.click()
    wait_until(lambda: not controller.fetch.is_running() and controller.model.total > 0)
    wait_until(lambda: not controller.runner.active_jobs)
    wait(300)
    model = window.model
    checked = 0
    for row in range(model.rowCount()):
        entry = model.index(row, 0).data(ENTRY_ROLE)
        if entry.list_kind is ListKind.BLOCKS and checked < 4:
            model.setData(
                model.index(row, Column.CHECK),
                Qt.CheckState.Checked,
                Qt.ItemDataRole.CheckStateRole,
            )
            checked += 1
    window.table.selectRow(0)
    wait(200)
    save(window, "accounts-window-cmc")
    window.account_bar.combo.showPopup()
    wait(300)
    save(window.account_bar.combo.view().window(), "accounts-chooser-popup")
    window.account_bar.combo.hidePopup()

    # 削除 on CMC blocks: the guide, nothing sent.
    window.delete_checked()
    wait(200)

    window.tabs.setCurrentWidget(window.delivery_tab)
    wait(400)
    save(window, "accounts-delivery-cmc")
    window.tabs.setCurrentIndex(0)

    # アカウントの管理 and the edit dialogs, each with its 接続テスト against an imitation.
    infobip = in_process_sandbox(ProviderName.INFOBIP, entries=200)
    infobip_url = infobip.start()

    edits: list[str] = []  # 編集 opens its dialog after a job read the saved secrets
    managed: list[bool] = []

    def run_manage(dialog) -> None:
        managed.append(True)
        dialog.show()
        wait(300)
        save(dialog, "accounts-manage")
        flow = window.accounts_flow

        def run_edit_cmc(edit) -> bool:
            edit.show()
            wait(300)
            save(edit, "accounts-edit-cmc")
            edits.append("cmc")
            return False

        flow.run_edit = run_edit_cmc
        flow.edit("CMC本番")
        wait_until(lambda: "cmc" in edits)

        def run_edit_infobip(edit) -> bool:
            edit.show()
            edit.provider_combo.setCurrentIndex(edit.provider_combo.findData("infobip"))
            edit.name_edit.setText("Infobip検証")
            edit.infobip_url.setText(infobip_url)
            key = practice_credentials("infobip")["api_key"]
            edit.secrets[ProviderName.INFOBIP]["api_key"].edit.setText(key)
            edit.test_button.click()
            wait_until(lambda: edit.test_button.isEnabled())
            wait(300)
            save(edit, "accounts-edit-infobip-test")
            return False

        flow.run_edit = run_edit_infobip
        flow.add()

        def run_edit_ses(edit) -> bool:
            edit.show()
            edit.ses_keys.setChecked(True)
            wait(300)
            save(edit, "accounts-edit-ses")
            edits.append("ses")
            return False

        flow.run_edit = run_edit_ses
        flow.edit("SES東京")
        wait_until(lambda: "ses" in edits)

    window.accounts_flow.run_manage = run_manage
    window.open_accounts()  # after a job read which accounts have credentials
    wait_until(lambda: bool(managed))
    infobip.stop()
    window.close()
    QApplication.processEvents()
    journal.close()


def main() -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    from app.ui.qt_japanese import install_qt_japanese

    install_qt_japanese(app)  # Qt's own buttons as the operators see them
    root = Path(tempfile.mkdtemp(prefix="todoku-shots-accounts-"))
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(root / "qt"))
    capture_accounts(root)
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
