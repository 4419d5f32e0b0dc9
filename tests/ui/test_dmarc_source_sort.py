"""The DMARC per-source table sorts itself: a header click orders the rows by that column's
value (numbers as numbers, addresses numerically), equal values keep the core's order, the
selection follows its row, a new import keeps the chosen sort, and the sort indicator's "none"
gives the core's order back (failing sources first)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from app.core.dmarc.analysis import DmarcResult, SourceView
from app.core.dmarc.service import analyse_reports
from app.sandbox.dmarc_reports import many_sources_report_xml
from app.ui.dmarc import texts
from app.ui.dmarc.source_table import SOURCE_ROLE
from app.ui.dmarc.view import DmarcView

COLUMN = {title: index for index, title in enumerate(texts.COLUMN_TITLES)}
ADDRESSES = ("203.0.113.40", "192.0.2.10", "2001:db8::1", "not an address", "192.0.2.9", "::1")
MESSAGES = (5, 120, 5, 40, 5, 3)


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> DmarcResult:
    folder: Path = tmp_path_factory.mktemp("reports")
    (folder / "many.xml").write_bytes(many_sources_report_xml(len(ADDRESSES)))
    imported = analyse_reports(paths=[folder])
    sources = tuple(
        replace(source, source_ip=address, messages=messages)
        for source, address, messages in zip(imported.sources, ADDRESSES, MESSAGES, strict=True)
    )
    return replace(imported, sources=sources)


@pytest.fixture
def view(qtbot, result: DmarcResult) -> DmarcView:
    view = DmarcView()
    qtbot.addWidget(view)
    view.show_result(result)
    return view


def shown(view: DmarcView) -> list[SourceView]:
    model = view.table.model()
    return [model.index(row, 0).data(SOURCE_ROLE) for row in range(model.rowCount())]


def test_addresses_sort_by_number_ipv4_first_and_unreadable_text_last(view):
    view.table.sortByColumn(COLUMN["送信元 IP"], Qt.SortOrder.AscendingOrder)
    assert [s.source_ip for s in shown(view)] == [
        "192.0.2.9", "192.0.2.10", "203.0.113.40", "::1", "2001:db8::1", "not an address",
    ]  # fmt: skip
    view.table.sortByColumn(COLUMN["送信元 IP"], Qt.SortOrder.DescendingOrder)
    assert shown(view)[0].source_ip == "not an address"


def test_equal_values_keep_the_cores_order_both_ways(view, result):
    core = [s.source_ip for s in result.sources]
    fives = [ip for ip, count in zip(core, MESSAGES, strict=True) if count == 5]
    for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
        view.table.sortByColumn(COLUMN["メッセージ数"], order)
        rows = shown(view)
        counts = [s.messages for s in rows]
        assert counts == sorted(counts, reverse=order == Qt.SortOrder.DescendingOrder)
        assert [s.source_ip for s in rows if s.messages == 5] == fives


def test_the_selection_follows_its_row_and_the_details_stay(view):
    view.table.selectRow(0)
    chosen = view.selected_source()
    details = view.details.toPlainText()
    assert chosen is not None and details
    view.table.sortByColumn(COLUMN["メッセージ数"], Qt.SortOrder.DescendingOrder)
    view.table.sortByColumn(COLUMN["送信元 IP"], Qt.SortOrder.AscendingOrder)
    assert view.selected_source() == chosen
    row = view.table.selectionModel().selectedRows()[0].row()
    assert shown(view)[row] == chosen
    assert view.details.toPlainText() == details


def test_a_new_import_keeps_the_chosen_sort(view, result):
    view.table.sortByColumn(COLUMN["メッセージ数"], Qt.SortOrder.DescendingOrder)
    view.show_result(result)
    assert [s.messages for s in shown(view)] == sorted(MESSAGES, reverse=True)
    assert view.table.horizontalHeader().sortIndicatorSection() == COLUMN["メッセージ数"]


def test_no_sort_column_gives_the_cores_order_back(view, result):
    view.table.sortByColumn(COLUMN["送信元 IP"], Qt.SortOrder.DescendingOrder)
    assert shown(view) != list(result.sources)
    view.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
    assert shown(view) == list(result.sources)


def test_every_column_sorts_without_error_in_both_orders(view, result):
    for column in range(len(texts.COLUMN_TITLES)):
        for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
            view.table.sortByColumn(column, order)
            assert sorted(map(id, shown(view))) == sorted(map(id, result.sources))
