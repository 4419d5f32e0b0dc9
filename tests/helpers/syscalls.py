"""Run a command under ``strace`` and read back the file-system and socket calls it made, in
order, so a test can check what reached the disk before what (an fsync before a rename, a
journal commit before a DELETE request). Skips where strace is missing or ptrace is refused."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

TRACED = "fsync,fdatasync,rename,renameat,renameat2,openat,sendto,write,pwrite64,close"


def traced_run(
    argv: list[str], *, log: Path, cwd: Path, env: dict[str, str], timeout: float = 120
) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    """Run ``argv`` (and its threads) under strace; return the result and the traced lines."""
    strace = shutil.which("strace")
    if strace is None:
        pytest.skip("strace is not installed (packaging/linux/apt-packages.txt lists it)")
    probe = subprocess.run([strace, "-o", "/dev/null", "true"], capture_output=True, check=False)
    if probe.returncode != 0:
        pytest.skip(f"ptrace is not allowed here: {probe.stderr.decode(errors='replace')}")
    result = subprocess.run(
        [strace, "-f", "-s", "96", "-e", f"trace={TRACED}", "-o", str(log), *argv],
        cwd=cwd, env=env, capture_output=True, text=True, encoding="utf-8", timeout=timeout,
    )  # fmt: skip
    return result, log.read_text(encoding="utf-8", errors="replace").splitlines()


def first_index(lines: list[str], *needles: str, start: int = 0) -> int:
    """Index of the first line from ``start`` holding every needle; -1 when none does."""
    for index in range(start, len(lines)):
        if all(needle in lines[index] for needle in needles):
            return index
    return -1


def renamed_onto(lines: list[str], target: Path) -> tuple[int, str]:
    """The line index of the last rename onto ``target`` and the name it came from
    ((-1, "") when nothing was renamed onto it)."""
    found = (-1, "")
    for index, line in enumerate(lines):
        call = line.split(None, 1)[-1]
        if call.startswith("rename") and f'"{target}")' in call and "= -1" not in call:
            found = (index, call.split('"')[1])
    return found


def _call(line: str) -> str:
    """The call of a traced line, without the thread id strace -f puts first."""
    return line.split(None, 1)[-1].strip() if line[:1].isdigit() else line.strip()


def synced_before(lines: list[str], opened: str, until: int) -> bool:
    """True when every byte written to the file named ``opened`` before line ``until`` was
    flushed by an fsync or fdatasync on one of its descriptors before that line."""
    descriptors: set[str] = set()
    synced = False
    for line in lines[:until]:
        call = _call(line)
        if call.startswith("openat(") and f'"{opened}"' in call and "= -1" not in call:
            descriptors.add(call.rsplit("=", 1)[1].strip())
            if "O_WRONLY" in call or "O_RDWR" in call:
                synced = False
            continue
        name, _, rest = call.partition("(")
        descriptor = rest.split(",", 1)[0].split(")", 1)[0]
        if descriptor not in descriptors:
            continue
        if name in ("write", "pwrite64"):
            synced = False
        elif name in ("fsync", "fdatasync") and call.rstrip().endswith("= 0"):
            synced = True
        elif name == "close":
            descriptors.discard(descriptor)
    return synced
