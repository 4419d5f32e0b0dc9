"""What an SQLite error says about a file: damaged, busy (another program holds it), full, or
not ours to write.

SQLite's result codes (https://www.sqlite.org/rescode.html) are the verdict; the message text
is the fallback for errors raised without one. Any error that is none of these (cannot open
for another reason, I/O) says nothing about the file's content: a sound WAL file in a folder
the user cannot write fails with SQLITE_CANTOPEN (no ``-shm`` file can be made), and the
history once renamed such a file as broken.
"""

from __future__ import annotations

import sqlite3

_CORRUPT_CODES = frozenset((sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB))
_BUSY_CODES = frozenset((sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED))
PERMISSION_CODES = frozenset(
    (sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_PERM, sqlite3.SQLITE_READONLY, sqlite3.SQLITE_AUTH)
)


def primary_code(error: sqlite3.Error) -> int | None:
    code = getattr(error, "sqlite_errorcode", None)
    return None if code is None else int(code) & 0xFF  # extended codes keep it in the low byte


def is_corrupt(error: sqlite3.Error) -> bool:
    """True only when SQLite says the file's content is damaged or not a database."""
    code = primary_code(error)
    if code is not None:
        return code in _CORRUPT_CODES
    text = str(error)
    return "file is not a database" in text or "database disk image is malformed" in text


def is_busy(error: sqlite3.Error) -> bool:
    """True when another connection (another program) held its lock past the busy wait."""
    code = primary_code(error)
    if code is not None:
        return code in _BUSY_CODES
    text = str(error)
    return "database is locked" in text or "database table is locked" in text


def is_disk_full(error: sqlite3.Error) -> bool:
    return primary_code(error) == sqlite3.SQLITE_FULL or "database or disk is full" in str(error)


def is_permission(error: sqlite3.Error) -> bool:
    return primary_code(error) in PERMISSION_CODES
