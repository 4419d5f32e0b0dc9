"""EntryTableModel.remove_entries (rows of deleted addresses) and checked_items, no window."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt

from app.core.types import ListKind
from app.ui.models.entry_table import ENTRY_ROLE, Column, EntryTableModel
from tests.helpers.ui import MAILBOX_FULL, USER_UNKNOWN, entry


def build(count: int) -> EntryTableModel:
    model = EntryTableModel()
    entries = [
        entry(
            f"user{i:04d}@example.jp", i % 48, ListKind.BLOCKS if i % 3 == 0 else ListKind.BOUNCES
        )
        for i in range(count)
    ]
    model.append(entries, [USER_UNKNOWN if i % 2 else MAILBOX_FULL for i in range(count)])
    return model


def shown(model: EntryTableModel) -> list[str]:
    return [model.index(r, 0).data(ENTRY_ROLE).email for r in range(model.rowCount())]


def check(model: EntryTableModel, rows: list[int]) -> None:
    for row in rows:
        model.setData(
            model.index(row, Column.CHECK), Qt.CheckState.Checked, Qt.ItemDataRole.CheckStateRole
        )


def test_removes_only_matching_rows_through_sort_and_filter(qtmodeltester) -> None:
    model = build(40)
    qtmodeltester.check(model)
    model.sort(Column.CREATED, Qt.SortOrder.DescendingOrder)
    model.set_filters(list_kind=ListKind.BOUNCES)
    check(model, [0, 1, 2])
    checked = [e for e, _ in model.checked_items()]
    assert len(checked) == 3
    hidden_block = "user0000@example.jp"  # a block: hidden by the bounces filter
    assert hidden_block not in shown(model)
    before = shown(model)
    removals: list[tuple[int, int]] = []
    model.rowsRemoved.connect(lambda _parent, first, last: removals.append((first, last)))

    # One deleted address is upper-cased (keys compare case-insensitively); one is on another
    # list than its row (must not match); one is hidden by the filter (leaves storage anyway).
    keys = [
        (checked[0].list_kind, checked[0].email.upper()),
        (checked[1].list_kind, checked[1].email),
        (ListKind.SPAM_REPORTS, checked[2].email),
        (ListKind.BLOCKS, hidden_block),
    ]
    assert model.remove_entries(keys) == 3
    assert shown(model) == [e for e in before if e not in {checked[0].email, checked[1].email}]
    assert removals and all(first <= last for first, last in removals)
    assert model.total == 37
    assert [e for e, _ in model.checked_items()] == [checked[2]]
    assert model.checked_count == 1
    assert model.counts_by_list[ListKind.BOUNCES] + model.counts_by_list[ListKind.BLOCKS] == 37
    assert sum(model.counts_by_category.values()) == 37
    assert sum(model.counts_by_domain.values()) == 37
    qtmodeltester.check(model)

    # Caches were rebuilt: sorting and filtering still see exactly the remaining rows.
    model.set_filters(list_kind=None)
    assert hidden_block not in shown(model)
    model.sort(Column.EMAIL, Qt.SortOrder.AscendingOrder)
    assert shown(model) == sorted(shown(model))
    assert len(shown(model)) == 37
    model.set_filters(text="user00")
    assert all("user00" in email for email in shown(model))


def test_many_scattered_rows_leave_with_one_reset(qtmodeltester) -> None:
    model = build(1000)
    resets: list[bool] = []
    model.modelReset.connect(lambda: resets.append(True))
    every_other = [(ListKind.BOUNCES, model.entry_at(r).email) for r in range(0, 1000, 2)]
    removed = model.remove_entries(every_other)
    # Rows r % 3 == 0 are blocks: their bounce keys match nothing.
    assert removed == sum(1 for r in range(0, 1000, 2) if r % 3 != 0)
    assert resets == [True]
    assert model.rowCount() == model.total == 1000 - removed
    qtmodeltester.check(model)


def test_nothing_to_remove_changes_nothing() -> None:
    model = build(5)
    assert model.remove_entries([]) == 0
    assert model.remove_entries([(ListKind.BOUNCES, "nobody@example.jp")]) == 0
    assert model.rowCount(QModelIndex()) == 5
