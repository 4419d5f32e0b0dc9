"""Start-up: paths, logging, crash handler, services wired by hand, main window."""

from __future__ import annotations

import argparse
import logging
import logging.handlers
import os
import sys
import tempfile
import traceback
from pathlib import Path
from types import TracebackType

from app.paths import AppPaths, paths_under, user_paths

log = logging.getLogger("app.main")

SELF_TEST_TIMEOUT_MS = 60_000


def _parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="todoku", description="Todoku")
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="open the window offscreen against the sandbox, fetch, and exit (0 = OK)",
    )
    # Qt's own options (-platform, -style...) pass through untouched.
    args, _ = parser.parse_known_args(argv)
    return args


def setup_logging(paths: AppPaths, level: int = logging.INFO) -> None:
    """A rotating file in the per-user log dir. API keys never reach a log call."""
    handler = logging.handlers.RotatingFileHandler(
        paths.log_file, maxBytes=1_000_000, backupCount=3, encoding="utf-8"
    )
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)s %(threadName)s %(name)s: %(message)s")
    )
    root = logging.getLogger()
    root.setLevel(level)
    root.addHandler(handler)
    # httpx logs every request URL at INFO; quieter by default.
    logging.getLogger("httpx").setLevel(logging.WARNING)


def install_excepthook(log_file: Path) -> None:
    """Unhandled exceptions on the GUI thread → logged, then the error-details dialog."""

    def hook(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
        detail = "".join(traceback.format_exception(kind, error, tb))
        log.error("unhandled exception\n%s", detail)
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, error, tb)
            return
        try:
            from PySide6.QtWidgets import QApplication

            from app.ui import texts
            from app.ui.dialogs.error_details import ErrorDetailsDialog

            if QApplication.instance() is None:
                raise RuntimeError("no QApplication")
            dialog = ErrorDetailsDialog(
                texts.CRASH_MESSAGE, texts.CRASH_NEXT_STEP, detail, str(log_file)
            )
            dialog.exec()
        except Exception:  # the dialog itself failed: at least keep stderr
            sys.__excepthook__(kind, error, tb)

    sys.excepthook = hook


def run(argv: list[str] | None = None) -> int:
    args = _parse_args(sys.argv[1:] if argv is None else argv)
    if args.self_test:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    self_test_root = Path(tempfile.mkdtemp(prefix="todoku-selftest-")) if args.self_test else None
    paths = (paths_under(self_test_root) if self_test_root else user_paths()).ensure()
    setup_logging(paths)
    install_excepthook(paths.log_file)
    log.info("Todoku starting (self-test=%s)", args.self_test)

    from PySide6.QtCore import QCoreApplication, QSettings
    from PySide6.QtWidgets import QApplication

    from app.core.services import LazyClassifier
    from app.core.storage.journal import DeletionJournal, JournalError
    from app.core.storage.secrets import KeyringSecretStore, MemorySecretStore, SecretStore
    from app.core.storage.settings import SettingsStore
    from app.ui.controller import MainController
    from app.ui.main_window import MainWindow
    from app.ui.persist import APPLICATION, ORGANIZATION, UiState

    QCoreApplication.setOrganizationName(ORGANIZATION)
    QCoreApplication.setApplicationName(APPLICATION)
    app = QApplication.instance() or QApplication(sys.argv[:1])

    if self_test_root is not None:
        QSettings.setDefaultFormat(QSettings.Format.IniFormat)
        QSettings.setPath(
            QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(self_test_root / "qt")
        )
        secrets: SecretStore = MemorySecretStore()  # the self-test never touches the keyring
    else:
        secrets = KeyringSecretStore()
    journal: DeletionJournal | None = None
    journal_error: JournalError | None = None
    try:
        journal = DeletionJournal(paths.data_dir / "journal.sqlite3")
    except JournalError as error:  # shown in the window; deleting stays disabled
        log.error("deletion journal unavailable: %s", error)
        journal_error = error
    controller = MainController(
        settings_store=SettingsStore(paths.settings_file),
        secrets=secrets,
        classify=LazyClassifier(rules_dir=paths.resources / "rules"),
        journal=journal,
    )
    window = MainWindow(controller, UiState(), log_path=str(paths.log_file))
    window.show()
    if journal_error is not None:
        window.status_panel.show_error(journal_error)
    try:
        if args.self_test:
            return _self_test(app, window)
        return app.exec()
    finally:
        if journal is not None:
            journal.close()


def _self_test(app, window) -> int:
    """Fetch from the sandbox in practice mode and exit 0 if rows arrived without an error."""
    from PySide6.QtCore import QTimer

    outcome = {"code": 1}
    controller = window.controller

    def finished(running: bool) -> None:
        if running:
            return
        ok = controller.model.total > 0 and not window.status_panel.isVisible()
        outcome["code"] = 0 if ok else 1
        print(f"self-test: {controller.model.total} rows, {'OK' if ok else 'FAILED'}")
        if window.status_panel.error is not None:
            print(f"self-test error: {window.status_panel.error!r}", file=sys.stderr)
        window.close()
        app.quit()

    def start() -> None:
        controller.set_practice(True)
        if not controller.start_fetch(window.range_bar.date_range(), window.selected_kinds()):
            print("self-test: fetch did not start", file=sys.stderr)
            window.close()
            app.quit()

    controller.fetch_running.connect(finished)
    QTimer.singleShot(0, start)
    QTimer.singleShot(SELF_TEST_TIMEOUT_MS, app.quit)
    app.exec()
    return outcome["code"]
