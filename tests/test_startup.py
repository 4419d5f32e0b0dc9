"""Start-up in a fresh interpreter: the window shows before the heavy modules are imported, the
log file keeps what start-up logged, and a crash before the QApplication exists still ends in the
error dialog (and in the log file)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from app.paths import paths_under
from app.ui import texts

ROOT = Path(__file__).resolve().parents[1]

# Each costs 10 ms or more to import (or probes the OS, as keyring does) and no first paint
# needs it: the AI client, Excel, the OS keyring, HTTP, the SQLite journal, the practice servers.
# The DMARC core and dnspython are reached only through the DMARC feature, which LATER_FEATURES
# keeps out of the first paint.
HEAVY = (
    "openai",
    "openpyxl",
    "keyring",
    "httpx",
    "sqlite3",
    "app.sandbox",
)
# Features the first paint shows nothing of: built just after it (build_later_features).
LATER_FEATURES = (
    "app.ui.ai.controller",
    "app.ui.letters.controller",
    "app.ui.letters.zendesk_controller",
    "app.ui.dmarc.controller",
    "app.ui.team.controller",
)

# Starts the way app.main.run() does; HOME and the XDG folders point into the test's tmp folder.
FIRST_PAINT_CHILD = """
import json, logging, os, sys
from app.main import build_window, install_excepthook, setup_logging
from app.paths import user_paths

paths = user_paths().ensure()
# Live mode chosen earlier: start-up must still not read the key from the keyring.
paths.settings_file.write_text(json.dumps({"practice_mode": False}), encoding="utf-8")
setup_logging(paths)
install_excepthook(paths.log_file)
logging.getLogger("app.test").info("before the window")
app, window = build_window(paths)
report = {}

def imported(names):
    return [
        n for n in names if n in sys.modules or any(m.startswith(n + ".") for m in sys.modules)
    ]

def first_pass():
    buttons = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
    )
    loaded = imported(json.loads(sys.argv[1]))
    later_loaded = imported(json.loads(sys.argv[2]))
    report.update(
        visible=window.isVisible(),
        practice=window.controller.connection.practice,
        title=window.windowTitle(),
        icon=not app.windowIcon().isNull(),
        desktop=app.desktopFileName(),
        qt_buttons=[b.text() for b in buttons.buttons()],
        loaded=loaded,
        later_loaded_at_first_pass=later_loaded,
        later_at_first_pass=window.controller.later_built,
        grid_at_first_pass=window.list_page.has_grid,
        log_dir=str(paths.log_dir),
    )

def after_first_paint(attempts=300):
    # The grid and the later features are built once the window was painted.
    built = lambda: window.list_page.has_grid and window.controller.later_built
    if attempts and not built():
        QTimer.singleShot(10, lambda: after_first_paint(attempts - 1))
        return
    for handler in logging.getLogger().handlers:
        handler.flush()
    report.update(
        grid=window.list_page.has_grid,
        later=window.controller.later_built,
        later_loaded=imported(json.loads(sys.argv[2])),
        log=paths.log_file.read_text(encoding="utf-8"),
    )
    print("PROBE " + json.dumps(report), flush=True)
    os._exit(0)

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QDialogButtonBox
QTimer.singleShot(0, first_pass)
QTimer.singleShot(0, after_first_paint)
app.exec()
"""

EARLY_CRASH_CHILD = """
import json, logging, sys, threading, time
from pathlib import Path
from app.main import install_excepthook, setup_logging
from app.paths import paths_under

paths = paths_under(Path(sys.argv[1])).ensure()
setup_logging(paths)
install_excepthook(paths.log_file)
logging.getLogger("app.test").info("logged before the crash")

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
        LANG="en_US.UTF-8",  # an English desktop: the window must still be all Japanese
        LANGUAGE="en_US",
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
    result = run_child(
        FIRST_PAINT_CHILD, json.dumps(HEAVY), json.dumps(LATER_FEATURES), home=tmp_path
    )
    lines = [line for line in result.stdout.splitlines() if line.startswith("PROBE ")]
    assert lines, result.stderr
    report = json.loads(lines[0][len("PROBE ") :])
    assert report["visible"]
    assert report["practice"] is False
    assert "本番アカウント" in report["title"]
    assert report["icon"] and report["desktop"] == "todoku"
    # Qt's own texts are Japanese whatever the OS locale (child_env: English).
    assert report["qt_buttons"] == ["OK", "キャンセル"]
    assert report["loaded"] == []
    assert report["log_dir"] == str(tmp_path / ".local" / "state" / "Todoku" / "log")
    assert "INFO MainThread app.test: before the window" in report["log"]
    # The grid (table, header, the model's first Qt calls) is built just after the first paint,
    # and so are the features the first paint shows nothing of.
    assert report["grid_at_first_pass"] is False
    assert report["grid"] is True
    assert report["later_loaded_at_first_pass"] == []
    assert report["later_loaded"] == list(LATER_FEATURES)
    assert report["later_at_first_pass"] is False and report["later"] is True


def test_crash_before_the_window_still_shows_the_dialog(tmp_path: Path) -> None:
    result = run_child(EARLY_CRASH_CHILD, str(tmp_path), home=tmp_path)
    assert "APP True" in result.stdout, result.stdout + result.stderr
    assert f"DIALOGS {[texts.ERROR_DIALOG_TITLE]!r}" in result.stdout
    assert result.returncode == 0, result.stderr
    logged = json.loads(result.stdout.split("LOG ", 1)[1])
    # The earlier record first, then the crash with its traceback.
    assert logged.index("logged before the crash") < logged.index("unhandled exception")
    assert "RuntimeError: broken before the window" in logged


def test_records_reach_the_log_file_when_the_program_exits(tmp_path: Path) -> None:
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


def test_startup_benchmark_smoke() -> None:
    """benchmarks/startup.py still runs (one child of each kind) and finds no heavy import."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "startup.py"), "--smoke"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "ratio: " in result.stdout
    assert "heavy modules already imported: none" in result.stdout
