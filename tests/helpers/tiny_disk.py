"""A small tmpfs mounted for one test and filled to the last byte: a full disk without filling
the machine's. Needs root (mount); the test is skipped where mounting is not allowed."""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest


@contextlib.contextmanager
def tiny_disk(folder: Path, size_kb: int = 256) -> Iterator[Path]:
    """Mount a ``size_kb`` tmpfs on ``folder`` (created if missing); unmounted afterwards."""
    folder.mkdir(parents=True, exist_ok=True)
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs (a full disk) needs root")
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size_kb}k,mode=0777", "tmpfs", str(folder)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True, check=False)


def fill(folder: Path) -> None:
    """Write a file until the disk under ``folder`` has no byte left."""
    with open(folder / "filler.bin", "wb", buffering=0) as stream:
        block = b"\0" * 4096
        while True:
            try:
                stream.write(block)
            except OSError:
                break
        for size in (1024, 256, 64, 16, 1):
            while True:
                try:
                    stream.write(b"\0" * size)
                except OSError:
                    break
