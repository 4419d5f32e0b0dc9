"""Text on its way to the shared PostgreSQL server: a NUL character becomes U+FFFD.

JSON may carry ``\\u0000`` in any string, and a broken or hostile server can send one in a
reason, a status or an address. SQLite stores it like any other character; PostgreSQL's text
cannot hold it, and psycopg raises ``DataError`` for the whole statement: one such row made the
shared history drop the whole fetch and made a deletion plan holding it impossible. So every
string psycopg sends on the shared store's connections goes out with each NUL replaced by
U+FFFD (visible, and obviously "unreadable", as in the export's cells), reads included: a
look-up with the same text finds what was written.

Python code that matches rows read back against what it sent (claims, the history's staged
rows, stored-once texts) keys them by ``pg_text`` of its own values, which is what the server
holds.
"""

from __future__ import annotations

import functools
from typing import Any

from app.core.untrusted_json import REPLACEMENT_CHAR

NUL = "\x00"


def pg_text(text: str) -> str:
    """``text`` as the shared store keeps it."""
    return text.replace(NUL, REPLACEMENT_CHAR) if NUL in text else text


def send_text_without_nul(connection: Any) -> None:
    """Make ``connection`` (psycopg) send every ``str`` parameter as ``pg_text`` of it, in
    text and binary format, alone or inside a list (``unnest(%s::text[])``)."""
    for dumper in _dumpers():  # the order psycopg registers its own: the last is the default
        connection.adapters.register_dumper(str, dumper)


@functools.cache
def _dumpers() -> tuple[type, ...]:
    # The pure-Python dumpers (not the C ones, whose dump psycopg's C code calls directly).
    from psycopg.types.string import StrBinaryDumper, StrDumper, StrDumperUnknown

    class BinaryWithoutNul(StrBinaryDumper):
        def dump(self, obj: str) -> Any:
            return super().dump(pg_text(obj))

    class TextWithoutNul(StrDumper):
        def dump(self, obj: str) -> Any:
            return super().dump(pg_text(obj))

    class UnknownWithoutNul(StrDumperUnknown):
        def dump(self, obj: str) -> Any:
            return super().dump(pg_text(obj))

    return BinaryWithoutNul, TextWithoutNul, UnknownWithoutNul
