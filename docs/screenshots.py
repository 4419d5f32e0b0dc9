"""Screenshots of the main states (start-up notice, empty, fetching, grid with checked rows,
grid after AI refinement with the details pane, export dialog and its result, delivery tab with a
bad day, error with 設定を開く, live mode with its 本番 marker, the live delete confirmation,
settings with 詳細設定, DMARC tab, and the texts Qt writes itself, in Japanese: qt-file-dialog,
qt-context-menu, qt-question) into docs/, at the size of a 1366×768 laptop, then the
fetch-history states (history-*.png: 新着/再発 in the grid with the 他所で削除 panel, the 再発
warning on deletion, 推移, 月次レポート, 取得履歴の設定, and the grid after an incremental fetch,
filled from history's stored rows). ``--history`` makes only those, at
1366×768 and 1280×800 (history-*-1280.png). The accounts
feature's states come from docs/screenshots_accounts.py, team mode's (team-*.png) from
docs/screenshots_team.py.

Run under a real X server so fonts and styles match a desktop:
    xvfb-run -a -s "-screen 0 1366x768x24" .venv/bin/python docs/screenshots.py
The window runs against the built-in sandbox (practice mode, then "live" mode pointed at the
same sandbox); nothing leaves the machine.
``--dmarc`` takes only the DMARC tab's states, at the screen's size (run it once under
``Xvfb -screen 0 1366x768x24`` and once under ``1280x800x24``); the full run takes them at both.
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
from app.core.storage.secrets import SENDGRID_KEY, MemorySecretStore  # noqa: E402
from app.core.storage.settings import AppSettings, SettingsStore  # noqa: E402
from app.core.types import ListKind  # noqa: E402
from app.paths import resources_dir  # noqa: E402
from app.sandbox.sendgrid_server import SANDBOX_API_KEY  # noqa: E402
from app.ui.connection.controller import in_process_practice_sandbox  # noqa: E402
from app.ui.controller import MainController  # noqa: E402
from app.ui.main_window import MainWindow  # noqa: E402
from app.ui.models.entry_table import Column  # noqa: E402
from app.ui.persist import UiState  # noqa: E402
from app.ui.qt_japanese import install_qt_japanese  # noqa: E402


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


def letter_states(root: Path) -> None:
    """連絡文: the dialog for each letter kind (with the sender facts filled in, one with them
    missing), the 送信元の情報 and Zendesk settings pages, and a Zendesk result (practice
    mode: the built-in imitation). Rows are planted in the grid, classified by the rules."""
    from app.core.letters import LetterKind
    from tests.helpers.letters import (
        CARRIER,
        COMPANY,
        HOSTILE,
        MAILBOX_FULL,
        MUNICIPAL,
        TYPO,
        classified,
        select_rows,
        with_sender_facts,
    )

    rows = (MUNICIPAL, COMPANY, CARRIER, TYPO, MAILBOX_FULL, HOSTILE)
    settings_store = SettingsStore(root / "letters-settings.json")
    settings_store.save(with_sender_facts(AppSettings()))

    def show_dialog(dialog) -> None:
        dialog.show()
        wait(300)

    def result(outcomes, cancelled, parent) -> None:
        from app.ui.letters.ticket_dialogs import TicketResultDialog

        dialog = TicketResultDialog(outcomes, cancelled=cancelled, parent=parent)
        dialog.show()
        wait(300)
        save(dialog, "letters-zendesk-result")
        dialog.close()

    def capture_contact_settings(dialog) -> bool:
        show_dialog(dialog)
        save(dialog, "letters-settings-sender")
        dialog.tabs.setCurrentIndex(1)
        dialog.zendesk_page.test_button.click()
        wait_until(lambda: dialog.zendesk_page.test_button.isEnabled())
        wait(200)
        save(dialog, "letters-settings-zendesk")
        return False

    controller = MainController(
        settings_store=settings_store,
        secrets=MemorySecretStore(),
        classify=LazyClassifier(rules_dir=resources_dir() / "rules"),
        data_dir=root / "letters-data",
        run_letter_dialog=show_dialog,
        run_contact_settings=capture_contact_settings,
        ask_ticket_mode=lambda recipients, practice, parent: False,
        show_ticket_result=result,
    )
    window = MainWindow(controller, UiState(), log_path=str(root / "todoku.log"))
    window.resize(1366, 768)
    window.show()
    wait(500)
    window.model.append(list(rows), classified(*rows))
    window.list_page.ensure_grid()
    window._update_counts()
    wait(200)

    def select(*emails: str) -> None:
        select_rows(window, *emails)

    for name, entry in (
        ("letters-municipal", MUNICIPAL),
        ("letters-company", COMPANY),
        ("letters-carrier", CARRIER),
        ("letters-consumer-typo", TYPO),
        ("letters-consumer-mailbox-full", MAILBOX_FULL),
    ):
        select(entry.email)
        window.open_letters()
        dialog = controller.letters.dialog
        save(dialog, name)
        print("----", name, "----")
        print(dialog.text.toPlainText())
        dialog.close()

    # Several rows at once, forced to one kind: the warning, the letter chooser.
    select(MUNICIPAL.email, COMPANY.email, HOSTILE.email)
    window.open_letters()
    dialog = controller.letters.dialog
    dialog.select_kind(LetterKind.COMPANY)
    dialog.letter_combo.setCurrentIndex(dialog.letter_combo.count() - 1)
    wait(200)
    save(dialog, "letters-forced-kind")
    dialog.close()

    # Sender facts missing: the placeholders and the list under the letter.
    controller.settings_keeper.store(AppSettings())
    select(COMPANY.email)
    window.open_letters()
    save(controller.letters.dialog, "letters-missing-facts")
    controller.letters.dialog.close()
    controller.settings_keeper.store(with_sender_facts(AppSettings()))

    window.open_contact_settings()

    select(COMPANY.email, CARRIER.email, MAILBOX_FULL.email)
    window.create_tickets()
    wait_until(lambda: not controller.zendesk.is_running())
    model = window.model
    carrier_row = next(
        r for r in range(model.rowCount()) if model.entry_at(r).email == CARRIER.email
    )
    window.table.setCurrentIndex(model.index(carrier_row, 1))
    window.list_page.splitter.setSizes([130, 500])  # the ticket link is under the details
    wait(300)
    save(window, "letters-window")
    window.close()
    app = QApplication.instance()
    if app is not None:
        app.processEvents()


def history_states(root: Path, size: tuple[int, int], suffix: str = "") -> None:
    """取得履歴: 新着 and 再発 in the grid with the 他所で削除 panel, the 再発 warning in the
    delete confirmation, the 推移 tab, the monthly report and the history settings.

    Six months of practice data are fetched once, then between two fetches two addresses are
    deleted by Todoku and bounce again (再発), a few new ones bounce (新着) and one is removed
    outside Todoku (他所で削除, seen by 全件再取得)."""
    import time
    from datetime import timedelta

    from app.core.dates import today_jst, unix_bounds
    from app.core.deletion.plan import DeletionPlan
    from app.core.types import DateRange
    from app.sandbox.scenarios import generate_records
    from app.sandbox.sendgrid_server import SANDBOX_API_KEY, SandboxRecord, SendGridSandbox
    from app.ui.delete.confirm_delete import ConfirmDeleteDialog

    today = today_jst()
    span = DateRange(today - timedelta(days=180), today)
    start, end = unix_bounds(span)
    now = int(time.time())
    records = generate_records(3000, seed=15, start=start, end=min(end, now - 3600))
    sandbox = SendGridSandbox(records=records, api_keys={SANDBOX_API_KEY: None})
    journal = DeletionJournal(root / "journal.sqlite3")
    shown: list[ConfirmDeleteDialog] = []

    def confirm(plan: DeletionPlan, parent, *, practice: bool, recurrences=None):
        if not recurrences:
            return "練習: 宛先不明を整理"
        dialog = ConfirmDeleteDialog(plan, parent, practice=practice, recurrences=recurrences)
        dialog.show()
        wait(300)
        save(dialog, f"history-confirm{suffix}")
        shown.append(dialog)
        dialog.close()
        return None

    controller = MainController(
        settings_store=SettingsStore(root / "settings.json"),
        secrets=MemorySecretStore(),
        classify=LazyClassifier(rules_dir=resources_dir() / "rules"),
        sandbox_factory=lambda: sandbox,
        journal=journal,
        confirm=confirm,
        show_delete_result=lambda report, parent: False,
        history_path=root / "history.sqlite3",
    )
    window = MainWindow(controller, UiState(), log_path=str(root / "todoku.log"))
    window.resize(*size)
    window.show()
    wait_until(lambda: window.list_page.has_grid)
    window.range_bar.set_range(span.start, span.end)
    window.range_bar.set_lists((ListKind.BOUNCES, ListKind.BLOCKS, ListKind.INVALID_EMAILS))

    def fetch(full: bool = False) -> None:
        button = window.range_bar.full_fetch_button if full else window.range_bar.fetch_button
        button.click()
        wait(100)
        wait_until(lambda: not controller.fetch.is_running(), 60_000)
        wait(200)

    def delete(emails: set[str]) -> None:
        model = window.model
        for row in range(model.rowCount()):
            if model.entry_at(row).email in emails:
                model.setData(
                    model.index(row, Column.CHECK),
                    Qt.CheckState.Checked,
                    Qt.ItemDataRole.CheckStateRole,
                )
        window.list_page.delete_bar.delete_button.click()
        wait(100)
        wait_until(lambda: not controller.deletion.is_running(), 30_000)

    fetch()
    bounces = sandbox.records("bounces")
    returning = [bounces[5], bounces[9]]
    delete({r.email for r in returning})
    wait(1100)  # history counts deletions in whole seconds
    later = int(time.time()) + 5
    sandbox.add_records(
        [
            SandboxRecord(
                "bounces", r.email, later + i, "550 5.1.1 The email account does not exist", "5.1.1"
            )
            for i, r in enumerate(returning)
        ]
    )
    sandbox.add_records(
        [
            SandboxRecord("bounces", f"new{i}@example.co.jp", later + 10 + i, "552 mailbox full")
            for i in range(4)
        ]
    )
    sandbox.remove("bounces", bounces[20].email)  # the SendGrid console, not Todoku
    fetch(full=True)
    header = window.table.horizontalHeader()
    header.setSortIndicator(Column.HISTORY, Qt.SortOrder.DescendingOrder)
    wait(200)
    model = window.model
    recurring = next(r for r in range(model.rowCount()) if "再発" in model.mark_at(r))
    window.table.selectRow(recurring)
    window.table.scrollTo(model.index(0, 0))
    wait(300)
    save(window, f"history-grid{suffix}")

    delete({model.entry_at(recurring).email})  # the confirmation is captured and cancelled

    tab = window.history_part.trends_tab
    window.tabs.setCurrentWidget(tab)
    wait_until(lambda: tab.data is not None)
    wait(400)
    save(window, f"history-trends{suffix}")
    window.tabs.setCurrentIndex(0)

    reports = root / "reports"
    reports.mkdir()

    def run_dialog(dialog) -> int:
        dialog.show()
        if hasattr(dialog, "preview"):
            wait_until(lambda: dialog.report is not None)
            dialog.folder_edit.setText(str(reports))
            dialog.save_button.click()
            wait(100)
            wait_until(lambda: bool(dialog.saved), 60_000)
            wait(300)
            save(dialog, f"history-report{suffix}")
        else:
            dialog.erase_edit.setText(returning[0].email)
            wait(300)
            save(dialog, f"history-settings{suffix}")
        return 0

    window.history_part.run_dialog = run_dialog
    window.history_part.report_action.trigger()
    window.history_part.settings_action.trigger()

    # 取得 again with history covering the range: only the tail is asked for, and the grid is
    # filled from history's rows kept as stored tuples (decoded only for the rows painted).
    newest = int(time.time()) + 60
    sandbox.add_records(
        [
            SandboxRecord("bounces", f"tail{i}@docomo.ne.jp", newest + i, "550 5.1.1 unknown")
            for i in range(3)
        ]
    )
    fetch()
    header.setSortIndicator(Column.CREATED, Qt.SortOrder.DescendingOrder)
    window.table.selectRow(5)
    window.table.scrollTo(model.index(0, 0))
    wait(300)
    stored = model.history_rows_stored
    print(f"incremental fetch: {model.total} rows in the grid, {stored} of them stored tuples")
    save(window, f"history-incremental{suffix}")
    window.close()
    QApplication.processEvents()
    journal.close()
    sandbox.stop()


DMARC_SIZES = ((1366, 768), (1280, 800))  # the small laptop screens operators use


def dmarc_states(window: MainWindow, sizes=DMARC_SIZES) -> None:
    """The DMARC tab: empty (practice hint), the practice reports per source, the charts, the
    published records with the policy advice, and the IMAP dialog, at each size."""
    from app.ui.dmarc.imap_dialog import ImapDialog

    controller, tab = window.controller, window.dmarc_tab
    old_size = window.size()
    window.tabs.setCurrentWidget(tab)
    for width, height in sizes:
        window.resize(width, height)
        wait(300)
        save(window, f"dmarc-empty-{width}x{height}")
    tab.practice_button.click()
    wait_until(lambda: controller.dmarc.current is not None and not controller.dmarc.is_running())
    tab.view.selectors_edit.setText("s1")
    tab.view.check_button.click()
    wait_until(
        lambda: controller.dmarc.last_check is not None and not controller.dmarc.is_running()
    )
    tab.view.table.selectRow(3)  # the SendGrid source without domain authentication
    for width, height in sizes:
        window.resize(width, height)
        for index, name in enumerate(("sources", "charts", "domain")):
            tab.view.sections.setCurrentIndex(index)
            wait(300)
            save(window, f"dmarc-{name}-{width}x{height}")
    tab.view.sections.setCurrentIndex(0)
    dialog = ImapDialog(host="imap.example.co.jp", username="dmarc@example.co.jp", parent=window)
    dialog.show()
    wait(300)
    save(dialog, "dmarc-imap-dialog")
    dialog.close()
    window.resize(old_size)
    window.tabs.setCurrentIndex(0)


def grab_modal_later(name: str, delay_ms: int) -> None:
    """Save the modal dialog open ``delay_ms`` from now (a static QFileDialog or QMessageBox
    call blocks until then) and close it."""
    from PySide6.QtWidgets import QDialog

    def grab() -> None:
        modal = QApplication.activeModalWidget()
        if modal is None:
            print("no dialog for", name)
            return
        save(modal, name)
        if isinstance(modal, QDialog):
            modal.reject()

    QTimer.singleShot(delay_ms, grab)


def qt_japanese_states(window: MainWindow) -> None:
    """Texts Qt writes itself, in Japanese (app/ui/qt_japanese.py): a text field's context
    menu and a yes/no question with Qt's standard buttons (Qt's own file dialog: see
    capture_export_dialog)."""
    from PySide6.QtCore import QPoint

    from app.ui.accounts.manage_flow import ask_remove

    edit = window.list_page.filter_edit
    edit.setText("tanaka@example.jp")
    edit.selectAll()
    menu = edit.createStandardContextMenu()
    menu.popup(edit.mapToGlobal(QPoint(20, 10)))
    wait(300)
    save(menu, "qt-context-menu")
    menu.close()
    edit.clear()

    grab_modal_later("qt-question", 600)
    ask_remove("CMC本番", window)


def dmarc_only() -> int:
    """``--dmarc``: the DMARC tab's states at the screen's size (see the module doc)."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    install_qt_japanese(app)  # Qt's own buttons and menus as the operators see them
    root = Path(tempfile.mkdtemp(prefix="todoku-shots-"))
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(root / "qt"))
    controller = MainController(
        settings_store=SettingsStore(root / "settings.json"),
        secrets=MemorySecretStore(),
        classify=LazyClassifier(rules_dir=resources_dir() / "rules"),
    )
    window = MainWindow(controller, UiState(), log_path=str(root / "todoku.log"))
    window.show()
    wait(500)
    size = app.primaryScreen().size()
    dmarc_states(window, sizes=((size.width(), size.height()),))
    window.close()
    app.processEvents()
    return 0


