"""Start-up in a fresh interpreter: the window shows before any heavy or slow module is imported,
the log file opens after the first paint without losing a record, and a crash before the
QApplication exists still ends in the error dialog (and in the log file)."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.main import MAX_EARLY_RECORDS, open_log_file, setup_logging
from app.paths import AppPaths, paths_under
from app.ui import texts

ROOT = Path(__file__).resolve().parents[1]

# Loaded only when the operator needs them (export, AI, practice server, OS keyring, rules)
# or after the first paint (the deletion journal and machinery, the 配信状況 charts and stats).
DEFERRED = (
    "openai",
    "openpyxl",
    "app.sandbox",
    "keyring",
    "httpx",
    "app.core.classify.rules",
    "sqlite3",
    "app.core.storage.journal",
    "app.core.deletion",
    "app.core.stats",
    "fractions",
    "decimal",
    "app.ui.delivery.view",
    "app.ui.dialogs",
    "logging.handlers",  # the rotating log file opens after the first paint
    "platformdirs",  # app/paths.py names the per-user folders itself
    # The controller's invisible parts, built just after the first paint, and what only jobs
    # and the settings dialog use.
    "app.core.services",
    "app.core.results",
    "app.ui.workers",
    "app.ui.connection.settings_flow",
    "app.ui.delete.controller",
    "app.ui.delivery.controller",
    "app.ui.export.controller",
    "app.ui.ai.controller",
)
PARTS = ("deletion", "delivery", "export", "llm")

# Starts the way app.main.run() does; HOME and the XDG folders point into the test's tmp folder.
FIRST_PAINT_CHILD = """
import gc, json, logging, os, sys
from app.main import build_window, install_excepthook, setup_logging
from app.paths import user_paths

paths = user_paths().ensure()
# Live mode chosen earlier: start-up must still not read the key from the keyring.
paths.settings_file.write_text(json.dumps({"practice_mode": False}), encoding="utf-8")
setup_logging(paths)
install_excepthook(paths.log_file)
logging.getLogger("app.test").info("before the window: %s", "held in memory")
app, window = build_window(paths)
report = {}
PARTS = PARTS_TUPLE

def first_pass():
    deferred = json.loads(sys.argv[1])
    loaded = [
        n for n in deferred if n in sys.modules or any(m.startswith(n + ".") for m in sys.modules)
    ]
    report.update(
        visible=window.isVisible(),
        practice=window.controller.practice,
        title=window.windowTitle(),
        icon=not app.windowIcon().isNull(),
        desktop=app.desktopFileName(),
        loaded=loaded,
        log_file_at_first_pass=paths.log_file.exists(),
        grid_at_first_pass=window.list_page.has_grid,
        log_dir=str(paths.log_dir),
    )

def after_first_paint(attempts=300):
    # The log file opens, the garbage collector resumes and the grid is built once the window
    # was painted.
    built = [name for name in PARTS if window.controller.parts.built(name) is not None]
    done = paths.log_file.exists() and gc.isenabled() and window.list_page.has_grid
    done = done and len(built) == len(PARTS)
    if attempts and not done:
        QTimer.singleShot(10, lambda: after_first_paint(attempts - 1))
        return
    report.update(
        grid=window.list_page.has_grid,
        parts=built,
        collecting=gc.isenabled(),
        log=paths.log_file.read_text(encoding="utf-8") if paths.log_file.exists() else "",
    )
    print("PROBE " + json.dumps(report), flush=True)
    os._exit(0)

from PySide6.QtCore import QTimer
QTimer.singleShot(0, first_pass)
QTimer.singleShot(0, after_first_paint)
app.exec()
"""

FIRST_PAINT_CHILD = FIRST_PAINT_CHILD.replace("PARTS_TUPLE", repr(PARTS))

EARLY_CRASH_CHILD = """
import json, logging, sys, threading, time
from pathlib import Path
from app.main import install_excepthook, setup_logging
from app.paths import paths_under

paths = paths_under(Path(sys.argv[1])).ensure()
setup_logging(paths)
install_excepthook(paths.log_file)
logging.getLogger("app.test").info("held before the crash")

def close_dialog_later():
    # Wait for the QApplication the hook creates, then close every window: that ends the
    # dialog's exec(). (quit() would not: the main event loop never ran.)
    from PySide6.QtCore import QMetaObject, Qt
    from PySide6.QtWidgets import QApplication
    for _ in range(500):
        app = QApplication.instance()
        if app is not None:
            time.sleep(0.3)
            # Read-only look from this thread; the GUI thread sits in the dialog's exec().
            seen.extend(
                w.windowTitle() for w in app.topLevelWidgets()
                if type(w).__name__ == "ErrorDetailsDialog" and w.isVisible()
            )
            QMetaObject.invokeMethod(app, "closeAllWindows", Qt.ConnectionType.QueuedConnection)
            return
        time.sleep(0.01)

seen = []

threading.Thread(target=close_dialog_later, daemon=True).start()
sys.stderr = None  # a windowed Windows build has no console
try:
    raise RuntimeError("broken before the window")
except RuntimeError:
    sys.excepthook(*sys.exc_info())

