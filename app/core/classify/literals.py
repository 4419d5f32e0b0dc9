"""Literals one of which every match of a rule pattern contains: a cheap guard before the regex.

Most texts match none of a rule's patterns, and a substring test (``"spf" in text``) costs a
fraction of a regex scan, so each pattern is tried only when one of its literals is present.
The literals are read from the pattern's parse tree, as Python's own ``re`` parser builds it,
so what counts as a literal is decided by the same parser that compiles the pattern: leading
words (``user unknown``), the branches of a leading group (``(spf|dmarc) check`` gives
``spf check`` and ``dmarc check``), zero-width parts skipped (``\\bspf\\b`` gives ``spf``).

The guard may only skip a regex that could not match, never one that could: wherever the tree
holds something this reader does not follow, it stops and keeps what it has, and a pattern it
cannot read at all gets no guard (an empty tuple: always run the regex).
"""

from __future__ import annotations

import re
from typing import Any

try:  # the stdlib's parser; private, so any change in it only costs the guard, never a match
    from re import _constants as _sre  # type: ignore[attr-defined]
    from re import _parser as _parse  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - other Python versions
    _sre = _parse = None

_MAX_ALTERNATIVES = 16  # beyond this the guard costs more substring tests than it saves
_Tree = list[tuple[Any, Any]]  # the parser's (opcode, argument) pairs


def required_literals(pattern: str) -> tuple[str, ...]:
    """Lower-case literals one of which every match of ``pattern`` contains; () when unknown.

    Texts are matched in lower case (``canonical()``) with ``re.IGNORECASE``, so the literals
    are lower-cased as well.
    """
    if _parse is None:
        return ()
    try:
        tree = _parse.parse(pattern, re.IGNORECASE)
        literals, _ = _sequence(list(tree))
    except (re.error, RecursionError, TypeError, ValueError, AttributeError):
        return ()
    if not literals or "" in literals:
        return ()
    # A literal holding a shorter one adds nothing: "addressee" is present only with "address".
    return tuple(sorted(x for x in literals if not any(y != x and y in x for y in literals)))


def _sequence(items: _Tree) -> tuple[set[str], bool]:
    """The prefixes every match of ``items`` starts with, and whether they are the whole match."""
    prefixes = {""}
    for op, argument in items:
        if op in (_sre.AT, _sre.ASSERT, _sre.ASSERT_NOT):
            continue  # zero-width: consumes nothing, the prefixes go on after it
        if op is _sre.LITERAL:
            part, whole = {chr(argument).lower()}, True
        elif op is _sre.IN:
            part, whole = _char_set(argument), True
        elif op is _sre.SUBPATTERN:
            part, whole = _sequence(list(argument[-1]))
        elif op is _sre.BRANCH:
            part, whole = _branches(argument[1])
        elif op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT) and argument[0] >= 1:
            part, whole = _sequence(list(argument[2]))[0], False  # more may follow: stop after
        else:
            return prefixes, False
        if not part or len(prefixes) * len(part) > _MAX_ALTERNATIVES:
            return prefixes, False
        prefixes = {prefix + tail for prefix in prefixes for tail in part}
        if not whole:
            return prefixes, False
    return prefixes, True


def _branches(branches: list[_Tree]) -> tuple[set[str], bool]:
    union: set[str] = set()
    whole = True
    for branch in branches:
        literals, complete = _sequence(list(branch))
        union |= literals
        whole = whole and complete
    return union, whole


def _char_set(members: _Tree) -> set[str]:
    """``[abc]`` as {"a", "b", "c"}; anything but plain characters (a range, \\w, ^) is unread."""
    chars: set[str] = set()
    for op, argument in members:
        if op is not _sre.LITERAL:
            return set()
        chars.add(chr(argument).lower())
    return chars
