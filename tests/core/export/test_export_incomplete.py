"""An export of a fetch that stopped before its end: the workbook says the rows are part of the
range and lists only (条件 and 集計, and it opens on 条件), and what they cover list by list; a
complete fetch's workbook says nothing of the kind."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from openpyxl import load_workbook

from app.core.export.context import default_file_name
from app.core.export.excel import export_xlsx
from app.core.export.excel_report import INCOMPLETE_SCOPE_ALL
from app.core.export.incomplete import (
    COVERAGE_LABEL,
    NOTE_LABEL,
    STATE_LABEL,
    IncompleteFetch,
    ListCoverage,
    coverage_of,
)
from app.core.types import ListKind
from tests.helpers.export_rows import RANGE, make_context, make_rows


def seconds(year: int, month: int, day: int, hour: int) -> int:
    return int(datetime(year, month, day, hour, tzinfo=UTC).timestamp())


def test_coverage_counts_rows_and_jst_days_per_list() -> None:
    kinds = [ListKind.BOUNCES, ListKind.BOUNCES, ListKind.SPAM_REPORTS]
    created = [
        seconds(2025, 3, 2, 16),  # 2025/03/03 01:00 JST
        seconds(2025, 3, 5, 1),
        seconds(2025, 3, 4, 0),
    ]
    coverage = coverage_of((ListKind.BOUNCES, ListKind.BLOCKS), kinds, created)
    assert coverage == (
        ListCoverage(ListKind.BOUNCES, 2, date(2025, 3, 3), date(2025, 3, 5)),
        ListCoverage(ListKind.BLOCKS, 0),  # asked for, no row came in
        ListCoverage(ListKind.SPAM_REPORTS, 1, date(2025, 3, 4), date(2025, 3, 4)),
    )


def items_of(sheet) -> dict:
    return {row[0]: row[1] for row in sheet.iter_rows(values_only=True) if row[0]}


def test_an_incomplete_fetch_is_named_on_the_conditions_and_summary_sheets(
    tmp_path: Path,
) -> None:
    rows = make_rows(40)
    coverage = (
        ListCoverage(ListKind.BOUNCES, 30, date(2025, 3, 6), date(2025, 3, 10)),
        ListCoverage(ListKind.BLOCKS, 0),
    )
    incomplete = IncompleteFetch(cancelled=False, error_ja="接続が切れました。", coverage=coverage)
    path = tmp_path / "part.xlsx"
    export_xlsx(rows, make_context(scope="all", incomplete=incomplete), path)

    book = load_workbook(path)
    assert book.sheetnames == ["一覧", "集計", "条件"]  # the layout stays
    assert book.active.title == "条件"  # it opens on the warning
    conditions = items_of(book["条件"])
    assert "一部の行だけ" in conditions[NOTE_LABEL]
    assert "エラー" in conditions[STATE_LABEL] and "接続が切れました。" in conditions[STATE_LABEL]
    assert "バウンス: 30 件（2025/03/06 〜 2025/03/10 の行）" in conditions[COVERAGE_LABEL]
    assert "ブロック: 0 件" in conditions[COVERAGE_LABEL]
    assert conditions["出力範囲"] == INCOMPLETE_SCOPE_ALL
    assert conditions["行数"] == 40
    assert "一部の行だけ" in items_of(book["集計"])[NOTE_LABEL]
    # Rows and aggregates are written as for a complete fetch.
    assert book["一覧"].max_row == 41


def test_a_complete_fetch_has_no_warning(tmp_path: Path) -> None:
    path = tmp_path / "full.xlsx"
    export_xlsx(make_rows(10), make_context(scope="all"), path)
    book = load_workbook(path)
    assert book.active.title == "一覧"
    conditions = items_of(book["条件"])
    assert NOTE_LABEL not in conditions and STATE_LABEL not in conditions
    assert COVERAGE_LABEL not in conditions
    assert conditions["出力範囲"] == "取得したすべての行"
    assert NOTE_LABEL not in items_of(book["集計"])


def test_the_default_file_name_of_an_incomplete_fetch_says_so() -> None:
    assert default_file_name(RANGE, "csv") == "todoku_20250301-20250310.csv"
    assert default_file_name(RANGE, "csv", incomplete=True) == (
        "todoku_20250301-20250310_途中まで.csv"
    )


def test_an_incomplete_fetch_is_named_inside_the_csv_without_breaking_its_header(
    tmp_path: Path,
) -> None:
    """A CSV copied, renamed or attached loses the 「_途中まで」 of its name; the file itself says
    it. The header stays the first line and every line has as many fields (a CSV reader or
    Excel's filter sees one more column, 取得の状態, not a note taken for the header)."""
    import csv

    from app.core.export.columns import COLUMNS
    from app.core.export.csv_export import export_csv

    rows = make_rows(12)
    incomplete = IncompleteFetch(cancelled=False, error_ja="接続が切れました。")
    path = tmp_path / "part.csv"
    export_csv(rows, make_context(incomplete=incomplete), path)
    with path.open(encoding="utf-8-sig", newline="") as stream:
        records = list(csv.reader(stream))
    headers = [column.header_ja for column in COLUMNS]
    assert records[0] == [*headers, STATE_LABEL]
    assert len(records) == len(rows) + 1
    assert {len(record) for record in records} == {len(headers) + 1}
    assert {record[-1] for record in records[1:]} == {
        "途中まで（取得がエラーで止まりました: 接続が切れました。）"
    }
    with path.open(encoding="utf-8-sig", newline="") as stream:
        by_name = list(csv.DictReader(stream))
    assert by_name[0][headers[0]] == records[1][0]

    complete = tmp_path / "all.csv"
    export_csv(rows, make_context(), complete)
    with complete.open(encoding="utf-8-sig", newline="") as stream:
        assert next(csv.reader(stream)) == headers  # a complete fetch's CSV is unchanged
