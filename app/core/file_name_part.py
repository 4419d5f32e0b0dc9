"""A piece of a file name made from text the operator did not write (an address, a domain)."""

from __future__ import annotations

import re

from app.core.control_chars import BIDI, C0_BUT_TAB_LF, DEL_AND_C1, ZERO_WIDTH

# Characters Windows refuses in a name (and "/" everywhere), and blanks: each run becomes "_".
_UNSAFE = re.compile(r'[\\/:*?"<>|\s]+')
# Characters no name should hold: a NUL is refused by every OS (Python raises ValueError before
# asking), Windows refuses the other controls, and bidi or zero-width characters make a file
# manager show a different name ("‮txt.exe" reads as "exe.txt").
_INVISIBLE = re.compile(f"[{C0_BUT_TAB_LF}\t\n{DEL_AND_C1}{BIDI}{ZERO_WIDTH}\ufeff]+")
# In characters: 60 are at most 240 bytes of UTF-8, so a short prefix and an extension still
# fit the 255-byte name limit of ext4 and APFS (NTFS counts 255 UTF-16 units).
MAX_PART_CHARS = 60


def file_name_part(text: str, max_chars: int = MAX_PART_CHARS) -> str:
    """``text`` without characters a file name cannot or should not hold, cut to ``max_chars``."""
    part = _UNSAFE.sub("_", _INVISIBLE.sub("", text))
    if len(part) > max_chars:
        part = part[: max_chars - 1] + "…"
    return part.strip(". ")
