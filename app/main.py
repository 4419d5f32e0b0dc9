"""Start-up: paths, logging, crash handler, services wired by hand, main window."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import threading
import traceback
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from app.core.errors import DataFolderError, LogFileError, LogWriteError, TodokuError
from app.core.storage.secrets import SecretStore
from app.paths import AppPaths, paths_under, user_paths

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication

    from app.ui.main_window import MainWindow
    from app.ui.single_instance import InstanceGuard

log = logging.getLogger("app.main")

SELF_TEST_TIMEOUT_MS = 60_000
JOURNAL_FILE = "journal.sqlite3"
DESKTOP_FILE_NAME = "todoku"  # packaging/linux/todoku.desktop: docks match the window to it
LOG_FORMAT = "%(asctime)s %(levelname)s %(threadName)s %(name)s: %(message)s"
LOG_MAX_BYTES = 1_000_000
LOG_BACKUPS = 3
ALREADY_RUNNING_JA = "Todoku はすでに起動しています。そのウィンドウを前面に表示しました。"


def _parse_args(argv: list[str]) -> argparse.Namespace:
    from app.cli.japanese_argparse import JapaneseArgumentParser  # no Qt: the frame only

    parser = JapaneseArgumentParser(prog="todoku", description="Todoku")
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="画面を表示せずに練習用サーバーから取得して終了する（終了コード 0 = 正常）",
    )
    # Qt's own options (-platform, -style...) pass through untouched.
    args, _ = parser.parse_known_args(argv)
    return args


def _quiet_file_handler(path: Path) -> logging.Handler:
    """A rotating log file whose failed writes (a full disk) are kept, not printed.

    logging's own handleError printed "--- Logging error ---" and a traceback to stderr for
    every record; here the first failure is kept in ``failure`` for start-up to report once.
    """
    import logging.handlers

    class QuietRotatingFileHandler(logging.handlers.RotatingFileHandler):
        failure: OSError | None = None

        def handleError(self, record: logging.LogRecord) -> None:
            error = sys.exc_info()[1]
            if not isinstance(error, OSError):
                super().handleError(record)  # a bad log call is a bug: keep it visible
            elif self.failure is None:
                self.failure = error

    return QuietRotatingFileHandler(
        path, maxBytes=LOG_MAX_BYTES, backupCount=LOG_BACKUPS, encoding="utf-8"
    )


def log_write_failure(paths: AppPaths) -> LogWriteError | None:
    """The first failed write of the log file so far, as a Japanese error; None if none."""
    for handler in logging.getLogger().handlers:
        failure = getattr(handler, "failure", None)
        if isinstance(failure, OSError):
            return LogWriteError(str(paths.log_file), failure)
    return None


def setup_logging(paths: AppPaths, level: int = logging.INFO) -> None:
    """Log to a rotating file in the per-user log dir. API keys never reach a log call."""
    handler = _quiet_file_handler(paths.log_file)
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    root = logging.getLogger()
    root.setLevel(level)
    root.addHandler(handler)
    # httpx logs every request URL at INFO; quieter by default.
    logging.getLogger("httpx").setLevel(logging.WARNING)


def _close_log_handlers() -> None:
    root = logging.getLogger()
    for handler in root.handlers[:]:
        if isinstance(handler, logging.FileHandler):
            root.removeHandler(handler)
            handler.close()


def start_logging(paths: AppPaths) -> LogFileError | None:
    """Make the log folder and open the log file; on failure the app runs on without one.

    A file where the folder should be, ``todoku.log`` being a folder, or no right to write
    there must not stop the app: the problem is returned for the window to show once.
    """
    try:
        paths.log_dir.mkdir(parents=True, exist_ok=True)
        setup_logging(paths)
    except OSError as error:
        return LogFileError(str(paths.log_file), error)
    return None


def show_error_dialog(message_ja: str, next_step_ja: str, detail: str, log_file: str) -> None:
    """The error-details dialog, even before the main window (or the QApplication) exists."""
    from PySide6.QtWidgets import QApplication

    from app.ui.dialogs.error_details import ErrorDetailsDialog
    from app.ui.qt_japanese import install_qt_japanese

    app = QApplication.instance() or QApplication(sys.argv[:1])
    install_qt_japanese(app)  # the dialog's 閉じる and its text box's context menu
    ErrorDetailsDialog(message_ja, next_step_ja, detail, log_file).exec()


def install_excepthook(log_file: Path | None) -> None:
    """Unhandled exceptions on the GUI thread → logged, then the error-details dialog.

    A windowed build has no console (stderr is None on Windows), so even a failure before the
    main window exists gets a dialog: the hook creates the QApplication itself if needed.
    """

    def hook(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
        detail = "".join(traceback.format_exception(kind, error, tb))
        log.error("unhandled exception\n%s", detail)
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, error, tb)
            return
        try:
            from app.ui import texts

            show_error_dialog(
                texts.CRASH_MESSAGE, texts.CRASH_NEXT_STEP, detail, str(log_file or "")
            )
        except Exception:  # the dialog itself failed: at least keep stderr (if there is one)
            if sys.stderr is not None:
                sys.__excepthook__(kind, error, tb)

    sys.excepthook = hook


class DeferredKeyringStore:
    """The OS keyring store, created on first use.

    Probing the keyring imports ``keyring`` and its backends and may talk to D-Bus (80–100 ms
    measured), so start-up never does it: the mode comes from the settings file and the key is
    read only when a live fetch, a connection test or the settings dialog needs it. Thread-safe,
    so the first read may happen on a job thread.
    """

    def __init__(self, factory: Callable[[], SecretStore] | None = None) -> None:
        self._factory = factory
        self._store: SecretStore | None = None
        self._lock = threading.Lock()

    def _real(self) -> SecretStore:
        with self._lock:
            if self._store is None:
                if self._factory is None:
                    from app.core.storage.secrets import KeyringSecretStore

                    self._store = KeyringSecretStore()
                else:
                    self._store = self._factory()
            return self._store

    @property
    def persistent(self) -> bool:
        return self._real().persistent

    @property
    def where_ja(self) -> str:
        return self._real().where_ja

    def get(self, name: str) -> str:
        return self._real().get(name)

    def set(self, name: str, value: str) -> None:
        self._real().set(name, value)

    def delete(self, name: str) -> None:
        self._real().delete(name)


def application() -> QApplication:
    """The QApplication (created once), with the names Qt files settings and windows under."""
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication

    from app.ui.persist import APPLICATION, ORGANIZATION

    QCoreApplication.setOrganizationName(ORGANIZATION)
    QCoreApplication.setApplicationName(APPLICATION)
    QGuiApplication.setDesktopFileName(DESKTOP_FILE_NAME)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    return app


def build_window(
    paths: AppPaths, *, self_test: bool = False, problem: TodokuError | None = None
) -> tuple[QApplication, MainWindow]:
    """Create (or reuse) the QApplication, wire the services and show the main window.

    Nothing here touches the keyring, the network, openpyxl or openai: those wait until the
    operator needs them, so the window paints as early as possible. The deletion journal
    (SQLite) is opened just after the first paint, by a job the window starts; a journal that
    cannot be opened is reported in the window and leaves deleting disabled. ``problem`` (a log file
    that could not be opened) is shown once in the window's error panel.
    """
    from PySide6.QtCore import QSettings
    from PySide6.QtGui import QIcon

    from app.core.classify import LazyClassifier
    from app.core.storage.secrets import MemorySecretStore
    from app.core.storage.settings import SettingsStore
    from app.ui.controller import MainController
    from app.ui.history.session import HISTORY_FILE
    from app.ui.main_window import MainWindow
    from app.ui.persist import UiState
    from app.ui.qt_japanese import install_qt_japanese

    app = application()
    icon = paths.resources / "icons" / "todoku.png"
    if icon.is_file():
        app.setWindowIcon(QIcon(str(icon)))
    install_qt_japanese(app)  # before any widget: buttons take their text when built

    if self_test:
        QSettings.setDefaultFormat(QSettings.Format.IniFormat)
        QSettings.setPath(
            QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(paths.data_dir / "qt")
        )
        secrets: SecretStore = MemorySecretStore()  # the self-test never touches the keyring
    else:
        secrets = DeferredKeyringStore()
    controller = MainController(
        settings_store=SettingsStore(paths.settings_file),
        secrets=secrets,
        classify=LazyClassifier(rules_dir=paths.resources / "rules"),
        journal_path=paths.data_dir / JOURNAL_FILE,
        data_dir=paths.data_dir,
        history_path=paths.data_dir / HISTORY_FILE,
    )
    log_path = "" if isinstance(problem, LogFileError) else str(paths.log_file)
    window = MainWindow(controller, UiState(), log_path=log_path)
    window.show()
    if problem is not None:
        window.status_panel.show_error(problem)
    return app, window


def run(argv: list[str] | None = None) -> int:
    args = _parse_args(sys.argv[1:] if argv is None else argv)
    self_test_root: Path | None = None
    if args.self_test:
        import tempfile  # only the self-test needs it (not imported on a normal start)

        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        self_test_root = Path(tempfile.mkdtemp(prefix="todoku-selftest-"))
    try:
        paths = paths_under(self_test_root) if self_test_root else user_paths()
        # Neither folder may end start-up in a bare traceback (a windowed build shows none):
        # without a log file the app runs on; without a data folder it says why in a dialog.
        log_problem = start_logging(paths)
        log_file = None if log_problem else paths.log_file
        install_excepthook(log_file)
        log.info("Todoku starting (self-test=%s)", args.self_test)
        if log_problem is None:  # opened, but the first line may not have reached the disk
            log_problem = log_write_failure(paths)
            if log_problem is not None:
                log_file = None
                install_excepthook(log_file)  # its dialog must not name a log that stays empty
        try:
            paths.data_dir.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            problem = DataFolderError(str(paths.data_dir), error)
            log.error("cannot make the data folder: %s", problem.detail)
            show_error_dialog(
                problem.message_ja, problem.next_step_ja, problem.detail, str(log_file or "")
            )
            return 1
        guard = _claim_window(paths, log_file)
        if isinstance(guard, int):  # another copy keeps the window: this start ends here
            return guard
        app, window = build_window(paths, self_test=args.self_test, problem=log_problem)
        guard.window = window
        try:
            if args.self_test:
                return _self_test(app, window)
            return app.exec()
        finally:
            guard.close()  # later starts find no one: they open their own window
            # The window closed without waiting for its jobs: the bounded wait ends here, with
            # nothing left on screen to freeze (and anything still running is cancelled).
            window.controller.shutdown()
            window.controller.close_storage()
    finally:
        if self_test_root is not None:
            import shutil

            # The log file lives in the folder: close it first (Windows cannot delete open files).
            _close_log_handlers()
            shutil.rmtree(self_test_root, ignore_errors=True)


def _claim_window(paths: AppPaths, log_file: Path | None) -> InstanceGuard | int:
    """This start's right to the window: the guard that answers later starts, or the exit code
    when a copy already running on the same data folder keeps it: 0 when it showed its window,
    1 when it did not answer (said in a dialog: a second window would overwrite its settings)."""
    from app.ui.single_instance import RunningCopyNotAnsweringError, claim

    application()  # the sockets need its event loop (and the dialog below, the application)
    try:
        guard = claim(paths.data_dir)
    except RunningCopyNotAnsweringError as error:
        log.error("another copy holds the data folder but did not answer: %s", error.detail)
        show_error_dialog(error.message_ja, error.next_step_ja, error.detail, str(log_file or ""))
        return 1
    if guard is None:
        log.info("another copy is running on %s: its window was shown; exiting", paths.data_dir)
        if sys.stderr is not None:  # a windowed build has no console
            print(ALREADY_RUNNING_JA, file=sys.stderr)
        return 0
    return guard


def _self_test(app, window) -> int:
    """Fetch from the sandbox in practice mode and exit 0 if rows arrived without an error."""
    from PySide6.QtCore import QTimer

    outcome = {"code": 1}
    controller = window.controller

    def finished(running: bool) -> None:
        if running:
            return
        from app.ui.qt_japanese import installed_translator

        # A frozen build must carry Qt's Japanese texts too (packaging/todoku.spec).
        japanese = installed_translator(app) is not None
        ok = controller.model.total > 0 and not window.status_panel.isVisible() and japanese
        if not japanese:
            print("self-test: Qt's Japanese texts (qtbase_ja.qm) were not loaded", file=sys.stderr)
        outcome["code"] = 0 if ok else 1
        print(f"self-test: {controller.model.total} rows, {'OK' if ok else 'FAILED'}")
        if window.status_panel.error is not None:
            print(f"self-test error: {window.status_panel.error!r}", file=sys.stderr)
        window.close()
        app.quit()

    def start() -> None:
        controller.connection.set_practice(True)
        if not controller.fetch.start(window.range_bar.date_range(), window.selected_kinds()):
            print("self-test: fetch did not start", file=sys.stderr)
            window.close()
            app.quit()

    controller.fetch.running.connect(finished)
    QTimer.singleShot(0, start)
    QTimer.singleShot(SELF_TEST_TIMEOUT_MS, app.quit)
    app.exec()
    return outcome["code"]
