"""JSON from outside (a provider's reply, a JSON Lines file): parsed with no lone surrogates.

JSON may escape any UTF-16 code unit, so ``"\\ud800"`` is valid JSON and ``json.loads`` turns
it into a lone surrogate: a Python ``str`` that has no UTF-8 form. Such text then fails far
from where it came in, at the first writer that encodes it (SQLite's parameter binding, a JSON
Lines or CSV file, the terminal), and takes a whole fetch or letter run down with it. A real
provider never sends one (their encoders write U+FFFD for bad text); a broken proxy or a hostile
server can. Each one is replaced by U+FFFD here, at the door, where it stays visible.

Raw surrogate bytes cannot get this far: they are invalid UTF-8 and ``json.loads`` refuses
them. So only bodies holding a ``\\uD8..``-``\\uDF..`` escape are walked, and a surrogate pair
(an emoji written as two escapes) is already one character by then.
"""

from __future__ import annotations

import json
import re
from typing import Any

REPLACEMENT_CHAR = "\ufffd"
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
_SURROGATE_ESCAPE_TEXT = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def loads(content: bytes | str) -> Any:
    """``json.loads(content)`` with every lone surrogate replaced by U+FFFD.

    Raises what ``json.loads`` raises (``ValueError``, ``RecursionError``).
    """
    value = json.loads(content)
    if isinstance(content, bytes):
        suspicious = _SURROGATE_ESCAPE.search(content) is not None
    else:
        suspicious = _SURROGATE_ESCAPE_TEXT.search(content) is not None
    return scrub(value) if suspicious else value


def scrub_text(text: str) -> str:
    """``text`` with each lone surrogate replaced by U+FFFD."""
    return _SURROGATE.sub(REPLACEMENT_CHAR, text)


def scrub(value: Any) -> Any:
    """Replace lone surrogates in every string of a parsed JSON value (keys too), in place.

    Iterative: a document nested as deep as ``json.loads`` allows must not overflow here.
    """
    if isinstance(value, str):
        return scrub_text(value)
    stack: list[Any] = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            for index, item in enumerate(node):
                if isinstance(item, str):
                    node[index] = scrub_text(item)
                elif isinstance(item, list | dict):
                    stack.append(item)
        elif isinstance(node, dict):
            for key in list(node):
                item = node[key]
                if isinstance(item, str):
                    item = scrub_text(item)
                elif isinstance(item, list | dict):
                    stack.append(item)
                clean_key = scrub_text(key)
                if clean_key != key:
                    del node[key]
                node[clean_key] = item
    return value