def main() -> int:
    if "--dmarc" in sys.argv[1:]:
        return dmarc_only()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    install_qt_japanese(app)  # Qt's own buttons and menus as the operators see them
    if "--history" in sys.argv:  # only the fetch-history states (quicker while working on them)
        qt = Path(tempfile.mkdtemp(prefix="todoku-shots-qt-"))
        for settings_format in (QSettings.Format.IniFormat, QSettings.Format.NativeFormat):
            QSettings.setPath(settings_format, QSettings.Scope.UserScope, str(qt))
        for size, suffix in (((1366, 768), ""), ((1280, 800), "-1280")):
            history_states(Path(tempfile.mkdtemp(prefix="todoku-history-shots-")), size, suffix)
        return 0
    if "--letters" in sys.argv[1:]:  # only the 連絡文 / Zendesk states
        root = Path(tempfile.mkdtemp(prefix="todoku-shots-"))
        QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(root / "qt"))
        letter_states(root)
        return 0
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
        # 参照…: Qt's own file dialog (Linux without a desktop portal), in Japanese.
        from PySide6.QtWidgets import QPushButton

        browse = next(b for b in dialog.findChildren(QPushButton) if b.text() == "参照…")
        grab_modal_later("qt-file-dialog", 900)
        browse.click()
        dialog.save_button.click()
        return dialog.choice

    def capture_confirm(plan, parent, *, practice: bool):
        from app.ui.delete.confirm_delete import ConfirmDeleteDialog

        dialog = ConfirmDeleteDialog(plan, parent, practice=practice)
        dialog.show()
        wait(300)
        save(dialog, "confirm-delete")
        dialog.close()
        dialog.deleteLater()
        return None  # cancelled: nothing is deleted

    secrets = MemorySecretStore()
    secrets.set(SENDGRID_KEY, SANDBOX_API_KEY)  # "live" is the same loopback sandbox
    controller = MainController(
        settings_store=settings_store,
        run_export_dialog=capture_export_dialog,
        confirm=capture_confirm,
        live_base_url=sandbox.start(),
        secrets=secrets,
        classify=LazyClassifier(rules_dir=resources_dir() / "rules"),
        sandbox_factory=lambda: sandbox,
        journal=journal,
    )
    window = MainWindow(controller, UiState(), log_path=str(root / "todoku.log"))
    window.resize(1366, 768)
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

    dmarc_states(window)

    controller.fetch.failed.emit(
        AuthError(detail="HTTP 401 GET /v3/suppression/bounces: authorization required")
    )
    wait(200)
    save(window, "state-error")
    window.status_panel.close_button.click()

    # Live mode: the 本番 marker; then the live delete confirmation for 120 checked rows.
    controller.connection.set_practice(False)
    window.range_bar.fetch_button.click()
    wait_until(lambda: not controller.fetch.is_running())
    wait_until(lambda: not controller.llm.is_running())
    wait(300)
    window.table.selectRow(0)
    wait(200)
    save(window, "state-live")
    for row in range(120):
        window.model.setData(
            window.model.index(row, Column.CHECK),
            Qt.CheckState.Checked,
            Qt.ItemDataRole.CheckStateRole,
        )
    window.delete_checked()
    wait_until(lambda: not controller.is_busy())
    window.list_page.uncheck_all()

    def capture_settings(dialog) -> bool:
        dialog.show()
        dialog.key_edit.setText("SG.example-not-a-real-key-1234")
        dialog.advanced_box.setChecked(True)
        dialog.base_url_edit.setText("https://sendgrid-proxy.example.co.jp")
        wait(300)
        save(dialog, "state-settings")
        return False

    qt_japanese_states(window)
    window.settings_flow.run_dialog = capture_settings
    window.open_settings()
    window.close()
    app.processEvents()
    journal.close()
    letter_states(root)
    history_states(Path(tempfile.mkdtemp(prefix="todoku-history-shots-")), (1366, 768))

    from docs.screenshots_accounts import capture_accounts  # accounts of every provider

    capture_accounts(root)

    from docs.screenshots_team import capture_team  # 共有データベース (needs postgresql)

    capture_team(root)
    return 0


if __name__ == "__main__":
    sys.exit(main())
