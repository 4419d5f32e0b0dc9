"""Read a file (or stdin) line by line with a ceiling on each line's length.

``Path.read_text`` or ``for line in file`` holds a whole file, or a whole line, in memory: a
binary file, a log without line ends or ``yes | tr -d '\\n'`` fed to a command would take all
the memory there is before any check could look at it. These readers keep at most ``limit``
bytes of one line; the rest of a longer line is skipped and the line is reported as too long,
so the lines before and after it are still read.

A line ends at LF, CRLF or a lone CR, the ends Python's text mode knows ("universal
newlines"): an address list saved by an old Mac Excel ends its lines with CR alone.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

_CHUNK = 64 * 1024
_BOM = b"\xef\xbb\xbf"
_LINE_END = re.compile(rb"\r\n|\r|\n")


def bounded_lines(source: BinaryIO, limit: int) -> Iterator[bytes | None]:
    """The lines of ``source`` with their line ends; None for a line whose text is longer than
    ``limit`` bytes (its rest is skipped without being kept).

    The None comes as soon as the line is known to be too long, not at its end: a reader that
    gives up at the first bad line must not wait for the end of an endless one (/dev/zero).
    Reads what is available (``read1``), so lines typed at a terminal come one by one.
    """
    read: Callable[[int], bytes] = getattr(source, "read1", source.read)
    buffer = bytearray()
    start = 0  # the current line begins at buffer[start]
    searched = 0  # buffer[start:searched] holds no line end
    skipping = False  # inside a line already reported as too long
    at_eof = False
    while True:
        match = _LINE_END.search(buffer, max(start, searched))
        # A CR as the last byte read may be the first half of a CRLF: wait for the next byte.
        if match is not None and (at_eof or match.end() < len(buffer) or match.group() != b"\r"):
            if skipping:
                pass  # reported when it passed the limit
            elif match.start() - start > limit:
                yield None
            else:
                yield bytes(buffer[start : match.end()])
            start = searched = match.end()
            skipping = False
            continue
        if at_eof:
            if skipping:
                return
            if len(buffer) - start > limit:
                yield None
            elif len(buffer) > start:
                yield bytes(buffer[start:])
            return
        del buffer[:start]  # once per read, not once per line: linear in the input
        start = 0
        if len(buffer) > limit + 1:  # no line end within the limit: drop what was read
            if not skipping:
                skipping = True
                yield None
            del buffer[:-1]  # keep the last byte: a CR there may pair with the next LF
        searched = max(0, len(buffer) - 1)
        chunk = read(_CHUNK)
        if chunk:
            buffer += chunk
        else:
            at_eof = True


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
