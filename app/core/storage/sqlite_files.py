"""Opening an SQLite file the user named, safely.

Two traps, both found with hostile file names and paths:

- SQLite reads ``file:`` names as URIs (https://www.sqlite.org/uri.html): it decodes ``%HH``
  and ends the path at ``?`` or ``#``. An unquoted ``f"file:{path}?mode=ro"`` therefore opened
  another file (or none) when a folder was called ``50%25`` or ``team#2``. ``read_only_uri``
  percent-quotes every byte of the path that is not a letter, digit, ``-._~`` or ``/``.
- A path may name a device, a named pipe, a socket or a folder. Opening a named pipe for
  reading waits for a writer (for ever), and a device's bytes are not SQLite's header, which
  the history took for a broken file and renamed. ``regular_file_header`` looks before it opens
  and refuses anything that is not a regular file.
"""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path
from urllib.parse import quote, quote_from_bytes

from app.core.regular_files import file_kind


class NotARegularFile(Exception):
    """The path exists but is a device, pipe, socket or folder (``kind`` says which)."""

    def __init__(self, path: Path, kind: str) -> None:
        super().__init__(f"not a regular file: {kind} ({path})")
        self.kind = kind


def read_only_uri(path: Path, *, immutable: bool = False) -> str:
    """An SQLite URI that opens exactly ``path``, read-only (``immutable``: SQLite also takes no
    locks and trusts that nobody changes the file while it is open)."""
    absolute = Path(path).absolute()
    if sys.platform == "win32":
        # SQLite's Windows form is file:///C:/folder/name (UTF-8, forward slashes).
        quoted = "/" + quote(absolute.as_posix(), safe="/:")
    else:
        # The file system's own bytes (a Linux name may be any bytes, not only UTF-8).
        quoted = quote_from_bytes(os.fsencode(absolute), safe="/")
    # An empty authority ("file://") keeps a path that starts with "//" from reading as a host.
    return f"file://{quoted}?mode=ro" + ("&immutable=1" if immutable else "")


def regular_file_header(path: Path, size: int) -> bytes | None:
    """The first ``size`` bytes of ``path``; None when nothing exists there.

    Raises ``NotARegularFile`` for a device, pipe, socket or folder without reading from it
    (a symbolic link to a regular file is fine), and ``OSError`` (e.g. ``PermissionError``)
    when the file cannot be read.
    """
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return None
    if not stat.S_ISREG(mode):
        raise NotARegularFile(path, file_kind(mode))
    # O_NONBLOCK: should a pipe take the file's place after the check, opening it still returns
    # at once, and the second check below refuses it.
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    descriptor = os.open(path, flags)
    try:
        mode = os.fstat(descriptor).st_mode
        if not stat.S_ISREG(mode):
            raise NotARegularFile(path, file_kind(mode))
        return os.read(descriptor, size)
    finally:
        os.close(descriptor)
