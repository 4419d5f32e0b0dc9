"""The grid filled from history (rows kept as stored tuples) behaves exactly like the grid
filled with the same entries built one by one: cells, sorting, filters, 履歴 marks, checks,
deletion, export snapshot and counts."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from app.core.classify import LazyClassifier
from app.core.history.entry_rows import EntryRows
from app.core.history.incremental import merge_range
from app.core.storage.history import AccountKey, FetchWrite
from app.core.storage.history.sqlite_store import SqliteHistoryStore
from app.core.types import ALL_LISTS, Explanation, ListKind, SuppressionEntry
from app.ui.models.entry_table import ENTRY_ROLE, SORT_ROLE, Column, EntryTableModel

ACCOUNT = AccountKey(account="格子")
START = int(datetime(2026, 11, 1, tzinfo=UTC).timestamp())
END = START + 30 * 86_400
REASONS = (
    "550 5.1.1 <{email}>: User unknown",
    "452 4.2.2 Mailbox full",
    "550 5.7.1 Message rejected as spam",
    "421 4.7.0 Try again later <{email}>\tnext line",
)
DOMAINS = ("docomo.ne.jp", "Example.COM", "gmail.com", "ezweb.ne.jp")


def built(i: int, created: int) -> SuppressionEntry:
    kind = ALL_LISTS[i % len(ALL_LISTS)]
    local = f"User{i:03d}" if i % 4 == 0 else f"user{i:03d}"
    email = f"{local}@{DOMAINS[i % len(DOMAINS)]}"
    return SuppressionEntry(
        kind,
        email,
        datetime.fromtimestamp(created, tz=UTC),
        "5.1.1" if i % 2 else "4.2.2",
        REASONS[i % len(REASONS)].format(email=email),
    )


@pytest.fixture
def history_rows(tmp_path: Path) -> tuple[EntryRows, tuple[Explanation | None, ...]]:
    """300 rows recorded in history (several per second), then a fetch of 12 new ones: the
    rows a fetch through history hands the window, mostly stored tuples."""
    classify = LazyClassifier()
    store = SqliteHistoryStore(tmp_path / "history.sqlite3")
    old = [built(i, START + (i // 3) * 900) for i in range(300)]
    store.record_fetch(
        FetchWrite(
            ACCOUNT,
            ALL_LISTS,
            START,
            END,
            dict.fromkeys(ALL_LISTS, START),
            True,
            datetime(2026, 12, 1, tzinfo=UTC),
            old,
            list(classify(old)),
        )
    )
    tail_start = START + 99 * 900
    fetched = [built(1000 + i, tail_start + (i // 2) * 60) for i in range(12)]
    rows, explanations, _ = merge_range(
        store.open_range(ACCOUNT, START, END, ALL_LISTS),
        fetched,
        list(classify(fetched)),
        dict.fromkeys(ALL_LISTS, tail_start),
        (),
        START,
        END,
    )
    store.close()
    # The 3 old rows inside the asked window were answered for again (not returned: gone).
    assert 0 < rows.stored < len(rows) == 297 + 12
    return rows, explanations


@pytest.fixture
def models(history_rows, qtmodeltester) -> tuple[EntryTableModel, EntryTableModel]:
    rows, explanations = history_rows
    lazy, eager = EntryTableModel(), EntryTableModel()
    lazy.append(rows, explanations)
    eager.append(list(rows), explanations)  # every entry built up front: the reference
    qtmodeltester.check(lazy, force_py=True)
    return lazy, eager


def table(model: EntryTableModel) -> list[tuple[object, ...]]:
    """Every cell as the view asks for it: text, tooltip, sort key, check state, the entry."""
    roles = (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole, SORT_ROLE)
    cells = []
    for row in range(model.rowCount()):
        line: list[object] = [model.index(row, 0).data(ENTRY_ROLE)]
        for column in Column:
            index = model.index(row, column)
            line.extend(index.data(role) for role in roles)
        line.append(model.index(row, Column.CHECK).data(Qt.ItemDataRole.CheckStateRole))
        cells.append(tuple(line))
    return cells


def test_cells_and_counts_equal_the_grid_of_built_entries(models) -> None:
    lazy, eager = models
    assert table(lazy) == table(eager)
    assert lazy.counts_by_list == eager.counts_by_list
    assert lazy.counts_by_category == eager.counts_by_category
    assert lazy.counts_by_domain == eager.counts_by_domain
    assert sum(lazy.counts_by_domain.values()) == lazy.total == 309


def test_every_column_sorts_the_same_both_ways(models) -> None:
    lazy, eager = models
    for column in Column:
        for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
            lazy.sort(column, order)
            eager.sort(column, order)
            assert table(lazy) == table(eager), (column, order)


def test_filters_and_history_marks_pick_the_same_rows(models, history_rows) -> None:
    lazy, eager = models
    rows, _ = history_rows
    marks = {rows[3].key: "新着", rows[200].key: "再発 2", rows[201].key: "新着・再発 1"}
    notes = {rows[200].email.lower(): "再発 2 回"}
    filters = (
        {"text": "USER01"},
        {"text": "mailbox full"},
        {"text": ""},
        {"list_kind": ListKind.BLOCKS},
        {"list_kind": None, "domain": "example.com"},
        {"domain": "", "category": next(iter(eager.counts_by_category))},
        {"category": "", "mark": "再発"},
        {"mark": "", "text": "gmail", "list_kind": ListKind.BOUNCES},
    )
    for model in (lazy, eager):
        model.set_marks(marks, notes)
        model.sort(Column.HISTORY, Qt.SortOrder.DescendingOrder)
    assert [lazy.mark_at(row) for row in range(3)] == ["新着・再発 1", "新着", "再発 2"]
    for changes in filters:
        lazy.set_filters(**changes)
        eager.set_filters(**changes)
        assert lazy.rowCount() == eager.rowCount() > 0 or changes.get("mark"), changes
        assert table(lazy) == table(eager), changes
        assert [lazy.note_at(r) for r in range(lazy.rowCount())] == [
            eager.note_at(r) for r in range(eager.rowCount())
        ]
    lazy.set_filters(text="", list_kind=None, mark="再発")
    assert lazy.rowCount() == 2


def test_checked_rows_deletion_and_export_snapshot_match(models, history_rows) -> None:
    lazy, eager = models
    rows, _ = history_rows
    for model in (lazy, eager):
        model.sort(Column.EMAIL, Qt.SortOrder.AscendingOrder)
        model.set_filters(text="docomo")
        for row in range(0, model.rowCount(), 5):
            model.setData(
                model.index(row, Column.CHECK),
                Qt.CheckState.Checked,
                Qt.ItemDataRole.CheckStateRole,
            )
    assert lazy.checked_items() == eager.checked_items() and lazy.checked_count > 3
    gone = [entry.key for entry, _ in lazy.checked_items()]
    gone.append((rows[7].list_kind, rows[7].email.upper()))  # addresses compare case-blind
    assert lazy.remove_entries(gone) == eager.remove_entries(gone) == len(set(gone))
    for model in (lazy, eager):
        model.set_filters(text="")
    assert table(lazy) == table(eager) and lazy.total == 309 - len(set(gone))
    assert lazy.counts_by_domain == eager.counts_by_domain
    assert lazy.counts_by_list == eager.counts_by_list
    for shown_only in (False, True):
        entries, explanations, view = lazy.snapshot(shown_only=shown_only)
        eager_entries, eager_explanations, eager_view = eager.snapshot(shown_only=shown_only)
        assert list(entries) == list(eager_entries) and explanations == eager_explanations
        assert view == eager_view
    # The grid's copy is its own: rows it drops later do not change what an export reads.
    entries, _, _ = lazy.snapshot(shown_only=False)
    before = list(entries)
    lazy.remove_entries([before[0].key])
    assert list(entries) == before


def test_llm_refinement_changes_the_same_rows(models, history_rows) -> None:
    import dataclasses

    lazy, eager = models
    rows, explanations = history_rows
    mapping = {}
    for index in (0, 40, 150, 300):  # stored rows and a fetched one, several reasons
        entry, old = rows[index], explanations[index]
        assert old is not None
        mapping[(entry.reason, entry.status, entry.list_kind, old)] = dataclasses.replace(
            old, explanation_ja=f"AI による説明 {index}", category="mailboxfull"
        )
    changed = lazy.replace_explanations(mapping)
    assert changed == eager.replace_explanations(mapping) >= 4
    assert table(lazy) == table(eager)
    assert lazy.counts_by_category == eager.counts_by_category
