"""EntryTableModel: classified entries for the grid, sorted and filtered inside the model.

The rows live in an ``EntryStore`` (entry_store.py: storage, keys, sort, filter, no Qt); this
module is the Qt side: a ``view`` array of the visible row ids in display order, the sort and
filter state, roles, and the signals that keep views and persistent indexes right.

``Column`` and the roles are re-exported here: the rest of the app imports them from this
module.

The model is made before the window's first paint, its grid after it: so this module refers to
Qt's enums as ``QtCore.Qt.…`` inside methods only. Importing ``Qt`` builds ~95 enum classes
(~11 ms), which the first paint does not need; the roles are Qt's (stable) numbers.
"""

from __future__ import annotations

import dataclasses
import gc
from array import array
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from PySide6 import QtCore
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex

from app.core.types import Explanation, ListKind, SuppressionEntry
from app.ui import texts
from app.ui.models.entry_columns import (
    TOOLTIP_COLUMNS,
    Column,
    display_text,
    full_text,
    tooltip,
)
from app.ui.models.entry_columns import category_label as _category_label
from app.ui.models.entry_store import EntryStore, RefinementMap, RowFilter
from app.ui.models.row_ids import row_ids

__all__ = ["ENTRY_ROLE", "EXPLANATION_ROLE", "SORT_ROLE", "Column", "EntryTableModel"]

Index = QModelIndex | QPersistentModelIndex

# Roles as plain ints (Qt::ItemDataRole): `role == _DISPLAY` is also cheaper than an enum
# lookup per painted cell.
_DISPLAY = 0  # Qt::DisplayRole
_EDIT = 2  # Qt::EditRole
_TOOLTIP = 3  # Qt::ToolTipRole
_BACKGROUND = 8  # Qt::BackgroundRole
_CHECK_STATE = 10  # Qt::CheckStateRole
_USER = 256  # Qt::UserRole

ENTRY_ROLE = _USER + 1
EXPLANATION_ROLE = _USER + 2
SORT_ROLE = _USER + 3
_ENTRY = ENTRY_ROLE
_EXPLANATION = EXPLANATION_ROLE
_SORT = SORT_ROLE

# Beyond this many separate runs of removed rows, one reset is cheaper than the removals.
_MAX_REMOVAL_RUNS = 200


