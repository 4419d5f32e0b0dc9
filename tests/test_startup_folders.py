"""Start-up when the per-user data or log folder cannot be made (a file in the way) or the log
file cannot be opened: a Japanese message, never a bare traceback (a windowed build shows none).
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from app.core.errors import DataFolderError, LogFileError
from tests.helpers.app_process import run_driver, user_env, window_driver

# Runs the real entry point; a dialog is recorded (its text printed) instead of waiting for a
# click, and a window that reaches the event loop reports its error panel and is closed.
DRIVER = window_driver(
    r"""
    print("SHOWN window", type(error).__name__, window.status_panel.isVisible(), flush=True)
    print("HELP LOG", repr(window.log_path), flush=True)
""",
    record_dialogs=True,
)


@pytest.mark.parametrize("blocked", ["XDG_STATE_HOME", "log file is a folder"])
def test_a_log_that_cannot_be_opened_leaves_the_window_without_one_and_says_so(
    tmp_path: Path, blocked: str
) -> None:
    env = user_env(tmp_path)
    if blocked == "XDG_STATE_HOME":
        in_the_way = tmp_path / "a-file"
        in_the_way.write_text("not a folder")
        env[blocked] = str(in_the_way)  # platformdirs puts Todoku/log under it: mkdir fails
    else:  # the folders exist, but RotatingFileHandler cannot open todoku.log
        (tmp_path / "state" / "Todoku" / "log" / "todoku.log").mkdir(parents=True)
    result = run_driver(DRIVER, env)
    # Before the fix: NotADirectoryError / IsADirectoryError escaped as a bare traceback, exit 1.
    assert "Traceback" not in result.stderr, result.stderr[-1500:]
    assert f"SHOWN window {LogFileError.__name__} True" in result.stdout, (
        result.returncode,
        result.stdout,
        result.stderr[-800:],
    )
    assert "HELP LOG ''" in result.stdout  # ヘルプ › ログ… names no file that does not exist
    assert result.returncode == 0


def test_a_data_folder_that_cannot_be_made_ends_in_a_japanese_dialog(tmp_path: Path) -> None:
    in_the_way = tmp_path / "a-file"
    in_the_way.write_text("not a folder")
    env = user_env(tmp_path, XDG_DATA_HOME=str(in_the_way))
    result = run_driver(DRIVER, env)
    assert "Traceback" not in result.stderr, result.stderr[-1500:]
    assert "SHOWN dialog ErrorDetailsDialog" in result.stdout, (result.stdout, result.stderr)
    assert DataFolderError.default_message_ja in result.stdout
    assert str(in_the_way) in result.stdout  # the next step names where to look
    assert "SHOWN window" not in result.stdout
    assert result.returncode == 1
    # The log still works there, and keeps why start-up stopped.
    log_text = (tmp_path / "state" / "Todoku" / "log" / "todoku.log").read_text(encoding="utf-8")
    assert "cannot make the data folder" in log_text
    assert logging.getLevelName(logging.ERROR) in log_text
