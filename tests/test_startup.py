"""Start-up in a fresh interpreter: the window shows before any heavy or slow module is imported,
and a crash before the QApplication exists still ends in the error dialog."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

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
    "app.ui.delivery_view",
    "app.ui.dialogs",
)

FIRST_PAINT_CHILD = """
import json, os, sys
from pathlib import Path
from app.main import build_window
from app.paths import paths_under

paths = paths_under(Path(sys.argv[1])).ensure()
# Live mode chosen earlier: start-up must still not read the key from the keyring.
paths.settings_file.write_text(json.dumps({"practice_mode": False}), encoding="utf-8")
app, window = build_window(paths)

def probe():
    deferred = json.loads(sys.argv[2])
    loaded = [
        n for n in deferred if n in sys.modules or any(m.startswith(n + ".") for m in sys.modules)
    ]
    print("PROBE " + json.dumps({
        "visible": window.isVisible(),
        "practice": window.controller.practice,
        "title": window.windowTitle(),
        "icon": not app.windowIcon().isNull(),
        "desktop": app.desktopFileName(),
        "loaded": loaded,
    }), flush=True)
    os._exit(0)

from PySide6.QtCore import QTimer
QTimer.singleShot(0, probe)
app.exec()
"""

EARLY_CRASH_CHILD = """
import sys, threading, time
from pathlib import Path
from app.main import install_excepthook

install_excepthook(Path(sys.argv[1]) / "todoku.log")

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
    result = run_child(
        FIRST_PAINT_CHILD, str(tmp_path / "app"), json.dumps(DEFERRED), home=tmp_path
    )
    lines = [line for line in result.stdout.splitlines() if line.startswith("PROBE ")]
    assert lines, result.stderr
    report = json.loads(lines[0][len("PROBE ") :])
    assert report["visible"]
    assert report["practice"] is False
    assert "本番アカウント" in report["title"]
    assert report["icon"] and report["desktop"] == "todoku"
    assert report["loaded"] == []


def test_crash_before_the_window_still_shows_the_dialog(tmp_path: Path) -> None:
    result = run_child(EARLY_CRASH_CHILD, str(tmp_path), home=tmp_path)
    assert "APP True" in result.stdout, result.stdout + result.stderr
    assert f"DIALOGS {[texts.ERROR_DIALOG_TITLE]!r}" in result.stdout
    assert result.returncode == 0, result.stderr
