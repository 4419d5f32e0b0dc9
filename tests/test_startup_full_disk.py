"""Start-up when the disk under the log folder is full: the log file opens, but every line
written to it fails. A Japanese note in the window, never a traceback per log line."""

from __future__ import annotations

from pathlib import Path

from app.core.errors import LogFileError
from tests.helpers.app_process import run_driver, user_env, window_driver
from tests.helpers.tiny_disk import fill, tiny_disk

DRIVER = window_driver(
    r"""
    from app.core.errors import LogFileError
    kind = "LogFileError" if isinstance(error, LogFileError) else type(error).__name__
    print("SHOWN window", kind, window.status_panel.isVisible(), flush=True)
    if error is not None:
        print("MESSAGE", error.message_ja, flush=True)
"""
)


def test_a_full_disk_under_the_log_is_said_once_in_japanese(tmp_path: Path) -> None:
    with tiny_disk(tmp_path / "state") as state:
        (state / "Todoku" / "log").mkdir(parents=True)
        fill(state)
        result = run_driver(DRIVER, user_env(tmp_path))
    # Before: logging's "--- Logging error ---" and a traceback on stderr for every record,
    # and nothing in the window said the log was not being kept.
    assert "Traceback" not in result.stderr, result.stderr[-1500:]
    assert "Logging error" not in result.stderr, result.stderr[-1500:]
    assert f"SHOWN window {LogFileError.__name__} True" in result.stdout, (
        result.stdout,
        result.stderr[-800:],
    )
    assert "空き容量" in result.stdout
    assert result.returncode == 0