class EntryTableModel(QAbstractTableModel):
    """Rows are ids into the store; ``_view`` lists the visible ids in display order."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._store = EntryStore()
        self._view = row_ids()
        self._order: array[int] | None = None  # ids in sort order; None = arrival order
        self._sort: tuple[Column, QtCore.Qt.SortOrder] | None = None
        self._filter = RowFilter()

    # ---- Qt interface -------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._view)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(Column)

    def headerData(
        self, section: int, orientation: QtCore.Qt.Orientation, role: int = _DISPLAY
    ) -> Any:
        horizontal = orientation == QtCore.Qt.Orientation.Horizontal
        if horizontal and role == _DISPLAY and 0 <= section < len(Column):
            return texts.COLUMN_TITLES[section]
        return None

    def flags(self, index: Index) -> QtCore.Qt.ItemFlag:
        flag = QtCore.Qt.ItemFlag
        if not index.isValid():
            return flag.NoItemFlags
        base = flag.ItemIsEnabled | flag.ItemIsSelectable
        if index.column() == Column.CHECK:
            base |= flag.ItemIsUserCheckable
        return base

    def data(self, index: Index, role: int = _DISPLAY) -> Any:
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
        store = self._store
        if column == Column.HISTORY and role in (_DISPLAY, _BACKGROUND):
            mark = store.marks.get(store.entries[row_id].key, "") if store.marks else ""
            if role == _DISPLAY:
                return mark
            return _mark_colour(mark) if mark else None
        if role == _DISPLAY:
            return display_text(store.entries[row_id], store.explanations[row_id], column)
        if role == _CHECK_STATE:
            if column != Column.CHECK:
                return None
            checked = row_id in store.checked
            state = QtCore.Qt.CheckState
            return state.Checked if checked else state.Unchecked
        if role == _ENTRY:
            return store.entries[row_id]
        if role == _EXPLANATION:
            return store.explanations[row_id]
        if role == _SORT:
            return store.keys.key(Column(column), row_id)
        if role == _TOOLTIP and column in TOOLTIP_COLUMNS:
            return tooltip(store.entries[row_id], store.explanations[row_id], column)
        return None

    def setData(self, index: Index, value: Any, role: int = _EDIT) -> bool:
        if not index.isValid() or index.column() != Column.CHECK:
            return False
        if role != _CHECK_STATE:
            return False
        row_id = self._view[index.row()]
        state = QtCore.Qt.CheckState
        if state(value) == state.Checked:
            self._store.checked.add(row_id)
        else:
            self._store.checked.discard(row_id)
        self.dataChanged.emit(index, index, [QtCore.Qt.ItemDataRole.CheckStateRole])
        return True

    def sort(self, column: int, order: QtCore.Qt.SortOrder | None = None) -> None:
        """Sort by ``column`` (``order``: ascending when not given)."""
        if order is None:
            order = QtCore.Qt.SortOrder.AscendingOrder
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        ids = [self._view[index.row()] for index in persistent]
        self._sort = (Column(column), order)
        descending = order == QtCore.Qt.SortOrder.DescendingOrder
        self._order = self._store.sorted_ids(Column(column), descending)
        self._view = self._store.filtered(self._order, self._filter)
        self._remap_persistent(persistent, ids)
        self.layoutChanged.emit()

    # ---- feeding ------------------------------------------------------------------------

    def clear(self) -> None:
        self.beginResetModel()
        gc.unfreeze()  # see _keep_rows_out_of_gc: cycles made meanwhile become collectable again
        # A new store: storage, checks, counts, explanation pool and every key cache at once.
        self._store = EntryStore()
        self._view = row_ids()
        self._order = None
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
        new_ids = self._store.append(entries, explanations)
        if self._order is not None:
            self._order.extend(new_ids)
        visible = self._store.filtered(new_ids, self._filter)
        if visible:
            start = len(self._view)
            self.beginInsertRows(QModelIndex(), start, start + len(visible) - 1)
            self._view.extend(visible)
            self.endInsertRows()
        _keep_rows_out_of_gc()

    def resort(self) -> None:
        if self._sort is not None:
            self.sort(self._sort[0], self._sort[1])

    def set_marks(
        self, marks: dict[tuple[ListKind, str], str], notes: dict[str, str] | None = None
    ) -> None:
        """The 履歴 column's text per ``entry.key`` (新着, 再発 2…) and the details pane's extra
        line per lower-case address; replaces the previous ones."""
        store = self._store
        store.marks = dict(marks)
        store.notes = dict(notes or {})
        store.keys.drop({Column.HISTORY})
        if self._filter.mark or (self._sort is not None and self._sort[0] == Column.HISTORY):
            self.beginResetModel()
            if self._sort is not None and self._sort[0] == Column.HISTORY:
                descending = self._sort[1] == QtCore.Qt.SortOrder.DescendingOrder
                self._order = store.sorted_ids(Column.HISTORY, descending)
            base = self._order if self._order is not None else range(len(store))
            self._view = store.filtered(base, self._filter)
            self.endResetModel()
        elif self._view:
            self.dataChanged.emit(
                self.index(0, Column.HISTORY),
                self.index(len(self._view) - 1, Column.HISTORY),
                [QtCore.Qt.ItemDataRole.DisplayRole, QtCore.Qt.ItemDataRole.BackgroundRole],
            )

    def mark_at(self, row: int) -> str:
        store = self._store
        return store.marks.get(store.entries[self._view[row]].key, "") if store.marks else ""

    def note_at(self, row: int) -> str:
        """The details pane's history line of a row (再発 …), "" when none."""
        store = self._store
        return store.notes.get(store.entries[self._view[row]].email.lower(), "")

    # ---- filtering ----------------------------------------------------------------------

    def set_filters(
        self,
        *,
        text: str | None = None,
        list_kind: ListKind | bool | None = False,
        category: str | None = None,
        domain: str | None = None,
        mark: str | None = None,
    ) -> None:
        """Change any of the filters (``False``/``None`` = leave as is) and rebuild the view."""
        changes: dict[str, Any] = {}
        if text is not None:
            changes["text"] = text.strip().lower()
        if list_kind is not False:
            changes["list_kind"] = list_kind if isinstance(list_kind, ListKind) else None
        if category is not None:
            changes["category"] = category
        if domain is not None:
            changes["domain"] = domain.lower()
        if mark is not None:
            changes["mark"] = mark
        self._filter = dataclasses.replace(self._filter, **changes)
        self.beginResetModel()
        base = self._order if self._order is not None else range(len(self._store))
        self._view = self._store.filtered(base, self._filter)
        self.endResetModel()

    # ---- reading ------------------------------------------------------------------------

    @property
    def total(self) -> int:
        return len(self._store)

    @property
    def history_rows_stored(self) -> int:
        """Rows still held as history's stored tuples (not decoded): for tests and screenshots."""
        return self._store.entries.stored

    @property
    def counts_by_list(self) -> Counter[ListKind]:
        return self._store.counts_by_list

    @property
    def counts_by_category(self) -> Counter[str]:
        return self._store.counts_by_category

    @property
    def counts_by_domain(self) -> Counter[str]:
        return self._store.counts_by_domain

    def snapshot(
        self, *, shown_only: bool
    ) -> tuple[Sequence[SuppressionEntry], list[Explanation | None], array[int] | None]:
        """Copies of every entry and explanation in arrival order, and (``shown_only``) the
        shown rows' ids in view order; None means every row.

        Shallow list copies, O(rows) in C: a million entry_at() calls would freeze the window.
        The store replaces (never mutates) rows on deletion and refinement, so the copies stay
        consistent while a job reads them on another thread.
        """
        store = self._store
        view = array("i", self._view) if shown_only else None
        # Rows read from history stay stored tuples in the copy; the export job decodes them.
        return store.entries.copy(), list(store.explanations), view

    def history_marks(self) -> dict[tuple[ListKind, str], str]:
        """A copy of the 履歴 texts by entry key (新着, 再発 n), for an export job to read."""
        return dict(self._store.marks)

    def entry_at(self, row: int) -> SuppressionEntry:
        return self._store.entries[self._view[row]]

    def explanation_at(self, row: int) -> Explanation | None:
        return self._store.explanations[self._view[row]]

    def checked_entries(self) -> tuple[SuppressionEntry, ...]:
        entries = self._store.entries
        return tuple(entries[i] for i in self._store.checked_ids())

    @property
    def checked_count(self) -> int:
        return len(self._store.checked)

    def checked_items(self) -> tuple[tuple[SuppressionEntry, Explanation | None], ...]:
        """The checked rows as (entry, explanation) pairs in arrival order (what gets deleted);
        read from storage, never through row numbers that a sort or filter may have moved."""
        entries, explanations = self._store.entries, self._store.explanations
        return tuple((entries[i], explanations[i]) for i in self._store.checked_ids())

    def category_label(self, category: str) -> str:
        return _category_label(category)

    def row_text(self, row: int) -> list[str]:
        """Every column's whole text (for the clipboard): the grid's cells cut long values short,
        but an operator copies rows to paste the reason into a ticket or a spreadsheet."""
        row_id = self._view[row]
        entry, explanation = self._store.entries[row_id], self._store.explanations[row_id]
        mark = self._store.marks.get(entry.key, "") if self._store.marks else ""
        return [
            mark if column == Column.HISTORY else full_text(entry, explanation, column)
            for column in Column
            if column != Column.CHECK
        ]

    # ---- changing rows ------------------------------------------------------------------

    def remove_entries(self, keys: Iterable[tuple[ListKind, str]]) -> int:
        """Drop every row whose ``entry.key`` is in ``keys`` (addresses deleted from SendGrid).

        Visible rows leave through ``beginRemoveRows`` (one call per contiguous run, bottom
        first); then the store compacts every per-row structure and the row-id arrays are
        renumbered (rows keep their places, so no signal is due for that). Returns the number
        of rows removed.
        """
        gone = self._store.ids_with_keys(keys)
        if not gone:
            return 0
        runs = _runs([row for row, row_id in enumerate(self._view) if row_id in gone])
        reset = len(runs) > _MAX_REMOVAL_RUNS
        if reset:
            self.beginResetModel()
        else:
            for first, last in reversed(runs):
                self.beginRemoveRows(QModelIndex(), first, last)
                del self._view[first : last + 1]
                self.endRemoveRows()
        renumbering = self._store.remove(gone)
        # After the removals above the view holds kept rows only; after a reset it does not.
        self._view = renumbering.apply(self._view) if reset else renumbering.renumber(self._view)
        if self._order is not None:
            self._order = renumbering.apply(self._order)
        if reset:
            self.endResetModel()
        return len(gone)

    def replace_explanations(self, mapping: RefinementMap) -> int:
        """Swap refined explanations in (see ``EntryStore.replace_explanations`` for how rows
        are matched); returns the number of rows changed.

        ``dataChanged`` covers the explanation columns. Rows keep their place: no re-sort or
        re-filter under the operator's cursor; the next sort or filter change sees the new
        explanations.
        """
        changed = self._store.replace_explanations(mapping)
        if changed and self._view:
            self.dataChanged.emit(
                self.index(0, Column.CAUSE),  # through 削除すると, the last explanation column
                self.index(len(self._view) - 1, Column.DELETE_EFFECT),
                [QtCore.Qt.ItemDataRole.DisplayRole, QtCore.Qt.ItemDataRole.ToolTipRole],
            )
        return changed

    def checked_keys(self) -> set[tuple[ListKind, str]]:
        """The ``entry.key`` of every checked row: what a refill must tick again."""
        entries = self._store.entries
        return {entries[i].key for i in self._store.checked}

    def check_keys(self, keys: set[tuple[ListKind, str]]) -> int:
        """Tick the rows whose ``entry.key`` is in ``keys`` (addresses case-blind); returns how
        many rows are ticked now."""
        found = self._store.ids_with_keys(keys)
        if found:
            self._store.checked.update(found)
            if self._view:
                self.dataChanged.emit(
                    self.index(0, Column.CHECK),
                    self.index(len(self._view) - 1, Column.CHECK),
                    [QtCore.Qt.ItemDataRole.CheckStateRole],
                )
        return len(self._store.checked)

    def set_checked_visible(self, checked: bool) -> None:
        if checked:
            self._store.checked.update(self._view)
        else:
            self._store.checked.clear()
        if self._view:
            self.dataChanged.emit(
                self.index(0, Column.CHECK),
                self.index(len(self._view) - 1, Column.CHECK),
                [QtCore.Qt.ItemDataRole.CheckStateRole],
            )

    # ---- internals ----------------------------------------------------------------------

    def _remap_persistent(self, persistent: list[QModelIndex], ids: list[int]) -> None:
        if not persistent:
            return
        wanted = set(ids)  # a few selected rows: no million-entry position dict
        position = {row_id: row for row, row_id in enumerate(self._view) if row_id in wanted}
        new_indexes = []
        for index, row_id in zip(persistent, ids, strict=True):
            row = position.get(row_id)
            new_indexes.append(QModelIndex() if row is None else self.index(row, index.column()))
        self.changePersistentIndexList(persistent, new_indexes)


def _mark_colour(mark: str) -> Any:
    from PySide6.QtGui import QColor

    # 再発 warns (orange), 新着 informs (blue); both pale so the text stays readable.
    return QColor("#ffe0b2") if "再発" in mark else QColor("#dcebff")


def _runs(rows: list[int]) -> list[tuple[int, int]]:
    """Ascending row numbers grouped into (first, last) runs of consecutive rows."""
    runs: list[tuple[int, int]] = []
    for row in rows:
        if runs and runs[-1][1] == row - 1:
            runs[-1] = (runs[-1][0], row)
        else:
            runs.append((row, row))
    return runs


def _keep_rows_out_of_gc() -> None:
    """Move every object the collector tracks into its permanent generation (``gc.freeze``).

    Rows are long-lived and hold no reference cycles, but each one is a tracked object: with
    200k rows a full collection held the GIL for ~100 ms (and grows with the row count), which
    froze the window while a fetch streamed in. Frozen objects are still freed by reference
    counting; only cycles formed among them wait until ``clear()`` unfreezes. O(1).
    """
    gc.freeze()
