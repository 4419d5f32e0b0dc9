"""Run a driver script for the real entry point in a child process, with per-test user folders."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # tests/helpers/ → the repository


def user_env(tmp_path: Path, **overrides: str) -> dict[str, str]:
    """The environment of a start-up: home, data, state and config folders under ``tmp_path``."""
    return {
        **os.environ,
        "HOME": str(tmp_path / "home"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "QT_QPA_PLATFORM": "offscreen",
        "PYTHONPATH": str(ROOT),
        **overrides,
    }


_WINDOW_DRIVER = r"""
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialog
{dialogs}
original_exec = QApplication.exec
def report():
    window = next(w for w in QApplication.topLevelWidgets() if type(w).__name__ == "MainWindow")
    error = window.status_panel.error
{report}
    QApplication.quit()
def app_exec(*args):
    QTimer.singleShot(1500, report)
    return original_exec()
QApplication.exec = app_exec

from app.main import run
sys.exit(run([]))
"""
_RECORD_DIALOGS = r"""
def exec_(self, *args):
    print("SHOWN dialog", type(self).__name__, repr(getattr(self, "_copy_text", "")), flush=True)
    return 0
QDialog.exec = exec_
"""


def window_driver(report: str, *, record_dialogs: bool = False) -> str:
    """A driver that starts the real entry point and, once the window's event loop runs, executes
    ``report`` (lines indented by four spaces, with ``window`` and ``error`` — the error panel's
    error — in scope) and quits. With ``record_dialogs`` a dialog is printed instead of waiting
    for a click."""
    return _WINDOW_DRIVER.format(
        dialogs=_RECORD_DIALOGS if record_dialogs else "", report=report.rstrip("\n")
    )


def small_screen_env(tmp_path: Path, width: int, height: int) -> dict[str, str]:
    """``user_env`` on an offscreen screen of ``width`` × ``height`` pixels at 96 dpi."""
    screen = tmp_path / "screen.json"
    geometry = {"name": "s", "x": 0, "y": 0, "width": width, "height": height, "logicalDpi": 96}
    screen.write_text(json.dumps({"screens": [geometry]}), encoding="utf-8")
    return user_env(tmp_path, QT_QPA_PLATFORM=f"offscreen:configfile={screen}")


def run_driver(driver: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", driver],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def child_env() -> dict[str, str]:
    """A bare environment for a child that imports the app: the repository on its path."""
    return {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}


def run_side_by_side(script: str, argument_lists: list[list[str]]) -> list[tuple[str, str]]:
    """Start one child per argument list running ``script`` at the same time (two processes
    saving one file at once), wait for all; their (stdout, stderr)."""
    children = [
        subprocess.Popen(
            [sys.executable, "-c", script, *arguments],
            cwd=ROOT,
            env=child_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for arguments in argument_lists
    ]
    return [child.communicate(timeout=300) for child in children]
