"""Start-up: paths, logging, crash handler, services wired by hand, main window."""

from __future__ import annotations

import argparse
import contextlib
import gc
import logging
import os
import sys
import threading
import traceback
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from app.core.storage.secrets import SecretStore
from app.paths import AppPaths, paths_under, user_paths

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication

    from app.ui.main_window import MainWindow

log = logging.getLogger("app.main")

SELF_TEST_TIMEOUT_MS = 60_000
JOURNAL_FILE = "journal.sqlite3"
DESKTOP_FILE_NAME = "todoku"  # packaging/linux/todoku.desktop: docks match the window to it
LOG_FORMAT = "%(asctime)s %(levelname)s %(threadName)s %(name)s: %(message)s"
LOG_MAX_BYTES = 1_000_000
LOG_BACKUPS = 3
# Records held in memory before the log file opens; a start-up logs a handful. Reaching this
# opens the file at once: records are dropped only if the file cannot be opened at all.
MAX_EARLY_RECORDS = 1000


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
    """Log to a rotating file in the per-user log dir. API keys never reach a log call.

    The file itself opens after the window's first paint (``open_log_file``): opening it
    imports ``logging.handlers`` (socket, pickle, queue: ~4 ms) and touches the disk. Until
    then records wait in memory, in order and with their own timestamps; they are written when
    the file opens, which also happens when a crash is reported, when the program exits, and
    when ``MAX_EARLY_RECORDS`` have piled up.
    """
    root = logging.getLogger()
    root.setLevel(level)
    root.addHandler(_EarlyLogBuffer(paths.log_file))
    # httpx logs every request URL at INFO; quieter by default.
    logging.getLogger("httpx").setLevel(logging.WARNING)


def open_log_file() -> None:
    """Open the log file ``setup_logging`` prepared and write the records held until now.

    Idempotent; does nothing if ``setup_logging`` was not called.
    """
    for handler in logging.getLogger().handlers[:]:
        if isinstance(handler, _EarlyLogBuffer):
            handler.open_file()