from PySide6.QtWidgets import QApplication
print("APP", QApplication.instance() is not None)
print("DIALOGS", seen)
# Read before the interpreter exits: the hook itself must have written the file.
print("LOG", json.dumps(paths.log_file.read_text(encoding="utf-8")), flush=True)
"""


def child_env(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        QT_QPA_PLATFORM="offscreen",
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        XDG_STATE_HOME=str(home / ".local" / "state"),
        XDG_CACHE_HOME=str(home / ".cache"),
    )
    return env


def run_child(code: str, *args: str, home: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=ROOT,
        env=child_env(home),
        capture_output=True,
        text=True,
        timeout=30,
    )


def test_window_shows_before_heavy_modules_are_imported(tmp_path: Path) -> None:
    result = run_child(FIRST_PAINT_CHILD, json.dumps(DEFERRED), home=tmp_path)
    lines = [line for line in result.stdout.splitlines() if line.startswith("PROBE ")]
    assert lines, result.stderr
    report = json.loads(lines[0][len("PROBE ") :])
    assert report["visible"]
    assert report["practice"] is False
    assert "本番アカウント" in report["title"]
    assert report["icon"] and report["desktop"] == "todoku"
    assert report["loaded"] == []
    assert report["log_dir"] == str(tmp_path / ".local" / "state" / "Todoku" / "log")
    # The file opened after the first paint, with the record logged before the window existed.
    assert report["log_file_at_first_pass"] is False
    assert "INFO MainThread app.test: before the window: held in memory" in report["log"]
    assert report["collecting"] is True
    # The grid (table, header, the model's first Qt calls) is built just after the first paint.
    assert report["grid_at_first_pass"] is False
    assert report["grid"] is True
    assert report["parts"] == list(PARTS)


def test_crash_before_the_window_still_shows_the_dialog(tmp_path: Path) -> None:
    result = run_child(EARLY_CRASH_CHILD, str(tmp_path), home=tmp_path)
    assert "APP True" in result.stdout, result.stdout + result.stderr
    assert f"DIALOGS {[texts.ERROR_DIALOG_TITLE]!r}" in result.stdout
    assert result.returncode == 0, result.stderr
    logged = json.loads(result.stdout.split("LOG ", 1)[1])
    # The held record first, then the crash with its traceback.
    assert logged.index("held before the crash") < logged.index("unhandled exception")
    assert "RuntimeError: broken before the window" in logged


# -- the log records held until the file opens (in this process) ---------------------------


@pytest.fixture
def early_log(tmp_path: Path) -> Iterator[AppPaths]:
    """setup_logging as the app calls it; the root logger is restored afterwards."""
    paths = paths_under(tmp_path).ensure()
    root = logging.getLogger()
    handlers_before, level_before = list(root.handlers), root.level
    setup_logging(paths)
    yield paths
    for handler in root.handlers[:]:
        if handler not in handlers_before:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level_before)


def file_lines(paths: AppPaths) -> list[str]:
    for handler in logging.getLogger().handlers:
        handler.flush()
    return paths.log_file.read_text(encoding="utf-8").splitlines()


def test_records_wait_in_memory_and_keep_what_they_said(early_log):
    logger = logging.getLogger("tests.early")
    names = ["tama"]
    logger.info("names %s", names)
    names.append("pochi")  # changed after the call: the record must not change with it
    try:
        raise ValueError("early failure")
    except ValueError:
        logger.exception("caught")
    logger.debug("below the level")
    assert not early_log.log_file.exists()

    open_log_file()
    open_log_file()  # idempotent
    logger.info("after opening")
    text = "\n".join(file_lines(early_log))
    assert "tests.early: names ['tama']" in text
    assert "Traceback" in text and "ValueError: early failure" in text
    assert "below the level" not in text
    assert text.index("names ['tama']") < text.index("caught") < text.index("after opening")
    rotating = [
        h for h in logging.getLogger().handlers if type(h).__name__ == "RotatingFileHandler"
    ]
    assert len(rotating) == 1 and Path(rotating[0].baseFilename) == early_log.log_file


def test_a_full_buffer_opens_the_file_instead_of_dropping_records(early_log):
    logger = logging.getLogger("tests.early")
    for number in range(MAX_EARLY_RECORDS + 5):
        logger.info("record %05d", number)
    assert early_log.log_file.exists()  # opened by the buffer itself, no paint needed
    written = [line.rsplit(" ", 1)[1] for line in file_lines(early_log) if "record " in line]
    assert written == [f"{number:05d}" for number in range(MAX_EARLY_RECORDS + 5)]


def test_records_from_another_thread_are_neither_lost_nor_doubled_when_the_file_opens(early_log):
    logger = logging.getLogger("tests.early")
    count = MAX_EARLY_RECORDS // 2
    halfway = threading.Event()

    def chatter() -> None:
        for number in range(count):
            logger.info("thread %05d", number)
            if number == count // 4:
                halfway.set()

    worker = threading.Thread(target=chatter)
    worker.start()
    halfway.wait(5)
    open_log_file()  # while the thread keeps logging
    worker.join(10)
    written = [line.rsplit(" ", 1)[1] for line in file_lines(early_log) if "thread " in line]
    assert written == [f"{number:05d}" for number in range(count)]


def test_held_records_reach_the_file_when_the_program_exits(tmp_path: Path) -> None:
    code = (
        "import logging, sys\n"
        "from pathlib import Path\n"
        "from app.main import setup_logging\n"
        "from app.paths import paths_under\n"
        "setup_logging(paths_under(Path(sys.argv[1])).ensure())\n"
        "logging.getLogger('tests.exit').warning('said just before exiting')\n"
    )
    result = run_child(code, str(tmp_path), home=tmp_path)
    assert result.returncode == 0, result.stderr
    log_file = paths_under(tmp_path).log_file
    assert "WARNING MainThread tests.exit: said just before exiting" in log_file.read_text(
        encoding="utf-8"
    )
