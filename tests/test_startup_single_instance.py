"""One window per user and data folder: a second start of the real entry point brings the
running window to the front and exits instead of opening a copy whose settings would overwrite
the first one's (newuser6 item 2); a copy that crashed never keeps the next start out; a copy that
accepts the connection but never answers is said in a dialog."""

from __future__ import annotations

import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.main import ALREADY_RUNNING_JA
from app.ui.single_instance import LOCK_FILE, RunningCopyNotAnsweringError
from tests.helpers.app_process import ROOT, run_driver, user_env, window_driver

# The real entry point. Once its event loop runs it minimises the window and says READY; it says
# RAISED when something brought the window back, and quits when the stop file appears.
FIRST_COPY = r"""
import sys
from pathlib import Path
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

stop = Path(sys.argv[1])
original_exec = QApplication.exec
seen = {"raised": False}

def window():
    return next(w for w in QApplication.topLevelWidgets() if type(w).__name__ == "MainWindow")

def watch():
    if not seen["raised"] and not window().isMinimized():
        seen["raised"] = True
        print("RAISED", flush=True)
    if stop.exists():
        QApplication.quit()
        return
    QTimer.singleShot(50, watch)

def app_exec(*args):
    window().showMinimized()
    print("READY", window().isMinimized(), flush=True)
    QTimer.singleShot(50, watch)
    return original_exec()

QApplication.exec = app_exec
from app.main import run
sys.exit(run([]))
"""

SHOWN = window_driver(
    """
    print("SHOWN window", flush=True)
""",
    record_dialogs=True,
)

WAIT_S = 90  # bounds every wait; none of the assertions is about time


