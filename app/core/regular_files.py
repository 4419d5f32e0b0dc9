"""Read a small file someone named (a settings file, letter templates, rule files) without
trusting what lies at that path.

``Path.read_bytes`` reads whatever it is given: a symbolic link to ``/dev/zero`` (or
``--settings /dev/zero``) read until memory ran out and ended in a MemoryError traceback, and a
named pipe waited for a writer for ever. ``read_regular_file`` looks before it opens, opens
without blocking, looks again at what it opened, and reads at most one byte more than its limit.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path


class NotARegularFileError(OSError):
    """The path exists but is a device, pipe, socket or folder (``kind`` says which)."""

    def __init__(self, path: Path, kind: str) -> None:
        super().__init__(f"not a regular file: {kind} ({path})")
        self.kind = kind


class FileTooLargeError(OSError):
    """The file holds more than the reader's limit (``limit`` bytes)."""

    def __init__(self, path: Path, limit: int) -> None:
        super().__init__(f"larger than {limit:,} bytes ({path})")
        self.limit = limit


def file_kind(mode: int) -> str:
    """What a ``st_mode`` that is not a regular file's is, in a word (for messages and logs)."""
    if stat.S_ISDIR(mode):
        return "folder"
    if stat.S_ISFIFO(mode):
        return "named pipe"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device"
    if stat.S_ISSOCK(mode):
        return "socket"
    return f"file type {stat.S_IFMT(mode):#o}"


def read_regular_file(path: Path, limit: int, *, pipes: bool = False) -> bytes:
    """The whole of the regular file ``path`` (a symbolic link to one is fine); with ``pipes``,
    a named pipe's content too (a secret handed over as ``<(command)``: the caller made it).

    Raises ``FileNotFoundError`` when nothing is there, ``NotARegularFileError`` for a device,
    pipe, socket or folder (nothing is read from it), ``FileTooLargeError`` past ``limit``
    bytes, and any other ``OSError`` of the open or the read.
    """
    mode = os.stat(path).st_mode
    pipe = pipes and stat.S_ISFIFO(mode)
    if not (stat.S_ISREG(mode) or pipe):
        raise NotARegularFileError(path, file_kind(mode))
    # O_NONBLOCK: should a pipe take the file's place after the check, the open still returns
    # at once and the check below refuses it.
    flags = os.O_RDONLY | getattr(os, "O_BINARY", 0)
    descriptor = os.open(path, flags if pipe else flags | getattr(os, "O_NONBLOCK", 0))
    try:
        mode = os.fstat(descriptor).st_mode
        if not (stat.S_ISREG(mode) or (pipe and stat.S_ISFIFO(mode))):
            raise NotARegularFileError(path, file_kind(mode))
        chunks: list[bytes] = []
        size = 0
        while size <= limit:
            chunk = os.read(descriptor, min(limit + 1 - size, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    finally:
        os.close(descriptor)
    if size > limit:
        raise FileTooLargeError(path, limit)
    return b"".join(chunks)
