"""Read a file (or stdin) line by line with a ceiling on each line's length.

``Path.read_text`` or ``for line in file`` holds a whole file, or a whole line, in memory: a
binary file, a log without line ends or ``yes | tr -d '\\n'`` fed to a command would take all
the memory there is before any check could look at it. These readers keep at most ``limit``
bytes of one line; the rest of a longer line is skipped in chunks and the line is reported as
too long, so the lines before and after it are still read.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

_SKIP_CHUNK = 1024 * 1024
_BOM = b"\xef\xbb\xbf"


def bounded_lines(source: BinaryIO, limit: int) -> Iterator[bytes | None]:
    """The lines of ``source`` (with their line ends); None for a line longer than ``limit``,
    whose rest is skipped without being kept."""
    while True:
        line = source.readline(limit + 1)
        if not line:
            return
        if len(line) <= limit or line.endswith(b"\n"):
            yield line
            continue
        while line and not line.endswith(b"\n"):
            line = source.readline(_SKIP_CHUNK)
        yield None


@dataclass(frozen=True, slots=True)
class TextLine:
    """One line as text (line end removed), or why it could not be read (``problem_ja``)."""

    number: int  # from 1
    text: str = ""
    problem_ja: str = ""
    not_utf8: bool = False  # the problem is the encoding (a Shift_JIS file, a binary)


def text_lines(source: BinaryIO, limit: int) -> Iterator[TextLine]:
    """UTF-8 lines of ``source``; a UTF-8 byte order mark before the first line is skipped.

    A line longer than ``limit`` bytes or not valid UTF-8 comes back with ``problem_ja`` set.
    """
    for number, raw in enumerate(bounded_lines(source, limit), start=1):
        if raw is None:
            yield TextLine(number, problem_ja=f"{number} 行目が長すぎます（{limit:,} バイトまで）")
            continue
        if number == 1 and raw.startswith(_BOM):
            raw = raw[len(_BOM) :]  # Windows Notepad writes one before the first line
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            yield TextLine(
                number, problem_ja=f"{number} 行目は UTF-8 として読めません", not_utf8=True
            )
            continue
        yield TextLine(number, text=text.rstrip("\r\n"))