class _EarlyLogBuffer(logging.Handler):
    """Holds records in memory until the log file opens, then hands its place over to it."""

    def __init__(self, log_file: Path) -> None:
        super().__init__()
        self._log_file = log_file
        self._held: list[logging.LogRecord] = []
        self._file: logging.Handler | None = None

    def emit(self, record: logging.LogRecord) -> None:
        if self._file is not None:
            # Another thread read the handler list just before the swap: pass it on.
            self._file.handle(record)
            return
        try:
            self._held.append(_detached(record))
        except Exception:
            self.handleError(record)
            return
        if len(self._held) >= MAX_EARLY_RECORDS:
            try:
                self.open_file()
            except OSError:  # the file cannot be opened: report it, keep the newest records
                self.handleError(record)
                del self._held[: -MAX_EARLY_RECORDS // 2]

    def open_file(self) -> None:
        with self.lock:  # the same (re-entrant) lock emit() runs under: no record slips by
            if self._file is not None:
                return
            import logging.handlers

            file = logging.handlers.RotatingFileHandler(
                self._log_file, maxBytes=LOG_MAX_BYTES, backupCount=LOG_BACKUPS, encoding="utf-8"
            )
            file.setFormatter(logging.Formatter(LOG_FORMAT))
            for record in self._held:
                file.handle(record)
            self._held.clear()
            self._file = file
            # One in-place swap: a logging thread sees either this buffer (which now passes
            # records on) or the file, never both, so nothing is written twice or lost.
            handlers = logging.getLogger().handlers
            if self in handlers:
                handlers[handlers.index(self)] = file

    def flush(self) -> None:
        """Called by ``logging.shutdown`` at exit: held records must reach the file."""
        if self._held:
            self.open_file()
        if self._file is not None:
            self._file.flush()


def _detached(record: logging.LogRecord) -> logging.LogRecord:
    """A copy of ``record`` with its message and traceback already rendered to text.

    Held records must not keep arguments that may change before they are written, nor the
    frames of a live traceback.
    """
    message = record.getMessage()
    exception_text = record.exc_text
    if record.exc_info and not exception_text:
        exception_text = logging.Formatter().formatException(record.exc_info)
    held = logging.makeLogRecord(record.__dict__)
    held.msg, held.args, held.exc_info, held.exc_text = message, None, None, exception_text
    return held


def _close_log_handlers() -> None:
    root = logging.getLogger()
    for handler in root.handlers[:]:
        if isinstance(handler, (logging.FileHandler, _EarlyLogBuffer)):
            root.removeHandler(handler)
            handler.close()


def install_excepthook(log_file: Path) -> None:
    """Unhandled exceptions on the GUI thread → logged, then the error-details dialog.

    A windowed build has no console (stderr is None on Windows), so even a failure before the
    main window exists gets a dialog: the hook creates the QApplication itself if needed.
    """

    def hook(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
        detail = "".join(traceback.format_exception(kind, error, tb))
        # A crash before the first paint: the file must exist now. If the log folder is not
        # writable, the dialog must still appear.
        with contextlib.suppress(Exception):
            open_log_file()
        log.error("unhandled exception\n%s", detail)
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, error, tb)
            return
        try:
            from PySide6.QtWidgets import QApplication

            from app.ui import texts
            from app.ui.dialogs.error_details import ErrorDetailsDialog

            if QApplication.instance() is None:
                QApplication(sys.argv[:1])
            dialog = ErrorDetailsDialog(
                texts.CRASH_MESSAGE, texts.CRASH_NEXT_STEP, detail, str(log_file)
            )
            dialog.exec()
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


def _install_translator(app: QApplication) -> None:
    """Qt's own texts (standard buttons, context menus of line edits) in Japanese."""
    from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator

    translator = QTranslator(app)
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if translator.load(QLocale(QLocale.Language.Japanese), "qtbase", "_", folder):
        app.installTranslator(translator)
    else:
        log.info("qtbase_ja translation not found in %s", folder)


def _import_qt_free_modules() -> None:
    """Import the Qt-free modules the window needs before PySide6 itself.

    In a run from source, PySide6's import hook reads the source of every module imported
    after it (to look for ``PySide6`` in it; ~5 ms over these). A frozen build has no sources,
    so there the order makes no difference.
    """
    import app.core.classify.lazy
    import app.core.classify.vocabulary
    import app.core.dates
    import app.core.storage.settings
    import app.ui.texts  # noqa: F401 (one name binds all five; flagged only here)


def build_window(paths: AppPaths, *, self_test: bool = False) -> tuple[QApplication, MainWindow]:
    """Create (or reuse) the QApplication, wire the services and show the main window.

    Nothing here touches the keyring, the network, openpyxl or openai: those wait until the
    operator needs them, so the window paints as early as possible. The deletion journal
    (SQLite) is opened just after the first paint, by the window; a journal that cannot be
    opened is reported in the window and leaves deleting disabled. The log file opens then
    too (``setup_logging``).

    The cyclic garbage collector pauses until the first paint: it would run ~50 times while
    the modules and widgets are created and find next to nothing to free (5–7 ms measured).
    Reference counting frees memory as usual meanwhile.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        app, window = _build_window(paths, self_test=self_test)
    except BaseException:
        if collecting:
            gc.enable()  # no first paint will come
        raise
    # Both run after the first paint; the window's own after-paint steps follow in later passes.
    window.first_painted.connect(open_log_file)
    if collecting:
        window.first_painted.connect(_resume_garbage_collection)
    return app, window


def _resume_garbage_collection() -> None:
    gc.enable()


def _build_window(paths: AppPaths, *, self_test: bool) -> tuple[QApplication, MainWindow]:
    _import_qt_free_modules()
    from PySide6.QtCore import QCoreApplication, QSettings
    from PySide6.QtGui import QGuiApplication, QIcon
    from PySide6.QtWidgets import QApplication

    from app.core.classify.lazy import LazyClassifier
    from app.core.storage.secrets import MemorySecretStore
    from app.core.storage.settings import SettingsStore
    from app.ui.controller import MainController
    from app.ui.main_window import MainWindow
    from app.ui.persist import APPLICATION, ORGANIZATION, UiState

    QCoreApplication.setOrganizationName(ORGANIZATION)
    QCoreApplication.setApplicationName(APPLICATION)
    QGuiApplication.setDesktopFileName(DESKTOP_FILE_NAME)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    icon = paths.resources / "icons" / "todoku.png"
    if icon.is_file():
        app.setWindowIcon(QIcon(str(icon)))
    _install_translator(app)

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
    )
    window = MainWindow(controller, UiState(), log_path=str(paths.log_file))
    window.show()
    return app, window


def run(argv: list[str] | None = None) -> int:
    args = _parse_args(sys.argv[1:] if argv is None else argv)
    self_test_root: Path | None = None
    if args.self_test:
        import tempfile  # only the self-test needs it (not imported on a normal start)

        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        self_test_root = Path(tempfile.mkdtemp(prefix="todoku-selftest-"))
    try:
        paths = (paths_under(self_test_root) if self_test_root else user_paths()).ensure()
        setup_logging(paths)
        install_excepthook(paths.log_file)
        log.info("Todoku starting (self-test=%s)", args.self_test)
        app, window = build_window(paths, self_test=args.self_test)
        try:
            if args.self_test:
                return _self_test(app, window)
            return app.exec()
        finally:
            window.controller.close_storage()
            open_log_file()  # closed before the first paint: the held records still go out
    finally:
        if self_test_root is not None:
            import shutil

            # The log file lives in the folder: close it first (Windows cannot delete open files).
            _close_log_handlers()
            shutil.rmtree(self_test_root, ignore_errors=True)


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
