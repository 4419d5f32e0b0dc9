"""EntryTableModel after remove_entries / replace_explanations: every per-row cache (sort keys,
filter haystacks, explanation codes, checks, counts) agrees with a model freshly built from the
rows that are left, and the row-id arrays stay compact."""

from __future__ import annotations

import dataclasses
from array import array
from collections import Counter

import pytest
from PySide6.QtCore import Qt

from app.core.types import ListKind, SuppressionEntry
from app.ui.models.entry_table import ENTRY_ROLE, EXPLANATION_ROLE, SORT_ROLE, Column
from app.ui.models.entry_table import EntryTableModel as Model
from tests.helpers.ui import MAILBOX_FULL, USER_UNKNOWN, entry

ASC, DESC = Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder
CHECK_ROLE = Qt.ItemDataRole.CheckStateRole
KINDS = [ListKind.BOUNCES, ListKind.BLOCKS, ListKind.SPAM_REPORTS, ListKind.INVALID_EMAILS]
REASONS = ["550 5.1.1 User Unknown", "452 4.2.2 mailbox full", "550 Blocked by POLICY", ""]
DOMAINS = ["example.jp", "Docomo.ne.jp", "ezweb.ne.jp", "example.com", "softbank.jp"]
# What the LLM makes of MAILBOX_FULL for one reason text: another category and wording.
REFINED = dataclasses.replace(
    MAILBOX_FULL,
    category="Technical Failure",
    explanation_ja="受信サーバーの一時的な不調です。",
    action_ja="数時間後に再送してください。",
    source="llm",
)


def varied_rows(count: int) -> tuple[list[SuppressionEntry], list]:
    """Rows where every column has ties and differences (mixed-case addresses, shared reasons,
    several lists and domains, unclassified rows)."""
    entries, explanations = [], []
    for i in range(count):
        name = f"User{i:03d}" if i % 4 == 0 else f"user{i:03d}"
        entries.append(
            entry(
                f"{name}@{DOMAINS[i % 5]}",
                (i * 7) % 31,
                KINDS[i % 4],
                reason=REASONS[(i // 2) % 4],
            )
        )
        explanations.append([USER_UNKNOWN, MAILBOX_FULL, None][i % 3])
    return entries, explanations


def fresh_copy(model: Model) -> Model:
    """A new model holding the same rows (arrival order) and checks, built with no history."""
    copy = Model()
    entries, explanations, _ = model.snapshot(shown_only=False)
    copy.append(entries, explanations)
    checked = {id(e) for e, _ in model.checked_items()}
    for row in range(copy.rowCount()):
        if id(copy.entry_at(row)) in checked:
            copy.setData(copy.index(row, Column.CHECK), Qt.CheckState.Checked, CHECK_ROLE)
    return copy


def shown(model: Model) -> list[tuple]:
    """The visible rows (entry, explanation) in display order."""
    rows = range(model.rowCount())
    return [
        (model.index(r, 0).data(ENTRY_ROLE), model.index(r, 0).data(EXPLANATION_ROLE)) for r in rows
    ]


def build_every_cache(model: Model) -> None:
    for column in Column:
        model.sort(column, ASC)
    model.set_filters(text="user", domain="example.jp", category="Invalid Address")
    model.set_filters(text="", domain="", category="", list_kind=ListKind.BLOCKS)
    model.set_filters(list_kind=None)


NO_FILTER = {"text": "", "list_kind": None, "category": "", "domain": ""}
FILTERS = [
    {"text": "USER0"},
    {"text": "blocked by"},
    {"text": "一時的な不調"},  # the refined explanation's wording
    {"text": "受信者のメールボックス"},  # MAILBOX_FULL's wording
    {"domain": "docomo.ne.jp"},
    {"category": "Mailbox Unavailable"},
    {"category": "Technical Failure"},
    {"list_kind": ListKind.BLOCKS, "text": "example"},
]


def assert_matches_a_fresh_model(model: Model) -> None:
    """Sorted by every column both ways, and under each filter, ``model`` shows what a fresh
    model over the same rows shows (stale or misaligned caches would reorder or mis-filter)."""
    fresh = fresh_copy(model)
    model.set_filters(**NO_FILTER)
    for column in Column:
        for order in (ASC, DESC):
            model.sort(column, order)
            fresh.sort(column, order)
            assert shown(model) == shown(fresh), (column, order)
            keys = [model.index(r, column).data(SORT_ROLE) for r in range(model.rowCount())]
            assert keys == sorted(keys, reverse=order == DESC), (column, order)
    for filters in FILTERS:
        for table in (model, fresh):
            table.set_filters(**{**NO_FILTER, **filters})
        assert shown(model) == shown(fresh), filters
    model.set_filters(**NO_FILTER)
    assert model.counts_by_list == fresh.counts_by_list
    assert model.counts_by_category == fresh.counts_by_category
    assert model.counts_by_domain == fresh.counts_by_domain


def assert_compact_row_ids(model: Model) -> None:
    # White-box on purpose: a plain list here costs ~40 MB more per million rows.
    assert isinstance(model._view, array) and model._view.typecode == "i"
    assert model._order is None or (
        isinstance(model._order, array) and model._order.typecode == "i"
    )


@pytest.mark.parametrize("scattered", [False, True], ids=["row-runs", "reset"])
def test_remove_keeps_caches_consistent_and_row_ids_compact(qtmodeltester, scattered) -> None:
    model = Model()
    model.append(*varied_rows(450 if scattered else 120))
    build_every_cache(model)
    model.sort(Column.CREATED, DESC)
    model.set_filters(text="user")
    chosen = [model.entry_at(r) for r in range(0, model.rowCount(), 2 if scattered else 17)]
    model.setData(model.index(1, Column.CHECK), Qt.CheckState.Checked, CHECK_ROLE)
    model.setData(model.index(2, Column.CHECK), Qt.CheckState.Checked, CHECK_ROLE)
    still_checked = [e for e, _ in model.checked_items() if e not in chosen]
    resets: list[bool] = []
    model.modelReset.connect(lambda: resets.append(True))

    assert model.remove_entries(e.key for e in chosen) == len(chosen)

    assert resets == ([True] if scattered else [])  # the two removal paths are both exercised
    assert_compact_row_ids(model)
    assert not {e.key for e, _ in shown(model)} & {e.key for e in chosen}
    assert [e for e, _ in model.checked_items()] == still_checked
    qtmodeltester.check(model)
    assert_matches_a_fresh_model(model)
    assert_compact_row_ids(model)


def test_refinement_reaches_filter_sort_and_counts_without_moving_rows(
    qtmodeltester, qtbot
) -> None:
    model = Model()
    model.append(*varied_rows(90))
    build_every_cache(model)
    model.sort(Column.CATEGORY, ASC)
    model.set_filters(category="Mailbox Unavailable")
    before = shown(model)
    # Only the MAILBOX_FULL rows with this reason are refined; other reasons keep theirs.
    target = [e for e, x in before if e.reason == REASONS[1]]
    assert target and len(target) < len(before)
    mapping = {(REASONS[1], e.status, e.list_kind, MAILBOX_FULL): REFINED for e in target}
    categories_before = Counter(model.counts_by_category)

    with qtbot.waitSignal(model.dataChanged) as changed:
        assert model.replace_explanations(mapping) == len(target)

    # Every explanation column: 原因 through 削除すると (the last one).
    assert changed.args[0].column() == Column.CAUSE
    assert changed.args[1].column() == Column.DELETE_EFFECT
    # Rows stay where they are (no re-filter under the operator's cursor), showing the new text.
    assert [e for e, _ in shown(model)] == [e for e, _ in before]
    refined_rows = [r for r, (e, _) in enumerate(before) if e in target]
    assert {model.index(r, Column.CAUSE).data() for r in refined_rows} == {REFINED.explanation_ja}
    assert {model.explanation_at(r) for r in refined_rows} == {REFINED}
    assert_compact_row_ids(model)
    qtmodeltester.check(model)

    # The next filter change uses the new explanations: category and text both.
    model.set_filters(category="Mailbox Unavailable")
    assert not {e for e, _ in shown(model)} & set(target)
    model.set_filters(category="Technical Failure")
    assert [e for e, _ in shown(model)] == [e for e, _ in before if e in target]
    model.set_filters(category="", text="一時的な不調")
    assert {e for e, _ in shown(model)} == set(target)
    assert model.counts_by_category["Technical Failure"] == len(target)
    assert model.counts_by_category["Mailbox Unavailable"] == (
        categories_before["Mailbox Unavailable"] - len(target)
    )
    assert_matches_a_fresh_model(model)


def test_refinement_with_no_matching_rows_changes_nothing(qtbot) -> None:
    model = Model()
    model.append(*varied_rows(12))
    other_reason = {("no such reason", "5.1.1", ListKind.BOUNCES, MAILBOX_FULL): REFINED}
    with qtbot.assertNotEmitted(model.dataChanged):
        assert model.replace_explanations({}) == 0
        assert model.replace_explanations(other_reason) == 0
        assert (
            model.replace_explanations({("x", "y", ListKind.BOUNCES, REFINED): MAILBOX_FULL}) == 0
        )


def test_sort_role_of_the_check_column_is_the_check_state() -> None:
    model = Model()
    model.append(*varied_rows(6))
    model.setData(model.index(3, Column.CHECK), Qt.CheckState.Checked, CHECK_ROLE)
    keys = [model.index(r, Column.CHECK).data(SORT_ROLE) for r in range(6)]
    assert keys == [False, False, False, True, False, False]
    model.sort(Column.CHECK, DESC)
    assert (
        model.index(0, Column.CHECK).data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked
    )
