"""EntryStore: the grid's rows (entries, explanations, checks, counts) with sort and filter.

No Qt classes here: the model (entry_table.py) turns these operations into Qt signals. Rows
are ids into parallel lists; a QSortFilterProxyModel would call ``data()`` from Python
millions of times at 1M rows (docs/ui.md), so sorting and filtering run over these lists with
``sorted()`` and comprehensions instead.

Storage lists are replaced, never mutated, by deletion and LLM refinement: an export may
still be reading the old ones (app/ui/export/controller.py). Appending mutates them, but a
fetch and an export never run at the same time.
"""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from operator import ge, le
from typing import Any, cast

from app.core.history.entry_rows import EntryRows
from app.core.types import Explanation, ListKind, SuppressionEntry
from app.ui.models.entry_columns import EXPLANATION_COLUMNS, KIND_ORDER, Column, category_label
from app.ui.models.entry_keys import EntryKeys, domain_key
from app.ui.models.row_ids import Renumbering, row_ids

# (entry.reason, entry.status, entry.list_kind, old explanation) → refined explanation
RefinementMap = dict[tuple[str, str, ListKind, Explanation], Explanation]


@dataclass(frozen=True, slots=True)
class RowFilter:
    """What the operator narrowed the grid to; empty/None fields do not filter.

    ``text`` and ``domain`` are expected lower case (``EntryTableModel.set_filters`` does it).
    """

    text: str = ""
    list_kind: ListKind | None = None
    category: str = ""
    domain: str = ""
    mark: str = ""  # part of the 履歴 column's text: 新着 or 再発

    @property
    def active(self) -> bool:
        return bool(self.text or self.list_kind or self.category or self.domain or self.mark)


