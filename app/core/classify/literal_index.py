"""Which rules a text may match, from one scan for the guard literals of all of them.

Each ``any`` pattern of a rule runs only when one of its literals is in the text (see
``literals.py``). Testing ~2,000 literals one by one costs a Python loop per new text; here
they are found in one regex scan instead. The literals are compiled into a trie-shaped
pattern inside a look-ahead, so the scan reports, at each position, the *longest* literal that
starts there; every other literal starting there is a prefix of it, and so is present too.
That makes the set of present literals exact, and a rule is a candidate when one of its
literals is present (or when it has a pattern without literals, or no ``any`` at all).
The rules still check their own conditions: the index only skips rules that cannot match.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Protocol


class _Guarded(Protocol):
    @property
    def any_guarded(self) -> tuple[tuple[tuple[str, ...], re.Pattern[str]], ...]: ...


_Trie = dict[str, "_Trie"]
_END = ""  # the key marking "a literal ends here" (no literal is empty)


class LiteralIndex:
    def __init__(self, rules: Sequence[_Guarded], order: Sequence[int]) -> None:
        always: list[int] = []
        by_literal: dict[str, set[int]] = {}
        for index in order:
            guards = rules[index].any_guarded
            if not guards or any(not literals for literals, _ in guards):
                always.append(index)  # no `any` (codes only) or a pattern that always runs
                continue
            for literals, _ in guards:
                for literal in literals:
                    by_literal.setdefault(literal, set()).add(index)
        self._always = frozenset(always)
        # A literal found at a position shows every literal that is a prefix of it as well.
        self._rules_of: dict[str, frozenset[int]] = {}
        for found in by_literal:
            rules_of: set[int] = set()
            for end in range(1, len(found) + 1):
                rules_of |= by_literal.get(found[:end], set())
            self._rules_of[found] = frozenset(rules_of)
        self._scan: Callable[[str], Iterator[re.Match[str]]] | None = None
        if by_literal:
            self._scan = re.compile(f"(?=({_trie_pattern(by_literal)}))").finditer

    def candidates(self, text: str) -> list[int]:
        """Indexes (in rule order) of the rules ``text`` may match."""
        hits = set(self._always)
        if self._scan is not None:
            rules_of = self._rules_of
            for found in {match.group(1) for match in self._scan(text)}:
                hits |= rules_of[found]
        return sorted(hits)


def _trie_pattern(literals: Iterable[str]) -> str:
    """One pattern matching any of ``literals``, the longest one where several start."""
    trie: _Trie = {}
    for literal in literals:
        node = trie
        for char in literal:
            node = node.setdefault(char, {})
        node[_END] = {}
    return _node_pattern(trie)


def _node_pattern(node: _Trie) -> str:
    branches = [re.escape(char) + _node_pattern(child) for char, child in node.items() if char]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    # Greedy: a literal that goes on is tried before the one that ends here (the longest wins).
    return f"(?:{body})?" if _END in node else body
