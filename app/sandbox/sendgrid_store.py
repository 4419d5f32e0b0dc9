"""Thread-safe in-memory suppression lists, kept sorted so paging is O(log n) per page."""

from __future__ import annotations

import contextlib
import gc
import re
import threading
from bisect import bisect_left, bisect_right, insort
from collections.abc import Callable, Iterable, Iterator

from app.sandbox.sendgrid_types import LIST_KINDS, SandboxRecord

# Above this many changes a rebuild (one sort) beats repeated insort/pop (each O(n) memmove).
_BULK_THRESHOLD = 64


def _order_key(record: SandboxRecord) -> tuple[int, str]:
    # Newest first, then address: a total order (addresses are unique per list, ignoring case),
    # so offset paging is deterministic.
    return (-record.created, record.email.lower())


def _neg_created(record: SandboxRecord) -> int:
    return -record.created


def _sort(ordered: list[SandboxRecord]) -> None:
    # Timsort is near-linear on the presorted runs that generated data and appends produce.
    ordered.sort(key=_order_key)


def _without(ordered: list[SandboxRecord], gone: list[SandboxRecord]) -> list[SandboxRecord]:
    """One O(n) pass by identity beats many O(n) deletions and a full re-sort."""
    if not gone:
        return ordered
    ids = {id(record) for record in gone}
    return [record for record in ordered if id(record) not in ids]


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    # Bulk loads allocate millions of long-lived objects; full GC passes over them are wasted.
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def email_matcher(pattern: str) -> Callable[[str], bool]:
    """SendGrid's ``email`` filter: case-insensitive prefix match where ``%`` is a wildcard."""
    regex = re.compile(".*".join(re.escape(part) for part in pattern.split("%")), re.IGNORECASE)
    return lambda email: regex.match(email) is not None


class SuppressionStore:
    """The five lists. Addresses are unique per list, compared case-insensitively."""

    def __init__(self, records: Iterable[SandboxRecord] = ()) -> None:
        self._lock = threading.RLock()
        self._sorted: dict[str, list[SandboxRecord]] = {kind: [] for kind in LIST_KINDS}
        self._by_email: dict[str, dict[str, SandboxRecord]] = {kind: {} for kind in LIST_KINDS}
        self.add(records)

    # -- writes ---------------------------------------------------------------------------------

    def add(self, records: Iterable[SandboxRecord]) -> None:
        """Add records; an address already on the list is replaced (SendGrid keeps one entry)."""
        grouped: dict[str, list[SandboxRecord]] = {}
        for record in records:
            if record.list_kind not in self._sorted:
                raise ValueError(f"unknown list kind {record.list_kind!r}")
            grouped.setdefault(record.list_kind, []).append(record)
        with self._lock, _gc_paused():
            for kind, new in grouped.items():
                index = self._by_email[kind]
                replaced: list[SandboxRecord] = []
                fresh: dict[str, SandboxRecord] = {}
                for record in new:
                    key = record.email.lower()
                    old = index.get(key)
                    if old is not None:
                        replaced.append(old)
                    index[key] = fresh[key] = record
                ordered = self._sorted[kind]
                if len(fresh) + len(replaced) > _BULK_THRESHOLD:
                    ordered = _without(ordered, replaced)
                    ordered.extend(fresh.values())
                    _sort(ordered)
                    self._sorted[kind] = ordered
                else:
                    for old in replaced:
                        self._pop(ordered, old)
                    for record in fresh.values():
                        insort(ordered, record, key=_order_key)

    def remove(self, kind: str, emails: Iterable[str]) -> int:
        """Remove the given addresses (case-insensitive); returns how many were on the list."""
        with self._lock:
            index = self._by_email[kind]
            lowered = {email.lower() for email in emails}
            gone = [index.pop(key) for key in lowered if key in index]
            if len(gone) > _BULK_THRESHOLD:
                self._sorted[kind] = _without(self._sorted[kind], gone)
            else:
                for record in gone:
                    self._pop(self._sorted[kind], record)
            return len(gone)

    def clear(self, kind: str) -> None:
        with self._lock:
            self._sorted[kind] = []
            self._by_email[kind] = {}

    @staticmethod
    def _pop(ordered: list[SandboxRecord], record: SandboxRecord) -> None:
        position = bisect_left(ordered, _order_key(record), key=_order_key)
        if position < len(ordered) and ordered[position] is record:
            del ordered[position]

    # -- reads ----------------------------------------------------------------------------------

    def get(self, kind: str, email: str) -> SandboxRecord | None:
        with self._lock:
            return self._by_email[kind].get(email.lower())

    def records(self, kind: str | None = None) -> list[SandboxRecord]:
        with self._lock:
            kinds = LIST_KINDS if kind is None else (kind,)
            return [record for name in kinds for record in self._sorted[name]]

    def _bounds(self, ordered: list[SandboxRecord], start: int | None, end: int | None) -> range:
        # The list is sorted by -created, so [start, end] maps to one contiguous slice.
        low = 0 if end is None else bisect_left(ordered, -end, key=_neg_created)
        high = len(ordered) if start is None else bisect_right(ordered, -start, key=_neg_created)
        return range(low, max(low, high))

    def count(self, kind: str, start: int | None = None, end: int | None = None) -> int:
        """How many entries have ``start <= created <= end`` (both inclusive)."""
        with self._lock:
            return len(self._bounds(self._sorted[kind], start, end))

    def in_range(
        self, kind: str, start: int | None = None, end: int | None = None
    ) -> list[SandboxRecord]:
        with self._lock:
            ordered = self._sorted[kind]
            span = self._bounds(ordered, start, end)
            return ordered[span.start : span.stop]

    def page(
        self,
        kind: str,
        *,
        start: int | None,
        end: int | None,
        email_pattern: str | None,
        offset: int,
        limit: int,
    ) -> tuple[list[SandboxRecord], int]:
        """One page of a list, newest first, and the total number of matching entries."""
        with self._lock:
            ordered = self._sorted[kind]
            span = self._bounds(ordered, start, end)
            if not email_pattern:
                first = span.start + offset
                return ordered[first : min(span.stop, first + limit)], len(span)
            matches = email_matcher(email_pattern)
            # The pattern needs a scan of the time range; fine for an operator's occasional filter.
            found = [r for r in ordered[span.start : span.stop] if matches(r.email)]
            return found[offset : offset + limit], len(found)
