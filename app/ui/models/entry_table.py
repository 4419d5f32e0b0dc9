"""EntryTableModel: classified entries for the grid, sorted and filtered inside the model.

A QSortFilterProxyModel would call ``data()`` from Python millions of times at 1M rows
(STYLE §4), so the model keeps plain parallel lists (entries, explanations) plus a ``view`` array
of row ids, and sorts/filters that array with ``sorted()`` and comprehensions over per-column
keys that are computed lazily once and cached.

Memory at a million rows (benchmarks/grid.py): row ids live in ``array('i')`` (a list of a
million distinct ints costs ~40 MB, the array 4 MB), dates sort on an ``array('q')`` of
timestamps, and lower-case address keys reuse the entry's own string when it is already lower
case (SendGrid's usually are).
"""

from __future__ import annotations

import gc
import sys
from array import array
from collections import Counter
from collections.abc import Iterable, Sequence
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from app.core.classify.vocabulary import CATEGORY_LABELS_JA
from app.core.types import ALL_LISTS, Explanation, ListKind, SuppressionEntry
from app.ui import texts
from app.ui.safe_text import single_line, tooltip_text

Index = QModelIndex | QPersistentModelIndex

ENTRY_ROLE = Qt.ItemDataRole.UserRole + 1
EXPLANATION_ROLE = Qt.ItemDataRole.UserRole + 2
SORT_ROLE = Qt.ItemDataRole.UserRole + 3

_KIND_ORDER = {kind: position for position, kind in enumerate(ALL_LISTS)}
_ROW_ID = "i"  # array typecode of row ids (4 bytes; no int object per row)

# Roles as plain ints: `role == _DISPLAY` is cheaper than an enum lookup per painted cell.
_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_CHECK_STATE = int(Qt.ItemDataRole.CheckStateRole)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
_ENTRY = int(ENTRY_ROLE)
_EXPLANATION = int(EXPLANATION_ROLE)
_SORT = int(SORT_ROLE)


class Column(IntEnum):
    CHECK = 0
    KIND = 1
    EMAIL = 2
    DOMAIN = 3
    CREATED = 4
    STATUS = 5
    REASON = 6
    CAUSE = 7
    ACTION = 8
    CATEGORY = 9


