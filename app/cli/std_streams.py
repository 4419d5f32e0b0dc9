"""Standard streams that cannot be used: closed (``>&-``, ``<&-``) or failing (``> /dev/full``).

A script must learn that its output went nowhere. Python sets ``sys.stdout`` to None when
descriptor 1 is closed, and ``print`` then drops every line without a word (exit 0, no rows);
a full disk raises ENOSPC at some flush, often only the interpreter's final one, after the
command already returned 0. So stdout's writes are marked (``StdStreamError``, told apart from
a file's OSError), ``main`` flushes stdout inside its guarded region, and such a failure becomes
a Japanese line on stderr and exit code 1.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import sys
from typing import Any

_NO_OUTPUT = (
    "出力は届いていません。出力先（リダイレクト先、そのディスクの空き）を確認してください。"
)


class StdStreamError(OSError):
    """Reading stdin or writing stdout failed; ``message_ja`` says which and why."""

    def __init__(self, code: int, message_ja: str) -> None:
        super().__init__(code, os.strerror(code))
        self.message_ja = message_ja


def _write_failure(code: int) -> StdStreamError:
    if code == errno.EBADF:
        return StdStreamError(code, f"標準出力が閉じられています。{_NO_OUTPUT}")
    if code in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):  # no EDQUOT on Windows
        return StdStreamError(code, f"標準出力の書き込み先に空き容量がありません。{_NO_OUTPUT}")
    return StdStreamError(code, f"標準出力に書き込めません（{os.strerror(code)}）。{_NO_OUTPUT}")


class _ClosedRaw(io.RawIOBase):
    """Stands in for a closed descriptor: every read or write fails (until silenced)."""

    def __init__(self, *, for_reading: bool) -> None:
        super().__init__()
        self._for_reading = for_reading
        self.silenced = False

    def readable(self) -> bool:
        return self._for_reading

    def writable(self) -> bool:
        return not self._for_reading

    def readinto(self, buffer: Any) -> int:
        raise StdStreamError(
            errno.EBADF,
            "標準入力が閉じられています。入力をファイルかパイプで渡してください（< ファイル名）。",
        )

    def write(self, data: Any) -> int:
        if self.silenced:  # the failure was reported; the final flush must not repeat it
            return len(memoryview(data))
        raise _write_failure(errno.EBADF)


class _MarkedRaw(io.RawIOBase):
    """The real stdout, whose write errors say they are stdout's (a broken pipe stays as is:
    ``main`` handles it quietly)."""

    def __init__(self, inner: Any) -> None:
        super().__init__()
        self._inner = inner
        # Remembered because some writers swallow OSError (argparse's help and usage text).
        self.failure: StdStreamError | None = None

    def writable(self) -> bool:
        return True

    def fileno(self) -> int:
        return int(self._inner.fileno())

    def isatty(self) -> bool:
        return bool(self._inner.isatty())

    def write(self, data: Any) -> int | None:
        try:
            written: int | None = self._inner.write(data)
        except BrokenPipeError:
            raise
        except StdStreamError:
            raise
        except OSError as error:
            self.failure = _write_failure(error.errno or errno.EIO)
            raise self.failure from error
        return written

    def close(self) -> None:
        # The descriptor stays open: sys.__stdout__ and the interpreter still own it.
        super().close()


def _occupy(fd: int) -> None:
    """Put /dev/null on a closed descriptor, so the next file opened (the history database,
    an export) cannot get number 0 or 1 and receive what was meant for stdout."""
    try:
        os.fstat(fd)
    except OSError:
        opened = os.open(os.devnull, os.O_RDWR)
        if opened != fd:
            os.dup2(opened, fd)
            os.close(opened)


def guard_streams() -> None:
    """Closed stdin/stdout become streams that fail on use instead of None; the process's own
    stdout gets marked write errors. Test captures (not ``sys.__stdout__``) stay untouched."""
    if sys.stdin is None:
        _occupy(0)
        sys.stdin = io.TextIOWrapper(
            io.BufferedReader(_ClosedRaw(for_reading=True)), encoding="utf-8"
        )
    if sys.stdout is None:
        _occupy(1)
        sys.stdout = io.TextIOWrapper(
            io.BufferedWriter(_ClosedRaw(for_reading=False)), encoding="utf-8"
        )
        return
    stdout = sys.stdout
    buffer = getattr(stdout, "buffer", None)
    if stdout is not sys.__stdout__ or not isinstance(stdout, io.TextIOWrapper) or buffer is None:
        return
    stdout.flush()
    marked: io.RawIOBase | io.BufferedWriter
    if isinstance(buffer, io.RawIOBase):  # python -u / PYTHONUNBUFFERED: keep it unbuffered
        marked = _MarkedRaw(buffer)
    else:
        marked = io.BufferedWriter(_MarkedRaw(buffer.raw))
    sys.stdout = io.TextIOWrapper(
        marked,
        encoding=stdout.encoding,
        errors=stdout.errors,
        line_buffering=stdout.line_buffering,
        write_through=stdout.write_through,
    )


def flush_stdout() -> None:
    """Write what is still buffered now, while a failure can still change the exit code."""
    if sys.stdout is None:
        return
    sys.stdout.flush()
    buffer = getattr(sys.stdout, "buffer", None)
    raw = getattr(buffer, "raw", buffer)
    if isinstance(raw, _MarkedRaw) and raw.failure is not None:
        raise raw.failure


def silence_stdout() -> None:
    """Let later writes and the interpreter's final flush go nowhere, quietly.

    Python's signal docs recommend the same for a broken pipe: point stdout at devnull."""
    buffer = getattr(sys.stdout, "buffer", None)
    raw = getattr(buffer, "raw", buffer)
    if isinstance(raw, _ClosedRaw):
        raw.silenced = True
        return
    with contextlib.suppress(OSError, ValueError, AttributeError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
