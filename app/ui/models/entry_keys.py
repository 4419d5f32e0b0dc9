"""Per-row sort keys and filter haystacks of the entry grid: built once, kept compact.

Sorting a million rows with ``sorted(range(n), key=keys.__getitem__)`` is only fast when the
keys already exist, so each column's keys are computed on first use and then kept in step with
the rows (extended on append, compacted on delete, dropped when their source changes). The
address, reason and domain keys double as the text and domain filters' haystacks.

Memory at a million rows (benchmarks/grid.py): dates are an ``array('q')`` of timestamps, lists
an ``array('b')``; a lower-case address key is the entry's own string when it is already lower
case (SendGrid's usually are; ``str.lower()`` would copy: ~60 MB); equal reasons share one
lower-case copy; domains are interned.
"""

from __future__ import annotations

import sys
from array import array
from collections.abc import Collection, Sequence
from typing import Any, Protocol, TypeAlias

from app.core.history.entry_rows import EntryRows
from app.core.types import DeleteEffect, Explanation, ListKind, SuppressionEntry
from app.ui.models.entry_columns import KIND_ORDER, Column
from app.ui.models.row_ids import Renumbering

EFFECT_ORDER = {effect: position for position, effect in enumerate(DeleteEffect)}
Keys: TypeAlias = "list[Any] | array[int]"  # a string: array is not subscriptable at run time


class RowSource(Protocol):
    """The storage the keys are derived from (EntryStore)."""

    entries: EntryRows
    explanations: list[Explanation | None]
    checked: set[int]
    marks: dict[tuple[ListKind, str], str]


def domain_key(entry: SuppressionEntry) -> str:
    """The entry's domain, interned: a few thousand domains serve a million rows."""
    return sys.intern(entry.domain)


class EntryKeys:
    """Lazily built keys per column over the rows of a ``RowSource``.

    Every per-row cache lives in the one ``_built`` dict, so extending, compacting and dropping
    reach all of them alike: a cache added later cannot be forgotten after a delete or an LLM
    refinement. The check column has no cache (checks change with every click).
    """

    def __init__(self, rows: RowSource) -> None:
        self._rows = rows
        self._built: dict[Column, Keys] = {}

    def of(self, column: Column) -> Keys:
        """The keys of every row for ``column``, indexed by row id."""
        if column == Column.CHECK:
            checked = self._rows.checked
            return [row_id in checked for row_id in range(len(self._rows.entries))]
        keys = self._built.get(column)
        if keys is None:
            keys = self._built[column] = _compute(column, self._rows, 0)
        return keys

    def built(self, column: Column) -> Keys | None:
        """The keys of ``column`` if already built, else ``None`` (never builds them)."""
        return self._built.get(column)

    def key(self, column: Column, row_id: int) -> Any:
        """One row's key (``SortRole``); the check column answers without a million-row list."""
        if column == Column.CHECK:
            return row_id in self._rows.checked
        return self.of(column)[row_id]

    def extend(self, first: int) -> None:
        """Bring the built keys in step with rows appended from ``first`` on (new rows only)."""
        for column, keys in self._built.items():
            keys.extend(_compute(column, self._rows, first))

    def compact(self, renumbering: Renumbering) -> None:
        """Leave out the keys of deleted rows (much cheaper than rebuilding: no ``lower()``,
        no ``timestamp()`` per row, and shared strings stay shared)."""
        for column, keys in self._built.items():
            self._built[column] = (
                renumbering.compact_array(keys)
                if isinstance(keys, array)
                else renumbering.compact(keys)
            )

    def drop(self, columns: Collection[Column] | None = None) -> None:
        """Forget the keys of ``columns`` (all when ``None``); they are rebuilt on next use."""
        if columns is None:
            self._built = {}
            return
        for column in columns:
            self._built.pop(column, None)


def _compute(column: Column, rows: RowSource, first: int) -> Keys:
    """Keys of rows ``first``.. for ``column`` (a list, or a compact array for numbers)."""
    entries = rows.entries.plain(first)
    if entries is None:  # rows read from history: whole columns of the stored tuples
        return _compute_columns(column, rows, first)
    if column == Column.KIND:
        return array("b", [KIND_ORDER[e.list_kind] for e in entries])
    if column == Column.EMAIL:
        # Case-insensitive; the text filter searches these too.
        return [e.email if e.email.islower() else e.email.lower() for e in entries]
    if column == Column.DOMAIN:
        return [domain_key(e) for e in entries]
    if column == Column.CREATED:
        return array("q", [int(e.created.timestamp()) for e in entries])
    if column == Column.STATUS:
        return [e.status for e in entries]
    if column == Column.REASON:
        return _lower_reasons(entries)
    if column == Column.HISTORY:
        marks = rows.marks
        return [marks.get(e.key, "") for e in entries] if marks else [""] * len(entries)
    return _explanation_keys(column, rows, first)


def _compute_columns(column: Column, rows: RowSource, first: int) -> Keys:
    """The same keys as ``_compute``, read column by column (no entry built per row)."""
    entries = rows.entries
    if column == Column.KIND:
        return array("b", [KIND_ORDER[kind] for kind in entries.list_kinds(first)])
    if column == Column.EMAIL:
        return [e if e.islower() else e.lower() for e in entries.emails(first)]
    if column == Column.DOMAIN:
        return entries.domains(first)
    if column == Column.CREATED:
        return array("q", entries.created_seconds(first))
    if column == Column.STATUS:
        return entries.statuses(first)
    if column == Column.REASON:
        return _lower_texts(entries.reasons(first))
    if column == Column.HISTORY:
        marks = rows.marks
        if not marks:
            return [""] * (len(entries) - first)
        return [marks.get(key, "") for key in entries.keys(first)]
    return _explanation_keys(column, rows, first)


def _lower_texts(values: Sequence[str]) -> list[str]:
    # Reasons repeat a lot (same remote server, same text): one lower-case copy per text.
    lowered: dict[str, str] = {}
    result = []
    for value in values:
        low = lowered.get(value)
        if low is None:
            low = lowered[value] = value if value.islower() else value.lower()
        result.append(low)
    return result


def _explanation_keys(column: Column, rows: RowSource, first: int) -> Keys:
    explanations = rows.explanations[first:] if first else rows.explanations
    if column == Column.CAUSE:
        return [x.explanation_ja if x else "" for x in explanations]
    if column == Column.ACTION:
        return [x.action_ja if x else "" for x in explanations]
    if column == Column.CATEGORY:
        return [x.category if x else "" for x in explanations]
    if column == Column.DELETE_EFFECT:
        # Sorts the safe deletes first: 再送できる, 原因を直してから, 変化なし, 削除しない.
        return array("b", [EFFECT_ORDER[x.delete_effect] if x else -1 for x in explanations])
    raise ValueError(f"no cached keys for {column!r}")


def _lower_reasons(entries: Sequence[SuppressionEntry]) -> list[str]:
    return _lower_texts([entry.reason for entry in entries])
