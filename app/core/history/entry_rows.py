"""EntryRows: a sequence of entries whose rows read from history stay as stored tuples.

Opening a 30-day range of history gives ~150k rows. Building a ``SuppressionEntry`` (a frozen
dataclass with a ``datetime`` and an expanded reason) for each costs ~7× the SELECT that read
them, and the grid shows thirty at a time. So an item here is either an entry built already
(what the provider returned now) or the stored tuple of ``HistoryRows`` (what history held),
decoded only when someone indexes it. Sorting, filtering and counting read whole columns
(``emails()``, ``created_seconds()`` …) straight from the tuples, without objects.

Items are never mutated in place; ``extend`` appends, ``compress`` and slicing make new
sequences (an export may still be reading the old one on a worker thread).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from itertools import compress
from operator import itemgetter
from typing import Any, cast, overload

from app.core.storage.history.interface import LIST_CODES, HistoryRows, StoredRow
from app.core.types import ListKind, SuppressionEntry

Item = SuppressionEntry | StoredRow

_LIST_CODE = itemgetter(0)
_EMAIL = itemgetter(1)
_CREATED = itemgetter(2)
_DOMAIN = itemgetter(9)


class EntryRows(Sequence[SuppressionEntry]):
    """Entries in order; stored tuples are decoded by ``source`` on access."""

    __slots__ = ("_items", "_source", "_stored")

    def __init__(
        self,
        items: Iterable[Item] = (),
        source: HistoryRows | None = None,
        *,
        stored: int | None = None,
    ) -> None:
        self._items: list[Item] = list(items)
        self._source = source
        # How many items are stored tuples: 0 lets every column read take the plain path.
        if stored is None:
            stored = sum(1 for item in self._items if type(item) is tuple) if source else 0
        self._stored = stored

    @classmethod
    def of_history(cls, rows: HistoryRows, items: list[StoredRow] | None = None) -> EntryRows:
        """``items`` (default: all of ``rows.rows``) left undecoded; the list is adopted."""
        items = rows.rows if items is None else items
        made = cls.__new__(cls)
        made._items, made._source, made._stored = cast(list[Item], items), rows, len(items)
        return made

    # ---- Sequence ----------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._items)

    @overload
    def __getitem__(self, index: int) -> SuppressionEntry: ...

    @overload
    def __getitem__(self, index: slice) -> EntryRows: ...

    def __getitem__(self, index: int | slice) -> SuppressionEntry | EntryRows:
        if isinstance(index, slice):
            return EntryRows(self._items[index], self._source)
        item = self._items[index]
        if type(item) is tuple:
            assert self._source is not None
            return self._source.entry_of(item)
        assert isinstance(item, SuppressionEntry)
        return item

    def __iter__(self) -> Iterator[SuppressionEntry]:
        if not self._stored:
            # Only built entries when nothing is stored.
            yield from cast(list[SuppressionEntry], self._items)
            return
        decode = cast(HistoryRows, self._source).entry_of
        items: list[Any] = self._items
        for item in items:
            yield decode(item) if type(item) is tuple else item

    def __repr__(self) -> str:
        return f"EntryRows({len(self._items)} rows, {self._stored} stored)"

    # ---- building ----------------------------------------------------------------------------

    @property
    def stored(self) -> int:
        """How many rows are still stored tuples (not decoded)."""
        return self._stored

    @property
    def source(self) -> HistoryRows | None:
        return self._source

    def copy(self) -> EntryRows:
        """A shallow copy (O(rows) in C): appending to it leaves this one as it is."""
        return EntryRows.adopt(list(self._items), self._source, self._stored)

    @classmethod
    def adopt(cls, items: list[Item], source: HistoryRows | None, stored: int) -> EntryRows:
        made = cls.__new__(cls)
        made._items, made._source, made._stored = items, source, stored
        return made

    def extend(self, entries: Iterable[SuppressionEntry] | EntryRows) -> None:
        """Append rows; stored rows of another history read are decoded (never happens in
        the window, which clears the grid before each fetch, but must stay correct)."""
        if isinstance(entries, EntryRows):
            if not entries._stored:
                self._items.extend(entries._items)
                return
            if self._source is None or self._source is entries._source:
                self._source = entries._source
                self._items.extend(entries._items)
                self._stored += entries._stored
                return
            self._items.extend(entries)  # decoded: one source per sequence
            return
        self._items.extend(entries)

    def compress(self, keep: bytes) -> EntryRows:
        """The rows whose byte in ``keep`` is set, in order (a deletion's compaction)."""
        items = list(compress(self._items, keep))
        stored = sum(1 for item in items if type(item) is tuple) if self._stored else 0
        return EntryRows.adopt(items, self._source if stored else None, stored)

    def entries(self) -> tuple[SuppressionEntry, ...]:
        """Every row decoded (what a caller that wants objects pays for)."""
        return tuple(self)

    # ---- whole columns, without building entries -------------------------------------------
    # ``first`` skips the rows before it (the grid extends its keys with new rows only).

    def _slice(self, first: int) -> list[Any]:
        """Items from ``first`` (typed loosely: each column read tells the two kinds apart)."""
        return self._items[first:] if first else self._items

    def plain(self, first: int = 0) -> list[SuppressionEntry] | None:
        """The items from ``first`` when they are all built entries (the fast path), else None."""
        return None if self._stored else self._slice(first)

    def list_kinds(self, first: int = 0) -> list[ListKind]:
        codes = LIST_CODES
        if self._stored == len(self._items):
            return list(map(codes.__getitem__, map(_LIST_CODE, self._slice(first))))
        return [
            codes[item[0]] if type(item) is tuple else item.list_kind for item in self._slice(first)
        ]

    def emails(self, first: int = 0) -> list[str]:
        items = self._slice(first)
        if not self._stored:
            return [item.email for item in items]
        if self._stored == len(self._items):
            return list(map(_EMAIL, items))
        return [item[1] if type(item) is tuple else item.email for item in items]

    def created_seconds(self, first: int = 0) -> list[int]:
        """``created`` as Unix seconds."""
        items = self._slice(first)
        if self._stored == len(self._items):
            return list(map(_CREATED, items))
        return [item[2] if type(item) is tuple else int(item.created.timestamp()) for item in items]

    def domains(self, first: int = 0) -> list[str]:
        """``entry.domain`` of every row; stored rows share one string per domain."""
        source: Any = self._source
        items = self._slice(first)
        if self._stored == len(self._items):
            return list(map(source.texts.get, map(_DOMAIN, items)))
        return [source.domain_of(item) if type(item) is tuple else item.domain for item in items]

    def statuses(self, first: int = 0) -> list[str]:
        source: Any = self._source
        return [
            source.status_of(item) if type(item) is tuple else item.status
            for item in self._slice(first)
        ]

    def reasons(self, first: int = 0) -> list[str]:
        source: Any = self._source
        return [
            source.reason_of(item) if type(item) is tuple else item.reason
            for item in self._slice(first)
        ]

    def list_counts(self, first: int = 0) -> Counter[ListKind]:
        """Rows per list."""
        items = self._slice(first)
        if self._stored == len(self._items):
            codes = bytes(map(_LIST_CODE, items))  # one byte per row, then counted by memchr
            return Counter(
                {kind: n for code, kind in enumerate(LIST_CODES) if (n := codes.count(code))}
            )
        return Counter(self.list_kinds(first))

    def domain_counts(self, first: int = 0) -> Counter[str]:
        """Rows per domain (``entry.domain``)."""
        items = self._slice(first)
        if self._stored == len(self._items):
            texts: Any = cast(HistoryRows, self._source).texts
            by_id = Counter(map(_DOMAIN, items))  # counted per domain id, named after
            return Counter({texts.get(domain_id, ""): n for domain_id, n in by_id.items()})
        return Counter(self.domains(first))

    def keys(self, first: int = 0) -> list[tuple[ListKind, str]]:
        """``entry.key`` of every row: (list, lower-case address)."""
        return [
            (kind, email.lower())
            for kind, email in zip(self.list_kinds(first), self.emails(first), strict=True)
        ]
