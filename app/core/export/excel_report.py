"""The 集計 (aggregates) and 条件 (conditions) sheets that follow the 一覧 sheets."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from app.core.dates import JST
from app.core.export.cells import needs_text_guard, report_cell_text
from app.core.export.columns import IN_JAPAN_TIME, category_label_ja
from app.core.export.context import SCOPE_LABELS_JA, ExportContext
from app.core.export.excel_styles import (
    COUNT_FORMAT,
    DATE_FORMAT,
    DATETIME_FORMAT,
    WARNING_FONT_COLOR,
    ExcelStyles,
    prepare_print,
)
from app.core.export.incomplete import (
    COVERAGE_LABEL,
    NOTE_LABEL,
    STATE_LABEL,
    coverage_text,
    note_text,
    state_text,
)
from app.core.export.summary import TOP_DOMAINS, SummaryCounter
from app.core.regions import region_label_ja

SUMMARY_SHEET_TITLE = "集計"
CONDITIONS_SHEET_TITLE = "条件"
SECTION_LIST_CATEGORY = "種別 × 分類"
SECTION_DOMAINS = f"受信者ドメイン別（上位{TOP_DOMAINS}件）"
SECTION_DAYS = f"日別{IN_JAPAN_TIME}"
TOTAL_LABEL = "合計"
NONE_TEXT = "（なし）"
INCOMPLETE_SCOPE_ALL = "取得できたすべての行（取得は途中まで）"
CONDITIONS_VALUE_WIDTH = 70


def other_domains_label(domain_count: int) -> str:
    return f"その他（{domain_count:,} ドメイン）"


def range_text(context: ExportContext) -> str:
    date_range = context.date_range
    return (
        f"{date_range.start:%Y/%m/%d} 〜 {date_range.end:%Y/%m/%d}"
        f"（{date_range.days}日間、日本時間）"
    )


class _SheetBuilder:
    """Small helper: typed cells for one write-only sheet, text always stored as text."""

    def __init__(self, sheet: Any, styles: ExcelStyles) -> None:
        self.sheet = sheet
        self.styles = styles
        self.rows = 0  # written so far

    def text(self, value: str, *, font: Any = None, wrap: bool = True) -> Any:
        from openpyxl.cell import WriteOnlyCell

        text = report_cell_text(value)
        cell = WriteOnlyCell(self.sheet, text)
        cell.data_type = "s"  # never a formula or an error value, whatever the text
        cell.alignment = self.styles.wrap_alignment if wrap else self.styles.top_alignment
        if needs_text_guard(text):
            cell.quotePrefix = True
        if font is not None:
            cell.font = font
        return cell

    def header(self, value: str) -> Any:
        return self.styles.header_cell(self.sheet, value)

    def count(
        self, value: int | float, *, number_format: str = COUNT_FORMAT, bold: bool = False
    ) -> Any:
        from openpyxl.cell import WriteOnlyCell

        cell = WriteOnlyCell(self.sheet, value)
        cell.number_format = number_format
        if bold:
            cell.font = self.styles.bold_font
        return cell

    def moment(self, value: date | datetime) -> Any:
        from openpyxl.cell import WriteOnlyCell

        cell = WriteOnlyCell(self.sheet, value)
        cell.number_format = DATETIME_FORMAT if isinstance(value, datetime) else DATE_FORMAT
        return cell

    def row(self, values: Sequence[Any]) -> None:
        self.sheet.append(list(values))
        self.rows += 1

    def tall_row(self, values: Sequence[Any], text: str, width: float) -> None:
        """A row whose ``text`` wraps in a column ``width`` characters wide: LibreOffice does
        not grow a row to fit wrapped text, so the height is set (before the row is written,
        as write-only mode requires)."""
        from app.core.export.excel import estimated_lines, row_height

        lines = estimated_lines(text, width)
        if lines > 1:
            self.sheet.row_dimensions[self.rows + 1].height = row_height(lines)
        self.row(values)


def write_summary_sheet(
    workbook: Any, styles: ExcelStyles, counter: SummaryCounter, context: ExportContext
) -> None:
    """Counts by list × category, by recipient domain (top 30 and その他) and by JST day."""
    sheet = workbook.create_sheet(SUMMARY_SHEET_TITLE)
    prepare_print(sheet)
    sheet.column_dimensions["A"].width = 34
    for letter in "BCDEFGH":
        sheet.column_dimensions[letter].width = 14
    out = _SheetBuilder(sheet, styles)
    lists = counter.lists(context.lists)
    list_headers = [out.header(kind.label_ja) for kind in lists]

    out.row([out.text(SUMMARY_SHEET_TITLE, font=styles.title_font)])
    out.row([out.text("期間"), out.text(range_text(context))])
    out.row([out.text("行数"), out.count(counter.rows)])
    if context.incomplete is not None:
        # Not wrapped: the note runs on over the empty cells to its right, on one line.
        warning = styles.warning_font
        note = out.text(note_text(context.incomplete), font=warning, wrap=False)
        out.row([out.text(NOTE_LABEL, font=warning), note])
    out.row([])

    out.row([out.text(SECTION_LIST_CATEGORY, font=styles.bold_font)])
    out.row([out.header("分類"), *list_headers, out.header(TOTAL_LABEL)])
    for category in counter.categories():
        counts = [counter.by_list_category[(kind, category)] for kind in lists]
        out.row(
            [out.text(category_label_ja(category))]
            + [out.count(count) for count in counts]
            + [out.count(sum(counts), bold=True)]
        )
    list_totals = [
        sum(counter.by_list_category[(kind, category)] for category in counter.categories())
        for kind in lists
    ]
    out.row(
        [out.text(TOTAL_LABEL, font=styles.bold_font)]
        + [out.count(total, bold=True) for total in list_totals]
        + [out.count(counter.rows, bold=True)]
    )
    out.row([])

    out.row([out.text(SECTION_DOMAINS, font=styles.bold_font)])
    out.row([out.header("ドメイン"), out.header("件数"), out.header("割合")])
    domains = counter.domains()
    share = 1 / counter.rows if counter.rows else 0.0
    for domain, count in domains.top:
        ratio = out.count(count * share, number_format="0.0%")
        out.row([out.text(domain), out.count(count), ratio])
    if domains.other_domains:
        out.row(
            [
                out.text(other_domains_label(domains.other_domains)),
                out.count(domains.other_rows),
                out.count(domains.other_rows * share, number_format="0.0%"),
            ]
        )
    out.row([out.text(TOTAL_LABEL, font=styles.bold_font), out.count(counter.rows, bold=True)])
    out.row([])

    out.row([out.text(SECTION_DAYS, font=styles.bold_font)])
    day_headers = [out.header(kind.label_ja) for kind in lists]
    out.row([out.header("日付"), *day_headers, out.header(TOTAL_LABEL)])
    for day in counter.days(context.date_range):
        counts = [counter.by_day[(day, kind)] for kind in lists]
        out.row(
            [out.moment(day)]
            + [out.count(count) for count in counts]
            + [out.count(sum(counts), bold=True)]
        )
    out.row(
        [out.text(TOTAL_LABEL, font=styles.bold_font)]
        + [out.count(total, bold=True) for total in list_totals]
        + [out.count(counter.rows, bold=True)]
    )


def write_conditions_sheet(
    workbook: Any,
    styles: ExcelStyles,
    context: ExportContext,
    row_count: int,
    data_sheet_titles: Sequence[str],
) -> None:
    """What the rows are: range, account, lists, filter, when and by which version."""
    sheet = workbook.create_sheet(CONDITIONS_SHEET_TITLE)
    prepare_print(sheet)
    sheet.column_dimensions["A"].width = 22
    sheet.column_dimensions["B"].width = CONDITIONS_VALUE_WIDTH
    out = _SheetBuilder(sheet, styles)
    exported_at = context.exported_at.astimezone(JST).replace(tzinfo=None)
    incomplete = context.incomplete
    scope = SCOPE_LABELS_JA.get(context.scope, context.scope)
    items: list[tuple[str, Any]] = [("期間", out.text(range_text(context)))]
    if incomplete is not None:
        # Next to the range it qualifies; the sheet's tab is red and the workbook opens here.
        sheet.sheet_properties.tabColor = WARNING_FONT_COLOR
        sheet.sheet_view.tabSelected = True
        items += [
            (STATE_LABEL, out.text(state_text(incomplete), font=styles.warning_font)),
            (COVERAGE_LABEL, out.text(coverage_text(incomplete))),
        ]
        if context.scope == "all":
            scope = INCOMPLETE_SCOPE_ALL
    items += [
        ("アカウント", out.text(context.account_label or NONE_TEXT)),
        ("サブユーザー", out.text(context.subuser or NONE_TEXT)),
        ("リージョン", out.text(region_label_ja(context.region) or NONE_TEXT)),
        ("対象リスト", out.text("、".join(kind.label_ja for kind in context.lists) or NONE_TEXT)),
        ("絞り込み条件", out.text(context.filter_description or NONE_TEXT)),
        ("出力範囲", out.text(scope)),
        (f"出力日時{IN_JAPAN_TIME}", out.moment(exported_at)),
        ("アプリのバージョン", out.text(context.app_version)),
        ("行数", out.count(row_count)),
        ("一覧のシート", out.text("、".join(data_sheet_titles))),
    ]
    out.row([out.text(CONDITIONS_SHEET_TITLE, font=styles.title_font)])
    if incomplete is not None:
        note = note_text(incomplete)
        warning = styles.warning_font
        cells = [out.text(NOTE_LABEL, font=warning), out.text(note, font=warning)]
        out.tall_row(cells, note, CONDITIONS_VALUE_WIDTH)
    out.row([out.header("項目"), out.header("内容")])
    for label, value in items:
        row = [out.text(label, font=styles.bold_font), value]
        if label in (STATE_LABEL, COVERAGE_LABEL):  # several lines, which must all show
            out.tall_row(row, value.value, CONDITIONS_VALUE_WIDTH)
        else:
            out.row(row)
    out.row([])
    out.row([out.text("日時はすべて日本時間です。")])


# Public name for other workbooks (the DMARC export) that write sheets the same way.
SheetBuilder = _SheetBuilder
