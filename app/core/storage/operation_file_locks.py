"""Which operations of a SQLite journal a live process of this PC is running or reconciling.

The window and todoku-cli share one journal file. A deletion holds its operation by locking one
byte (at the operation's id) of a lock file beside the journal; the OS drops the lock when the
process ends in any way, kill -9 and a crash included. So a reconcile in another process can
tell a live deletion (leave it) from a dead one (settle it), as the shared store does with
PostgreSQL's session advisory locks (team/operation_locks.py).

POSIX record locks (``fcntl.lockf``) belong to the process and all of them on a file go when
any descriptor of that file is closed: every journal of one process therefore shares one
descriptor per lock file, closed only once none of its operations is held. On Windows
``msvcrt.locking`` locks the byte range at the file position. A lock file that cannot be
opened or locked for another reason leaves the old behaviour (every operation may be taken
over), logged: the deletion itself must not depend on it.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import stat
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

LOCK_SUFFIX = ".running"  # journal.sqlite3.running
_HELD_ELSEWHERE = {errno.EACCES, errno.EAGAIN, getattr(errno, "EDEADLOCK", errno.EDEADLK)}


@dataclass
class _LockFile:
    fd: int
    held: set[int] = field(default_factory=set)


_files: dict[str, _LockFile] = {}
_files_lock = threading.Lock()


def _lock_byte(fd: int, offset: int) -> None:
    """Lock one byte without waiting; OSError when another process holds it."""
    if sys.platform == "win32":
        import msvcrt

        os.lseek(fd, offset, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
    else:
        import fcntl

        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, offset, os.SEEK_SET)


def _unlock_byte(fd: int, offset: int) -> None:
    if sys.platform == "win32":
        import msvcrt

        os.lseek(fd, offset, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
    else:
        import fcntl

        fcntl.lockf(fd, fcntl.LOCK_UN, 1, offset, os.SEEK_SET)


def _open_regular(path: Path) -> int | None:
    """The lock file, created if missing; None (logged) when it cannot be used. Something
    else under that name (a pipe, a device) is never waited on nor locked."""
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags, 0o600)
    except OSError as error:
        log.warning("operation lock file %s not usable: %s", path, error)
        return None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        log.warning("operation lock file %s is not a regular file", path)
        return None
    return fd


class OperationFileLocks:
    """``take_over`` / ``release`` of ``JournalStore`` for one SQLite journal file."""

    def __init__(self, journal_path: Path) -> None:
        self.path = journal_path.with_name(journal_path.name + LOCK_SUFFIX)
        self._key = str(self.path.resolve())
        self._mine: set[int] = set()  # held through this journal object

    def take_over(self, operation_id: int) -> bool:
        """True when no live process holds ``operation_id`` (now this one does); False when
        one does, this process included."""
        with _files_lock:
            entry = _files.get(self._key)
            if entry is not None and operation_id in entry.held:
                return False
            if entry is None:
                fd = _open_regular(self.path)
                if fd is None:
                    return True
                entry = _files[self._key] = _LockFile(fd)
            try:
                _lock_byte(entry.fd, operation_id)
            except OSError as error:
                self._close_if_unused(entry)
                if error.errno in _HELD_ELSEWHERE:
                    return False
                log.warning("operation %d could not be locked: %s", operation_id, error)
                return True
            entry.held.add(operation_id)
            self._mine.add(operation_id)
            return True

    def release(self, operation_id: int) -> None:
        with _files_lock:
            if operation_id not in self._mine:
                return
            self._mine.discard(operation_id)
            entry = _files.get(self._key)
            if entry is None or operation_id not in entry.held:
                return
            entry.held.discard(operation_id)
            try:
                _unlock_byte(entry.fd, operation_id)
            except OSError as error:
                log.warning("operation %d could not be unlocked: %s", operation_id, error)
            self._close_if_unused(entry)

    def close(self) -> None:
        """Release what this journal object still holds."""
        for operation_id in sorted(self._mine):
            self.release(operation_id)

    def _close_if_unused(self, entry: _LockFile) -> None:
        if entry.held:
            return
        _files.pop(self._key, None)
        with contextlib.suppress(OSError):
            os.close(entry.fd)
