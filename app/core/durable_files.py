"""Files that survive a crash or a power cut whole: flushed to the disk before they take their
final name, and the name itself flushed with the folder.

A rename is atomic for other processes, but the file system may put the rename on the disk
before the bytes: after a power cut the final name can then hold an empty or partly written
file. ``flush_file`` before the rename and ``flush_folder`` after it close that gap. A temporary
name of its own for every writer (``unique_temporary``) keeps two processes saving at once from
renaming each other's half-written file into place.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
from pathlib import Path


def flush_file(path: Path) -> None:
    """Make the written bytes of ``path`` durable (fsync; Windows needs a writable handle)."""
    descriptor = os.open(path, os.O_RDWR | getattr(os, "O_BINARY", 0))
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def flush_folder(folder: Path) -> None:
    """Make a rename or a new name in ``folder`` durable. POSIX only: Windows has no handle on a
    folder to flush, and NTFS journals the rename itself. A file system that refuses (some
    network shares) is left to its own guarantees: the file itself is already flushed."""
    if os.name == "nt":
        return
    with contextlib.suppress(OSError):
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def unique_temporary(path: Path) -> Path:
    """Create and return an empty temporary file beside ``path``, named for this writer alone.

    Same folder, so the final rename stays on one file system. O_EXCL with mode 0o666 lets the
    umask decide the permissions, as for any file the user saves (mkstemp would force 0600).
    """
    for _ in range(100):
        candidate = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
        try:
            descriptor = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue
        os.close(descriptor)
        return candidate
    raise FileExistsError(errno.EEXIST, "no free temporary name", str(path.parent))


def replace_durably(temporary: Path, path: Path) -> None:
    """Flush ``temporary``, rename it onto ``path``, flush the folder."""
    flush_file(temporary)
    os.replace(temporary, path)
    flush_folder(path.parent)


def write_durably(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` whole or not at all: a crash, a full disk or a second writer
    leaves either the old file or the new one, and no temporary file behind on failure."""
    temporary = unique_temporary(path)
    try:
        temporary.write_bytes(data)
        replace_durably(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise
