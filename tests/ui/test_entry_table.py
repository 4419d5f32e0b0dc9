"""EntryTableModel without a window: Qt model contract, sort, filter, checks, streaming."""

from __future__ import annotations

import gc

import pytest
from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QModelRoleData,
    QModelRoleDataSpan,
    Qt,
)
from PySide6.QtWidgets import QTableView

from app.core.types import ListKind
from app.ui.models.entry_table import ENTRY_ROLE, SORT_ROLE, Column, EntryTableModel
from tests.helpers.ui import MAILBOX_FULL, USER_UNKNOWN, entry

CHECK_ROLE = Qt.ItemDataRole.CheckStateRole


@pytest.fixture
def model(qtmodeltester) -> EntryTableModel:
    table = EntryTableModel()
    table.append(
        [
            entry("Carol@Example.jp", 5),
            entry("alice@example.com", 9, reason="452 4.2.2 Mailbox full <b>x</b>\tnext\nline"),
            entry("bob@docomo.ne.jp", 1, ListKind.BLOCKS, reason="550 blocked by policy"),
            entry("dave@example.com", 3, ListKind.SPAM_REPORTS, reason=""),
        ],
        [USER_UNKNOWN, MAILBOX_FULL, USER_UNKNOWN, None],
    )
    return table


def emails(table: EntryTableModel) -> list[str]:
    return [table.index(row, Column.EMAIL).data() for row in range(table.rowCount())]


def test_qt_model_contract_with_data(model, qtmodeltester) -> None:
    qtmodeltester.check(model, force_py=True)
    model.sort(Column.CREATED, Qt.SortOrder.DescendingOrder)
    model.set_filters(text="example")
    qtmodeltester.check(model, force_py=True)


def test_display_texts_are_formatted_and_single_line(model) -> None:
    row = emails(model).index("alice@example.com")
    assert model.index(row, Column.KIND).data() == "バウンス"
    assert model.index(row, Column.DOMAIN).data() == "example.com"
    assert model.index(row, Column.CREATED).data() == "2026/11/01 21:00"  # 12:00 UTC → JST
    reason_cell = model.index(row, Column.REASON).data()
    assert "\t" not in reason_cell and "\n" not in reason_cell
    assert model.index(row, Column.CATEGORY).data() != "Mailbox Unavailable"  # Japanese label
    tooltip = model.index(row, Column.REASON).data(Qt.ItemDataRole.ToolTipRole)
    assert "&lt;b&gt;" in tooltip and "<b>x" not in tooltip  # escaped for the rich-text tooltip
    unclassified = emails(model).index("dave@example.com")
    assert model.index(unclassified, Column.CAUSE).data() == "（分類中）"


def test_sort_by_created_and_address_both_directions(model) -> None:
    model.sort(Column.CREATED, Qt.SortOrder.AscendingOrder)
    assert emails(model) == [
        "bob@docomo.ne.jp",
        "dave@example.com",
        "Carol@Example.jp",
        "alice@example.com",
    ]
    model.sort(Column.EMAIL, Qt.SortOrder.DescendingOrder)
    assert emails(model) == [
        "dave@example.com",
        "Carol@Example.jp",  # case-insensitive
        "bob@docomo.ne.jp",
        "alice@example.com",
    ]
    first = model.index(0, Column.CREATED)
    assert isinstance(first.data(SORT_ROLE), int)


def test_text_filter_is_case_insensitive_over_address_reason_and_explanation(model) -> None:
    model.set_filters(text="EXAMPLE.JP")
    assert emails(model) == ["Carol@Example.jp"]
    model.set_filters(text="blocked BY")
    assert emails(model) == ["bob@docomo.ne.jp"]
    model.set_filters(text="メールボックスが一杯")  # explanation text
    assert emails(model) == ["alice@example.com"]
    model.set_filters(text="")
    assert len(emails(model)) == 4


def test_list_category_and_domain_filters_combine(model) -> None:
    model.set_filters(list_kind=ListKind.BOUNCES)
    assert sorted(emails(model)) == ["Carol@Example.jp", "alice@example.com"]
    model.set_filters(category="Invalid Address")
    assert emails(model) == ["Carol@Example.jp"]
    model.set_filters(list_kind=None, category="", domain="example.com")
    assert sorted(emails(model)) == ["alice@example.com", "dave@example.com"]


def test_checks_survive_sort_and_filter(model) -> None:
    row = emails(model).index("bob@docomo.ne.jp")
    assert model.setData(
        model.index(row, Column.CHECK), Qt.CheckState.Checked.value, Qt.ItemDataRole.CheckStateRole
    )
    model.sort(Column.EMAIL, Qt.SortOrder.DescendingOrder)
    model.set_filters(text="docomo")
    assert model.index(0, Column.CHECK).data(Qt.ItemDataRole.CheckStateRole) == (
        Qt.CheckState.Checked
    )
    model.set_filters(text="")
    checked = [
        model.index(r, Column.CHECK).data(ENTRY_ROLE).email
        for r in range(model.rowCount())
        if model.index(r, Column.CHECK).data(Qt.ItemDataRole.CheckStateRole)
        == Qt.CheckState.Checked
    ]
    assert checked == ["bob@docomo.ne.jp"]
    assert [e.email for e in model.checked_entries()] == ["bob@docomo.ne.jp"]


def test_append_inserts_only_rows_that_pass_the_filter(model, qtbot) -> None:
    model.set_filters(list_kind=ListKind.BLOCKS)
    with qtbot.waitSignal(model.rowsInserted) as inserted:
        model.append(
            [entry("new@x.jp", 2, ListKind.BLOCKS), entry("other@x.jp", 2)],
            [USER_UNKNOWN, USER_UNKNOWN],
        )
    assert inserted.args[1:] == [1, 1]
    assert emails(model) == ["bob@docomo.ne.jp", "new@x.jp"]
    assert model.total == 6
    assert model.counts_by_list[ListKind.BOUNCES] == 3


def test_persistent_selection_follows_its_entry_through_a_sort(model) -> None:
    from PySide6.QtCore import QPersistentModelIndex

    row = emails(model).index("alice@example.com")
    kept = QPersistentModelIndex(model.index(row, Column.EMAIL))
    model.sort(Column.CREATED, Qt.SortOrder.AscendingOrder)
    assert kept.data() == "alice@example.com"
    assert kept.row() == 3


def test_clear_resets(model) -> None:
    model.clear()
    assert model.rowCount(QModelIndex()) == 0 and model.total == 0


class _DataOnlyModel(EntryTableModel):
    """Qt's own multiData(), which asks data() once per role: the reference for painting."""

    def multiData(self, index, roleDataSpan) -> None:
        QAbstractTableModel.multiData(self, index, roleDataSpan)


def _filled(table: EntryTableModel) -> EntryTableModel:
    table.append(
        [
            entry("Carol@Example.jp", 5),
            entry("alice@example.com", 9, reason="452 4.2.2 Mailbox full <b>x</b>\tnext\nline"),
            entry("bob@docomo.ne.jp", 1, ListKind.BLOCKS, reason="550 blocked by policy"),
            entry("dave@example.com", 3, ListKind.SPAM_REPORTS, reason=""),
        ],
        [USER_UNKNOWN, MAILBOX_FULL, USER_UNKNOWN, None],
    )
    table.setData(table.index(1, Column.CHECK), Qt.CheckState.Checked.value, CHECK_ROLE)
    return table


def test_multidata_answers_every_role_like_data(model) -> None:
    model.setData(model.index(2, Column.CHECK), Qt.CheckState.Checked.value, CHECK_ROLE)
    roles = [Qt.ItemDataRole(role) for role in range(14)] + [ENTRY_ROLE, SORT_ROLE]
    for row in range(model.rowCount()):
        for column in Column:
            index = model.index(row, column)
            for role in roles:
                slot = QModelRoleData(role)
                model.multiData(index, QModelRoleDataSpan(slot))
                assert slot.data() == model.data(index, role), (row, column, role)


def test_a_view_paints_the_same_through_multidata_as_through_data(qtbot) -> None:
    images = []
    for table in (_filled(EntryTableModel()), _filled(_DataOnlyModel())):
        view = QTableView()
        qtbot.addWidget(view)
        view.setModel(table)
        view.resize(1400, 300)
        images.append(view.grab().toImage())
    assert images[0] == images[1]


def test_rows_are_kept_out_of_the_collector_until_clear(model) -> None:
    assert gc.get_freeze_count() > 0  # appended rows are frozen (full collections skip them)
    model.clear()
    assert gc.get_freeze_count() == 0


def test_delete_effect_column_says_what_deleting_does_and_sorts_safe_deletes_first(model) -> None:
    from app.core.glossary import delete_effect_label
    from app.core.types import DeleteEffect

    by_email = {
        model.index(row, Column.EMAIL).data(): model.index(row, Column.DELETE_EFFECT)
        for row in range(model.rowCount())
    }
    full = by_email["alice@example.com"]
    assert full.data() == delete_effect_label(MAILBOX_FULL.delete_effect)
    tooltip = full.data(Qt.ItemDataRole.ToolTipRole)
    assert "一時的" in tooltip and "恒久的" not in tooltip  # a full mailbox passes by itself
    unknown_tip = by_email["Carol@Example.jp"].data(Qt.ItemDataRole.ToolTipRole)
    # An unknown user is after_fix in the data; the cell says what deleting it does instead.
    assert USER_UNKNOWN.delete_effect == DeleteEffect.AFTER_FIX
    assert "恒久的" in unknown_tip and "再びバウンス" in unknown_tip
    assert by_email["dave@example.com"].data() == "（分類中）"  # not classified yet
    model.sort(Column.DELETE_EFFECT, Qt.SortOrder.AscendingOrder)
    order = [model.index(row, Column.DELETE_EFFECT).data(SORT_ROLE) for row in range(4)]
    assert order == sorted(order)
    assert model.index(0, Column.EMAIL).data() == "dave@example.com"  # unclassified first (-1)


def test_a_very_long_address_is_cut_in_its_cell_but_copied_whole(qtmodeltester) -> None:
    # Every repaint elides each painted cell's text again: a megabyte-long address would
    # cost that on every scroll. The clipboard (row_text) keeps the whole address.
    address = "a" * 100_000 + "\t@example.com"
    table = EntryTableModel()
    table.append([entry(address, 1)], [USER_UNKNOWN])
    cell = table.index(0, Column.EMAIL).data()
    assert len(cell) <= 300 and cell.endswith("…") and "\t" not in cell
    assert address in table.row_text(0)