class EntryStore:
    """Rows in arrival order, their explanations, checks and per-list/category/domain counts.

    Explanations are few and shared (a classifier memo yields a thousand or so objects for a
    million rows), so besides the explanation list each row stores a small-int code into
    ``_pool``: the filters test a thousand explanations once and then compare codes per row.
    """

    def __init__(self) -> None:
        # Built entries, or rows read from history kept as stored tuples and decoded when a
        # cell shows them (app/core/history/entry_rows.py): a 150k-row range fills the grid
        # without 150k objects.
        self.entries = EntryRows()
        self.explanations: list[Explanation | None] = []
        self.checked: set[int] = set()
        self.counts_by_list: Counter[ListKind] = Counter()
        self.counts_by_category: Counter[str] = Counter()
        self.counts_by_domain: Counter[str] = Counter()
        # From the fetch history: the 履歴 column per (list, lower-case address) and the
        # details pane's line per lower-case address. Side tables: most rows have neither.
        self.marks: dict[tuple[ListKind, str], str] = {}
        self.notes: dict[str, str] = {}
        self.keys = EntryKeys(self)
        self._pool: list[Explanation | None] = [None]
        self._code_by_id: dict[int, int] = {id(None): 0}
        self._codes: list[int] = []

    def __len__(self) -> int:
        return len(self.entries)

    # ---- adding and reading ----------------------------------------------------------------

    def append(
        self, entries: Sequence[SuppressionEntry], explanations: Sequence[Explanation | None]
    ) -> range:
        """Add rows at the end; returns their ids. ``entries`` may be an ``EntryRows`` (a
        history read): its stored rows are kept as they are, counted from whole columns."""
        first = len(self.entries)
        self.entries.extend(entries)
        self.explanations.extend(explanations)
        self.keys.extend(first)
        plain = self.entries.plain(first)
        if plain is not None:
            self.counts_by_list.update(entry.list_kind for entry in plain)
        else:
            self.counts_by_list.update(self.entries.list_counts(first))
        # Explanations are few distinct objects: every row's code is looked up in C; only rows
        # whose explanation is not pooled yet (the first page, a history read's few fetched
        # rows) take the Python path. A history read's explanations are pooled up front.
        source = entries.source if isinstance(entries, EntryRows) else None
        if source is not None:
            for explanation in source.explanations.values():
                self._code_of(explanation)
        code_by_id = self._code_by_id
        new_codes = list(map(code_by_id.get, map(id, explanations)))
        if None in new_codes:
            for index, code in enumerate(new_codes):
                if code is None:
                    new_codes[index] = self._code_of(explanations[index])
        codes = self._codes
        codes.extend(cast("list[int]", new_codes))
        # Counted per explanation code in C, then one category lookup per code.
        pool = self._pool
        for code, count in Counter(codes[first:] if first else codes).items():
            pooled = pool[code]
            if pooled is not None:
                self.counts_by_category[pooled.category] += count
        if plain is not None:
            self.counts_by_domain.update(domain_key(entry) for entry in plain)
        else:
            self.counts_by_domain.update(self.entries.domain_counts(first))
        return range(first, len(self.entries))

    def checked_ids(self) -> list[int]:
        """Checked row ids in arrival order (the order a deletion plan lists them)."""
        return sorted(self.checked)

    # ---- sorting and filtering -------------------------------------------------------------

    def sorted_ids(self, column: Column, descending: bool) -> array[int]:
        keys = self.keys.of(column)
        # Rows that arrive in the wanted order already (a history range comes newest first)
        # keep it: a C-level check instead of a sort (~0.05 s at 150k rows). The result is
        # the same either way: equal keys stay in arrival order.
        if all(map(ge if descending else le, keys, keys[1:])):
            return row_ids(range(len(keys)))
        # reverse=True keeps equal keys in arrival order, like the ascending sort does.
        return row_ids(sorted(range(len(keys)), key=keys.__getitem__, reverse=descending))

    def filtered(self, ids: Sequence[int], row_filter: RowFilter) -> array[int]:
        """The ids of ``ids`` (in that order) that pass ``row_filter``, as a new array.

        Matching runs in storage order over parallel key lists (cache-friendly, one zip pass);
        for a sorted view the hits are then picked out of the order with a byte mask.
        """
        if not row_filter.active:
            return row_ids(ids)
        if isinstance(ids, range) and ids.step == 1:
            return row_ids(self._matching(ids.start, ids.stop, row_filter))
        hits = self._matching(0, len(self.entries), row_filter)
        if len(hits) == len(ids):
            return row_ids(ids)
        mask = bytearray(len(self.entries))
        for i in hits:
            mask[i] = 1
        return row_ids([i for i in ids if mask[i]])

    def _matching(self, first: int, stop: int, row_filter: RowFilter) -> list[int]:
        """Ids in ``range(first, stop)`` passing every filter, in storage order."""
        whole = first == 0 and stop == len(self.entries)

        def column(values: Any) -> Any:
            return values if whole else values[first:stop]

        rows: list[int] | range = range(first, stop)
        needle = row_filter.text
        if needle:
            emails = column(self.keys.of(Column.EMAIL))
            reasons = column(self.keys.of(Column.REASON))
            matched = {
                code
                for code, x in enumerate(self._pool)
                if x is not None
                and (
                    needle in x.explanation_ja.lower()
                    or needle in x.action_ja.lower()
                    or needle in x.label_ja.lower()
                    or needle in category_label(x.category).lower()
                )
            }
            if matched:
                codes = column(self._codes)
                rows = [
                    i
                    for i, e, r, c in zip(rows, emails, reasons, codes, strict=True)
                    if needle in e or needle in r or c in matched
                ]
            else:
                rows = [
                    i
                    for i, e, r in zip(rows, emails, reasons, strict=True)
                    if needle in e or needle in r
                ]
        if row_filter.list_kind is not None:
            kind = KIND_ORDER[row_filter.list_kind]
            kinds = self.keys.of(Column.KIND)
            rows = [i for i in rows if kinds[i] == kind]
        if row_filter.category:
            wanted = row_filter.category
            codes_wanted = {
                code for code, x in enumerate(self._pool) if x is not None and x.category == wanted
            }
            all_codes = self._codes
            rows = [i for i in rows if all_codes[i] in codes_wanted]
        if row_filter.domain:
            wanted = row_filter.domain
            domains = self.keys.of(Column.DOMAIN)
            rows = [i for i in rows if domains[i] == wanted]
        if row_filter.mark:
            mark = row_filter.mark
            marks = cast("list[str]", self.keys.of(Column.HISTORY))
            rows = [i for i in rows if mark in marks[i]]
        return rows if isinstance(rows, list) else list(rows)

    # ---- deleting --------------------------------------------------------------------------

    def ids_with_keys(self, keys: Iterable[tuple[ListKind, str]]) -> set[int]:
        """Ids of the rows whose ``entry.key`` is in ``keys`` (addresses compared case-blind)."""
        wanted = {(kind, email.lower()) for kind, email in keys}
        if not wanted:
            return set()
        emails = {email for _, email in wanted}
        entries = self.entries
        # The address test first: it rules out almost every row without building a key tuple
        # (or decoding a stored row). The lower-case address keys are built once and kept:
        # a million lower() calls cost ~0.15 s, and a delete calls this once per batch.
        lower_emails = self.keys.of(Column.EMAIL)
        return {
            i
            for i, email in enumerate(lower_emails)
            if email in emails and entries[i].key in wanted
        }

    def remove(self, gone: set[int]) -> Renumbering:
        """Drop the rows ``gone`` and renumber the rest (arrival order kept).

        Every per-row structure is compacted here, together: storage, explanation codes,
        checks, counts and built keys. The caller renumbers the row-id arrays it holds
        with the returned ``Renumbering``.
        """
        renumbering = Renumbering(len(self.entries), gone)
        removed = [self.entries[i] for i in sorted(gone)]
        removed_explanations = [self.explanations[i] for i in sorted(gone)]
        self.entries = self.entries.compress(renumbering.keep)
        self.explanations = renumbering.compact(self.explanations)
        self._codes = renumbering.compact(self._codes)
        self.checked = renumbering.apply_to_set(self.checked)
        self.keys.compact(renumbering)
        self.counts_by_list.subtract(entry.list_kind for entry in removed)
        self.counts_by_domain.subtract(domain_key(entry) for entry in removed)
        self.counts_by_category.subtract(x.category for x in removed_explanations if x is not None)
        for counter in (self.counts_by_list, self.counts_by_domain, self.counts_by_category):
            _drop_empty(counter)
        return renumbering

    # ---- refining --------------------------------------------------------------------------

    def replace_explanations(self, mapping: RefinementMap) -> int:
        """Swap refined explanations in; returns the number of rows changed.

        A row whose ``(entry.reason, entry.status, entry.list_kind, explanation)`` is a key of
        ``mapping`` gets the mapped explanation (the same explanation object may serve rows with
        different reasons, and the LLM refines per reason, so the explanation alone is not a
        precise enough key). The explanation list is replaced, not mutated; the keys of the
        explanation columns are dropped (the entry-derived keys stay valid).
        """
        if not mapping:
            return 0
        codes_of: dict[Explanation, list[int]] = {}
        for code, explanation in enumerate(self._pool):
            if explanation is not None:
                codes_of.setdefault(explanation, []).append(code)
        # Keyed by pool code: a row's lookup then hashes two cached strings, an enum and an int.
        by_code = {
            (reason, status, kind, code): new
            for (reason, status, kind, old), new in mapping.items()
            for code in codes_of.get(old, ())
        }
        wanted = {key[3] for key in by_code}
        if not wanted:
            return 0
        pool = self._pool
        fields = _RowFields(self.entries)
        explanations = list(self.explanations)
        codes = list(self._codes)
        categories_before: Counter[str] = Counter()
        categories_after: Counter[str] = Counter()
        changed = 0
        for row_id, code in enumerate(self._codes):
            if code not in wanted:
                continue
            new = by_code.get((*fields.of(row_id), code))
            if new is None:
                continue
            old = pool[code]
            assert old is not None
            categories_before[old.category] += 1
            categories_after[new.category] += 1
            explanations[row_id] = new
            codes[row_id] = self._code_of(new)
            changed += 1
        if not changed:
            return 0
        self.explanations = explanations
        self._codes = codes
        self.keys.drop(EXPLANATION_COLUMNS)
        self.counts_by_category.subtract(categories_before)
        self.counts_by_category.update(categories_after)
        _drop_empty(self.counts_by_category)
        return changed

    def _code_of(self, explanation: Explanation | None) -> int:
        """The pool code of ``explanation``, adding it to the pool when new."""
        code = self._code_by_id.get(id(explanation))
        if code is None:  # the pool keeps the object alive, so its id stays unique
            code = self._code_by_id[id(explanation)] = len(self._pool)
            self._pool.append(explanation)
        return code


class _RowFields:
    """(reason, status, list) of a row, for matching refinements. Rows read from history are
    not decoded one by one (a refinement may touch most rows, on the GUI thread): their
    columns are read whole, once, on the first row asked for."""

    def __init__(self, entries: EntryRows) -> None:
        self._entries = entries
        self._columns: tuple[list[str], list[str], list[ListKind]] | None = None

    def of(self, row_id: int) -> tuple[str, str, ListKind]:
        entries = self._entries
        if not entries.stored:
            entry = entries[row_id]
            return entry.reason, entry.status, entry.list_kind
        if self._columns is None:
            self._columns = (entries.reasons(), entries.statuses(), entries.list_kinds())
        reasons, statuses, kinds = self._columns
        return reasons[row_id], statuses[row_id], kinds[row_id]


def _drop_empty(counter: Counter[Any]) -> None:
    """Remove names whose count fell to zero (the filter combos list what is left)."""
    for name in [name for name, count in counter.items() if count <= 0]:
        del counter[name]
