"""A child process killed with SIGKILL at a chosen point: what a crash test starts from."""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.core.storage.journal import OperationState


def kill_when(
    command: Sequence[str],
    ready: Callable[[], bool],
    *,
    never: str,
    timeout_s: float = 30.0,
    poll_s: float = 0.02,
    **popen: Any,
) -> int:
    """Start ``command``, poll ``ready()`` until it is true, then kill -9 the child; returns
    its exit code (``-signal.SIGKILL`` when the kill ended it).

    The child ending on its own first fails the test with its output; so does ``timeout_s``
    passing, with ``never`` as the message. The child is never left running."""
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **popen)
    try:
        deadline = time.monotonic() + timeout_s
        while not ready():
            assert child.poll() is None, child.communicate()
            assert time.monotonic() < deadline, never
            time.sleep(poll_s)
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        for stream in (child.stdout, child.stderr):
            if stream is not None:
                stream.close()
    return int(child.returncode)


def operation_states(journal_file: Path) -> list[OperationState]:
    """The state of every operation in a SQLite journal, oldest first ([] before it exists)."""
    from app.core.storage.journal import DeletionJournal

    if not journal_file.exists():
        return []
    journal = DeletionJournal(journal_file)
    try:
        return [operation.state for operation in journal.list_operations()]
    finally:
        journal.close()


def kill_once_deleting(command: Sequence[str], journal_file: Path, **popen: Any) -> int:
    """Run a ``todoku-cli delete`` ``command`` and kill -9 it once its one operation is
    "running" in ``journal_file``: the plan is journaled and a request may be on its way."""
    from app.core.storage.journal import OperationState

    return kill_when(
        command,
        lambda: operation_states(journal_file) == [OperationState.RUNNING],
        never="the CLI never started its deletion",
        **popen,
    )
