"""A folder the test fills and then locks, and a command run by a user who cannot write it.

Permission tests must work as root too (CI and this machine run as root, and root ignores file
modes): as root the command runs as ``nobody`` through ``setpriv``; as any other user the
locked modes (folder 0o555, files 0o444) already keep that user from writing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

NOBODY = 65534


@contextmanager
def lockable_folder() -> Iterator[Path]:
    """A new folder every user can reach (under the system temp folder, not pytest's private
    tmp_path); unlocked and removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="todoku-locked-"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        folder.chmod(0o755)
        shutil.rmtree(folder, ignore_errors=True)


def lock(folder: Path) -> None:
    """Make the folder and its files read-only (readable by everyone)."""
    for child in folder.iterdir():
        child.chmod(0o444)
    folder.chmod(0o555)


def run_as_other_user(
    argv: list[str], *, cwd: Path, env: dict[str, str], timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    prefix: list[str] = []
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root without setpriv (util-linux): cannot drop to nobody")
        prefix = [setpriv, f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]
    return subprocess.run(
        [*prefix, *argv], cwd=cwd, env=env, capture_output=True, text=True, encoding="utf-8",
        timeout=timeout,
    )  # fmt: skip