class Copy:
    """A running copy of the app whose output lines can be awaited."""

    def __init__(self, env: dict[str, str], stop: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", FIRST_COPY, str(stop)],
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        self._stderr: str | None = None
        assert self.process.stdout is not None
        self._reader = threading.Thread(target=self._read, args=(self.process.stdout,))
        self._reader.start()

    def _read(self, stream) -> None:  # type: ignore[no-untyped-def]
        for line in stream:
            self.lines.put(line.strip())
        self.lines.put("<eof>")

    def wait_for(self, word: str) -> str:
        while True:
            try:
                line = self.lines.get(timeout=WAIT_S)
            except queue.Empty:
                pytest.fail(f"no {word!r} from the copy; saw {self.seen}")
            self.seen.append(line)
            if line.startswith(word):
                return line
            if line == "<eof>":
                pytest.fail(f"the copy ended before {word!r}: {self.seen} {self.stderr()}")

    def all_lines(self) -> list[str]:
        """Every line until the copy's output ended (call once it has exited)."""
        while not self.seen or self.seen[-1] != "<eof>":
            self.seen.append(self.lines.get(timeout=WAIT_S))
        return self.seen

    def stderr(self) -> str:
        if self.process.poll() is None or self.process.stderr is None:
            return ""
        if self._stderr is None:
            self._stderr = self.process.stderr.read()
        return self._stderr[-1500:]

    def end(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=WAIT_S)
        self._reader.join(timeout=WAIT_S)  # the output ended with the process
        for stream in (self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()


@pytest.fixture
def env(tmp_path: Path) -> Iterator[dict[str, str]]:
    # A private runtime folder of its own (as a desktop session has), short enough for a socket
    # path: the socket left by a crashed copy can be seen there.
    runtime = Path(tempfile.mkdtemp(prefix="tdk-run-"))
    os.chmod(runtime, 0o700)
    try:
        yield user_env(tmp_path, XDG_RUNTIME_DIR=str(runtime))
    finally:
        shutil.rmtree(runtime, ignore_errors=True)


def second_start(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """``python -m app`` as the operator starts it again (the real entry point, untouched)."""
    return subprocess.run(
        [sys.executable, "-m", "app"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=WAIT_S,
    )


def test_a_second_start_brings_the_running_window_forward_and_exits(
    tmp_path: Path, env: dict[str, str]
) -> None:
    stop = tmp_path / "stop"
    first = Copy(env, stop)
    try:
        assert first.wait_for("READY") == "READY True"  # the window is minimised
        # Before the fix the second start opened a window of its own and never returned.
        second = second_start(env)
        assert second.returncode == 0, second.stderr[-1500:]
        assert "Traceback" not in second.stderr
        assert ALREADY_RUNNING_JA in second.stderr
        first.wait_for("RAISED")  # the running copy's window came back
        stop.touch()
        assert first.process.wait(timeout=WAIT_S) == 0, first.stderr()
    finally:
        first.end()
    # With the first copy closed, the next start opens its window as usual.
    result = run_driver(SHOWN, env)
    assert "SHOWN window" in result.stdout, result.stderr[-1500:]
    assert result.returncode == 0


def test_two_starts_at_the_same_moment_open_one_window(tmp_path: Path, env: dict[str, str]) -> None:
    stop = tmp_path / "stop"
    copies = [Copy(env, stop), Copy(env, stop)]
    try:
        # One of them finds the other (whichever listened first) and ends by itself.
        ended = None
        for _ in range(WAIT_S * 10):
            ended = next((c for c in copies if c.process.poll() is not None), None)
            if ended is not None:
                break
            time.sleep(0.1)
        assert ended is not None, "both copies kept running: two windows"
        kept = copies[1] if ended is copies[0] else copies[0]
        assert ended.process.returncode == 0, ended.stderr()
        assert ALREADY_RUNNING_JA in ended.stderr()
        assert "READY" not in " ".join(ended.all_lines())  # it never showed a window
        kept.wait_for("READY")
        stop.touch()
        assert kept.process.wait(timeout=WAIT_S) == 0, kept.stderr()
    finally:
        for copy in copies:
            copy.end()


def test_a_crashed_copy_never_keeps_the_next_start_out(tmp_path: Path, env: dict[str, str]) -> None:
    first = Copy(env, tmp_path / "stop")
    try:
        first.wait_for("READY")
        first.process.send_signal(signal.SIGKILL)  # no clean-up: its socket file stays
        first.process.wait(timeout=WAIT_S)
    finally:
        first.end()
    runtime = Path(env["XDG_RUNTIME_DIR"])
    assert list(runtime.glob("todoku-*")), "the crashed copy left no socket behind"
    # A crash in the moment a start holds the lock leaves the lock file naming a dead process.
    data_dir = tmp_path / "data" / "Todoku"
    locker = subprocess.run(
        [
            sys.executable,
            "-c",
            "import os, signal, sys\n"
            "from PySide6.QtCore import QLockFile\n"
            "lock = QLockFile(sys.argv[1])\n"
            "assert lock.tryLock(0)\n"
            "os.kill(os.getpid(), signal.SIGKILL)\n",
            str(data_dir / LOCK_FILE),
        ],
        env=env,
        capture_output=True,
        timeout=WAIT_S,
    )
    assert locker.returncode == -signal.SIGKILL
    assert (data_dir / LOCK_FILE).exists()

    result = run_driver(SHOWN, env)
    assert "Traceback" not in result.stderr, result.stderr[-1500:]
    assert "SHOWN window" in result.stdout, (result.stdout, result.stderr[-1500:])
    assert "SHOWN dialog" not in result.stdout
    assert result.returncode == 0


def test_a_copy_that_does_not_answer_is_said_and_no_second_window_opens(
    tmp_path: Path, env: dict[str, str]
) -> None:
    stop = tmp_path / "stop"
    first = Copy(env, stop)
    try:
        first.wait_for("READY")
        first.process.send_signal(signal.SIGSTOP)  # frozen: connects, never answers
        try:
            result = run_driver(SHOWN, env)
        finally:
            first.process.send_signal(signal.SIGCONT)
        assert "Traceback" not in result.stderr, result.stderr[-1500:]
        assert "SHOWN dialog ErrorDetailsDialog" in result.stdout, result.stdout
        assert RunningCopyNotAnsweringError.default_message_ja in result.stdout
        assert "SHOWN window" not in result.stdout
        assert result.returncode == 1
        stop.touch()
        assert first.process.wait(timeout=WAIT_S) == 0, first.stderr()
    finally:
        first.end()