class EntryTableModel(QAbstractTableModel):
    """Rows are ids into ``entries``; ``view`` lists the visible ids in display order."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._category_ja = CATEGORY_LABELS_JA
        self._entries: list[SuppressionEntry] = []
        self._explanations: list[Explanation | None] = []
        self._view: array[int] = array(_ROW_ID)
        self._checked: set[int] = set()
        self._keys: dict[Column, Any] = {}  # lazily built per-column sort keys (list or array)
        self._reason_keys: list[str] | None = None  # lower-case reasons, shared when equal
        self._domains: list[str] | None = None
        # Explanations are few and shared: each row stores a small-int code into the pool.
        self._pool: list[Explanation | None] = [None]
        self._code_by_id: dict[int, int] = {id(None): 0}
        self._codes: list[int] = []
        self._order: array[int] | None = None  # ids in sort order, None = arrival order
        self._sort: tuple[Column, Qt.SortOrder] | None = None
        self._text = ""
        self._list_filter: ListKind | None = None
        self._category_filter = ""
        self._domain_filter = ""
        self.counts_by_list: Counter[ListKind] = Counter()
        self.counts_by_category: Counter[str] = Counter()
        self.counts_by_domain: Counter[str] = Counter()

    # ---- Qt interface -------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._view)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(Column)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        horizontal = orientation == Qt.Orientation.Horizontal
        if horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(Column):
            return texts.COLUMN_TITLES[section]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() == Column.CHECK:
            base |= Qt.ItemFlag.ItemIsUserCheckable
        return base

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        return self._value(self._view[index.row()], index.column(), int(role))

    def multiData(self, index: Index, roleDataSpan: Any) -> None:
        """Every role the delegate asks for (seven per painted cell) in one Python call.

        Each call from C++ into Python must take the GIL back from busy job threads; with
        ``data()`` alone a repaint needs seven times as many of those hand-overs.
        """
        if not index.isValid():
            return
        row_id = self._view[index.row()]
        column = index.column()
        for role_data in roleDataSpan:
            role_data.setData(self._value(row_id, column, role_data.role()))

    def _value(self, row_id: int, column: int, role: int) -> Any:
        if role == _DISPLAY:
            return self._display(row_id, column)
        if role == _CHECK_STATE:
            if column != Column.CHECK:
                return None
            checked = row_id in self._checked
            return Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked
        if role == _ENTRY:
            return self._entries[row_id]
        if role == _EXPLANATION:
            return self._explanations[row_id]
        if role == _SORT:
            return self._column_keys(Column(column))[row_id]
        if role == _TOOLTIP and column in (Column.REASON, Column.CAUSE):
            explanation = self._explanations[row_id]
            if column == Column.REASON:
                return tooltip_text(self._entries[row_id].reason)
            return tooltip_text(explanation.explanation_ja if explanation else "")
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or index.column() != Column.CHECK:
            return False
        if role != Qt.ItemDataRole.CheckStateRole:
            return False
        row_id = self._view[index.row()]
        if Qt.CheckState(value) == Qt.CheckState.Checked:
            self._checked.add(row_id)
        else:
            self._checked.discard(row_id)
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.CheckStateRole])
        return True

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        ids = [self._view[index.row()] for index in persistent]
        self._sort = (Column(column), order)
        self._order = self._sorted_ids(Column(column), order)
        self._view = self._filtered(self._order)
        self._remap_persistent(persistent, ids)
        self.layoutChanged.emit()

    # ---- feeding ------------------------------------------------------------------------

    def clear(self) -> None:
        self.beginResetModel()
        gc.unfreeze()  # see _keep_rows_out_of_gc: cycles made meanwhile become collectable again
        self._entries = []
        self._explanations = []
        self._view = array(_ROW_ID)
        self._checked = set()
        self._order = None
        self._drop_caches()
        self._pool = [None]
        self._code_by_id = {id(None): 0}
        self._codes = []
        self.counts_by_list = Counter()
        self.counts_by_category = Counter()
        self.counts_by_domain = Counter()
        self.endResetModel()

    def append(
        self,
        entries: Sequence[SuppressionEntry],
        explanations: Sequence[Explanation | None] | None = None,
    ) -> None:
        """Add rows at the end; visible ones (per filter) are inserted at the bottom of the view.

        While rows stream in, an active sort is not re-applied (rows would jump under the
        operator's cursor); call ``resort()`` when the fetch is done.
        """
        if not entries:
            return
        if explanations is None:
            explanations = [None] * len(entries)
        first = len(self._entries)
        self._entries.extend(entries)
        self._explanations.extend(explanations)
        new_ids = range(first, first + len(entries))
        self._extend_caches(first)
        self._count(entries, explanations)
        if self._order is not None:
            self._order.extend(new_ids)
        visible = self._filtered(new_ids)
        if visible:
            start = len(self._view)
            self.beginInsertRows(QModelIndex(), start, start + len(visible) - 1)
            self._view.extend(visible)
            self.endInsertRows()
        _keep_rows_out_of_gc()

    def resort(self) -> None:
        if self._sort is not None:
            self.sort(self._sort[0], self._sort[1])

    # ---- filtering ----------------------------------------------------------------------

    def set_filters(
        self,
        *,
        text: str | None = None,
        list_kind: ListKind | bool | None = False,
        category: str | None = None,
        domain: str | None = None,
    ) -> None:
        """Change any of the filters (``False``/``None`` = leave as is) and rebuild the view."""
        if text is not None:
            self._text = text.strip().lower()
        if list_kind is not False:
            self._list_filter = list_kind if isinstance(list_kind, ListKind) else None
        if category is not None:
            self._category_filter = category
        if domain is not None:
            self._domain_filter = domain.lower()
        self.beginResetModel()
        base = self._order if self._order is not None else range(len(self._entries))
        self._view = self._filtered(base)
        self.endResetModel()

    def _filtered(self, ids: Sequence[int]) -> array[int]:
        """The ids of ``ids`` (in that order) that pass every filter, as a new array.

        Matching runs in storage order over parallel key lists (cache-friendly, one zip pass);
        for a sorted view the hits are then picked out of the order with a byte mask.
        """
        if not self._has_filter():
            return array(_ROW_ID, ids)
        if isinstance(ids, range) and ids.step == 1:
            return array(_ROW_ID, self._matching(ids.start, ids.stop))
        hits = self._matching(0, len(self._entries))
        if len(hits) == len(ids):
            return array(_ROW_ID, ids)
        mask = bytearray(len(self._entries))
        for i in hits:
            mask[i] = 1
        return array(_ROW_ID, [i for i in ids if mask[i]])

    def _has_filter(self) -> bool:
        return bool(self._text or self._list_filter or self._category_filter or self._domain_filter)

    def _matching(self, first: int, stop: int) -> list[int]:
        """Ids in ``range(first, stop)`` passing every filter, in storage order."""
        whole = first == 0 and stop == len(self._entries)

        def column(values: list[Any]) -> Any:
            return values if whole else values[first:stop]

        rows: list[int] | range = range(first, stop)
        needle = self._text
        if needle:
            emails = column(self._column_keys(Column.EMAIL))
            reasons = column(self._reasons())
            labels = self._category_ja
            matched = {
                code
                for code, x in enumerate(self._pool)
                if x is not None
                and (
                    needle in x.explanation_ja.lower()
                    or needle in x.action_ja.lower()
                    or needle in x.label_ja.lower()
                    or needle in labels.get(x.category, x.category).lower()
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
        if self._list_filter is not None:
            kind = self._list_filter
            entries = self._entries
            rows = [i for i in rows if entries[i].list_kind is kind]
        if self._category_filter:
            wanted = self._category_filter
            codes_wanted = {
                code for code, x in enumerate(self._pool) if x is not None and x.category == wanted
            }
            all_codes = self._codes
            rows = [i for i in rows if all_codes[i] in codes_wanted]
        if self._domain_filter:
            wanted = self._domain_filter
            domains = self._domain_keys()
            rows = [i for i in rows if domains[i] == wanted]
        return rows if isinstance(rows, list) else list(rows)

    # ---- reading ------------------------------------------------------------------------

    @property
    def total(self) -> int:
        return len(self._entries)

    def entry_at(self, row: int) -> SuppressionEntry:
        return self._entries[self._view[row]]

    def explanation_at(self, row: int) -> Explanation | None:
        return self._explanations[self._view[row]]

    def checked_entries(self) -> tuple[SuppressionEntry, ...]:
        return tuple(self._entries[i] for i in sorted(self._checked))

    @property
    def checked_count(self) -> int:
        return len(self._checked)

    def checked_items(self) -> tuple[tuple[SuppressionEntry, Explanation | None], ...]:
        """The checked rows as (entry, explanation) pairs in arrival order (what gets deleted);
        read from storage, never through row numbers that a sort or filter may have moved."""
        return tuple((self._entries[i], self._explanations[i]) for i in sorted(self._checked))

    def remove_entries(self, keys: Iterable[tuple[ListKind, str]]) -> int:
        """Drop every row whose ``entry.key`` is in ``keys`` (addresses deleted from SendGrid).

        Visible rows leave through ``beginRemoveRows`` (one call per contiguous run, bottom
        first); then storage is compacted, row ids renumbered and the per-column caches dropped.
        Returns the number of rows removed.
        """
        wanted = {(kind, email.lower()) for kind, email in keys}
        if not wanted:
            return 0
        emails = {email for _, email in wanted}
        entries = self._entries
        gone = {
            i
            for i, entry in enumerate(entries)
            if entry.email.lower() in emails and entry.key in wanted
        }
        if not gone:
            return 0
        positions = [row for row, row_id in enumerate(self._view) if row_id in gone]
        runs: list[tuple[int, int]] = []
        for row in positions:
            if runs and runs[-1][1] == row - 1:
                runs[-1] = (runs[-1][0], row)
            else:
                runs.append((row, row))
        # Thousands of scattered rows: one reset is cheaper than thousands of removals.
        reset = len(runs) > 200
        if reset:
            self.beginResetModel()
            self._view = [row_id for row_id in self._view if row_id not in gone]
        else:
            for first, last in reversed(runs):
                self.beginRemoveRows(QModelIndex(), first, last)
                del self._view[first : last + 1]
                self.endRemoveRows()
        removed = [entries[i] for i in sorted(gone)]
        removed_explanations = [self._explanations[i] for i in sorted(gone)]
        renumber = [-1] * len(entries)
        kept = [i for i in range(len(entries)) if i not in gone]
        for new_id, old_id in enumerate(kept):
            renumber[old_id] = new_id
        self._entries = [entries[i] for i in kept]
        self._explanations = [self._explanations[i] for i in kept]
        self._codes = [self._codes[i] for i in kept]
        self._view = [renumber[i] for i in self._view]
        if self._order is not None:
            self._order = [renumber[i] for i in self._order if renumber[i] >= 0]
        self._checked = {renumber[i] for i in self._checked if renumber[i] >= 0}
        self._drop_caches()
        self.counts_by_list.subtract(entry.list_kind for entry in removed)
        self.counts_by_domain.subtract(self._domain_of(entry) for entry in removed)
        self.counts_by_category.subtract(x.category for x in removed_explanations if x is not None)
        for counter in (self.counts_by_list, self.counts_by_domain, self.counts_by_category):
            for name in [name for name, count in counter.items() if count <= 0]:
                del counter[name]
        if reset:
            self.endResetModel()
        return len(gone)

    def replace_explanations(
        self, mapping: dict[tuple[str, str, ListKind, Explanation], Explanation]
    ) -> int:
        """Swap refined explanations in: a row whose ``(entry.reason, entry.status,
        entry.list_kind, explanation)`` is a key of ``mapping`` gets the mapped explanation
        (the same explanation object may serve rows with different reasons, and the LLM
        refines per reason, so the explanation alone is not a precise enough key).

        Storage lists are replaced, not mutated (an export may be reading the old ones); the
        per-column caches are dropped and ``dataChanged`` covers the explanation columns. Rows
        keep their place: no re-sort or re-filter under the operator's cursor. Returns the
        number of rows changed.
        """
        if not mapping:
            return 0
        pool, by_id = self._pool, self._code_by_id
        codes_of: dict[Explanation, list[int]] = {}
        for code, explanation in enumerate(pool):
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
        entries = self._entries
        explanations = list(self._explanations)
        codes = list(self._codes)
        categories_before: Counter[str] = Counter()
        categories_after: Counter[str] = Counter()
        changed = 0
        for row_id, code in enumerate(self._codes):
            if code not in wanted:
                continue
            entry = entries[row_id]
            new = by_code.get((entry.reason, entry.status, entry.list_kind, code))
            if new is None:
                continue
            new_code = by_id.get(id(new))
            if new_code is None:  # the pool keeps the object alive, so its id stays unique
                new_code = by_id[id(new)] = len(pool)
                pool.append(new)
            old = pool[code]
            assert old is not None
            categories_before[old.category] += 1
            categories_after[new.category] += 1
            explanations[row_id] = new
            codes[row_id] = new_code
            changed += 1
        if not changed:
            return 0
        self._explanations = explanations
        self._codes = codes
        self._drop_caches()
        self.counts_by_category.subtract(categories_before)
        self.counts_by_category.update(categories_after)
        for name in [name for name, count in self.counts_by_category.items() if count <= 0]:
            del self.counts_by_category[name]
        if self._view:
            self.dataChanged.emit(
                self.index(0, Column.CAUSE),
                self.index(len(self._view) - 1, Column.CATEGORY),
                [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole],
            )
        return changed

    def set_checked_visible(self, checked: bool) -> None:
        if checked:
            self._checked.update(self._view)
        else:
            self._checked.clear()
        if self._view:
            self.dataChanged.emit(
                self.index(0, Column.CHECK),
                self.index(len(self._view) - 1, Column.CHECK),
                [Qt.ItemDataRole.CheckStateRole],
            )

    def category_label(self, category: str) -> str:
        return self._category_ja.get(category, category)

    def row_text(self, row: int) -> list[str]:
        """Every column's display text (for the clipboard)."""
        row_id = self._view[row]
        return [self._display(row_id, column) or "" for column in Column if column != Column.CHECK]

    # ---- internals ----------------------------------------------------------------------

    def _display(self, row_id: int, column: int) -> str | None:
        entry = self._entries[row_id]
        if column == Column.CHECK:
            return None
        if column == Column.KIND:
            return entry.list_kind.label_ja
        if column == Column.EMAIL:
            return entry.email
        if column == Column.DOMAIN:
            return entry.domain
        if column == Column.CREATED:
            return texts.format_jst(entry.created)
        if column == Column.STATUS:
            return entry.status
        if column == Column.REASON:
            return single_line(entry.reason)
        explanation = self._explanations[row_id]
        if explanation is None:
            return texts.NOT_CLASSIFIED
        if column == Column.CAUSE:
            return single_line(explanation.explanation_ja)
        if column == Column.ACTION:
            return single_line(explanation.action_ja)
        label = self.category_label(explanation.category)
        return f"{label}（{texts.NEEDS_REVIEW}）" if explanation.needs_review else label

    def _drop_caches(self) -> None:
        self._keys = {}
        self._reason_keys = None
        self._domains = None

    def _count(
        self, entries: Sequence[SuppressionEntry], explanations: Sequence[Explanation | None]
    ) -> None:
        self.counts_by_list.update(entry.list_kind for entry in entries)
        by_id, pool, codes = self._code_by_id, self._pool, self._codes
        for explanation in explanations:
            code = by_id.get(id(explanation))
            if code is None:  # the rows keep the object alive, so its id stays unique
                code = by_id[id(explanation)] = len(pool)
                pool.append(explanation)
            codes.append(code)
        self.counts_by_category.update(
            explanation.category for explanation in explanations if explanation is not None
        )
        self.counts_by_domain.update(self._domain_of(entry) for entry in entries)

    def _domain_of(self, entry: SuppressionEntry) -> str:
        return sys.intern(entry.domain)

    def _extend_caches(self, first: int) -> None:
        """Keep already-built key lists in step with appended rows (cheap: new rows only)."""
        for column in list(self._keys):
            self._keys[column].extend(self._compute_keys(column, first))
        if self._reason_keys is not None:
            self._reason_keys.extend(self._compute_reasons(first))
        if self._domains is not None:
            self._domains.extend(self._domain_of(e) for e in self._entries[first:])

    def _column_keys(self, column: Column) -> Any:
        # Domain and reason keys are shared with the filter caches; check keys change often.
        if column == Column.DOMAIN:
            return self._domain_keys()
        if column == Column.REASON:
            return self._reasons()
        if column == Column.CHECK:
            return self._compute_keys(column, 0)
        keys = self._keys.get(column)
        if keys is None:
            keys = self._keys[column] = self._compute_keys(column, 0)
        return keys

    def _compute_keys(self, column: Column, first: int) -> Any:
        """Sort keys of rows ``first``.. (a list, or a compact array for numbers)."""
        entries = self._entries[first:] if first else self._entries
        if column == Column.CHECK:
            checked = self._checked
            return [i in checked for i in range(first, len(self._entries))]
        if column == Column.KIND:
            return array("b", [_KIND_ORDER[e.list_kind] for e in entries])
        if column == Column.EMAIL:
            # Shared with the text filter. An address that is already lower case is its own key
            # (str.lower() would make a copy: ~60 MB at a million rows).
            return [e.email if e.email.islower() else e.email.lower() for e in entries]
        if column == Column.CREATED:
            return array("q", [int(e.created.timestamp()) for e in entries])
        if column == Column.STATUS:
            return [e.status for e in entries]
        explanations = self._explanations[first:] if first else self._explanations
        if column == Column.CAUSE:
            return [x.explanation_ja if x else "" for x in explanations]
        if column == Column.ACTION:
            return [x.action_ja if x else "" for x in explanations]
        return [x.category if x else "" for x in explanations]

    def _reasons(self) -> list[str]:
        if self._reason_keys is None:
            self._reason_keys = self._compute_reasons(0)
        return self._reason_keys

    def _compute_reasons(self, first: int) -> list[str]:
        # Reasons repeat a lot (same remote server, same text): one lower-case copy per text.
        lowered: dict[str, str] = {}
        result = []
        for entry in self._entries[first:] if first else self._entries:
            reason = entry.reason
            low = lowered.get(reason)
            if low is None:
                low = lowered[reason] = reason if reason.islower() else reason.lower()
            result.append(low)
        return result

    def _domain_keys(self) -> list[str]:
        if self._domains is None:
            self._domains = [self._domain_of(e) for e in self._entries]
        return self._domains

    def _sorted_ids(self, column: Column, order: Qt.SortOrder) -> array[int]:
        keys = self._column_keys(column)
        # reverse=True keeps equal keys in arrival order, like the ascending sort does.
        return array(
            _ROW_ID,
            sorted(
                range(len(keys)),
                key=keys.__getitem__,
                reverse=order == Qt.SortOrder.DescendingOrder,
            ),
        )

    def _remap_persistent(self, persistent: list[QPersistentModelIndex], ids: list[int]) -> None:
        if not persistent:
            return
        wanted = set(ids)  # a few selected rows: no million-entry position dict
        position = {row_id: row for row, row_id in enumerate(self._view) if row_id in wanted}
        new_indexes = []
        for index, row_id in zip(persistent, ids, strict=True):
            row = position.get(row_id)
            new_indexes.append(QModelIndex() if row is None else self.index(row, index.column()))
        self.changePersistentIndexList(persistent, new_indexes)


def _keep_rows_out_of_gc() -> None:
    """Move every object the collector tracks into its permanent generation (``gc.freeze``).

    Rows are long-lived and hold no reference cycles, but each one is a tracked object: with
    200k rows a full collection held the GIL for ~100 ms (and grows with the row count), which
    froze the window while a fetch streamed in. Frozen objects are still freed by reference
    counting; only cycles formed among them wait until ``clear()`` unfreezes. O(1).
    """
    gc.freeze()
