"""Opening an SQLite file the user named, safely.

SQLite reads ``file:`` names as URIs (https://www.sqlite.org/uri.html): it decodes ``%HH`` and
ends the path at ``?`` or ``#``. An unquoted ``f"file:{path}?mode=ro"`` therefore opened another
file (or none) when a folder was called ``50%25`` or ``team#2``. ``read_only_uri``
percent-quotes every byte of the path that is not a letter, digit, ``-._~`` or ``/``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from urllib.parse import quote, quote_from_bytes


def read_only_uri(path: Path) -> str:
    """An SQLite URI that opens exactly ``path``, read-only."""
    absolute = Path(path).absolute()
    if sys.platform == "win32":
        # SQLite's Windows form is file:///C:/folder/name (UTF-8, forward slashes).
        quoted = "/" + quote(absolute.as_posix(), safe="/:")
    else:
        # The file system's own bytes (a Linux name may be any bytes, not only UTF-8).
        quoted = quote_from_bytes(os.fsencode(absolute), safe="/")
    # An empty authority ("file://") keeps a path that starts with "//" from reading as a host.
    return f"file://{quoted}?mode=ro"
