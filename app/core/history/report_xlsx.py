"""The monthly report as an Excel workbook: one sheet per part, a native chart of the trend.

Print set-up follows the export's workbook: A4 landscape, fit to one page wide, the header
row repeated on every page, long text wrapped. Every text cell is stored as text (never a
formula or an error value), with the same guards as app/core/export/cells.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from app.core.dates import JST
from app.core.export.cells import needs_text_guard, report_cell_text
from app.core.export.excel import row_height
from app.core.export.excel_styles import COUNT_FORMAT, ExcelStyles
from app.core.export.output import atomic_output
from app.core.history.report import NO_PREVIOUS_RECORD_NOTE, Change, MonthlyReport
from app.core.regions import region_label_ja
from app.core.stats import format_percent

SUMMARY_TITLE = "概要"
TREND_TITLE = "推移"
DOMAINS_TITLE = "ドメイン"
CAUSES_TITLE = "原因"
DELETIONS_TITLE = "削除"
RETURNS_TITLE = "再発"
PERCENT_FORMAT = "0.0%"


class _Sheet:
    def __init__(
        self, workbook: Any, title: str, styles: ExcelStyles, widths: Sequence[float]
    ) -> None:
        from openpyxl.utils import get_column_letter

        self.sheet = workbook.create_sheet(title)
        self.styles = styles
        self.row = 1
        from openpyxl.styles import Alignment

        # Centred: most columns below a header hold numbers, which sit at the right.
        self._header_alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        for index, width in enumerate(widths, 1):
            self.sheet.column_dimensions[get_column_letter(index)].width = width
        setup = self.sheet.page_setup
        setup.orientation = "landscape"
        setup.paperSize = self.sheet.PAPERSIZE_A4
        setup.fitToWidth = 1
        setup.fitToHeight = 0  # as many pages tall as needed
        self.sheet.sheet_properties.pageSetUpPr.fitToPage = True

    def text(self, column: int, value: str, *, font: Any = None, wrap: bool = False) -> Any:
        text = report_cell_text(value)
        cell = self.sheet.cell(row=self.row, column=column)
        cell.value = text
        cell.data_type = "s"  # never a formula or an error value, whatever the text
        if needs_text_guard(text):
            cell.quotePrefix = True
        cell.alignment = self.styles.wrap_alignment if wrap else self.styles.top_alignment
        if wrap:
            self._fit_height(column, text)
        if font is not None:
            cell.font = font
        return cell

    def _fit_height(self, column: int, text: str) -> None:
        """Give the row the height its wrapped text needs.

        LibreOffice (and Excel until a row is edited) keeps the default height for rows of a
        generated file, so wrapped text would be clipped to one line on paper. A full-width
        character takes about two width units.
        """
        from openpyxl.utils import get_column_letter

        width = self.sheet.column_dimensions[get_column_letter(column)].width or 10
        lines = 0
        for paragraph in text.split("\n") or [""]:
            units = sum(2 if ord(char) > 0x2E7F else 1 for char in paragraph)
            lines += max(1, -(-units // max(1, int(width) - 1)))
        dimension = self.sheet.row_dimensions[self.row]
        # Excel caps a row at 409 pt: a 32,767-character reason must not ask for 8,000.
        dimension.height = max(dimension.height or 15.0, row_height(lines))

    def number(self, column: int, value: float | int | None, fmt: str = COUNT_FORMAT) -> None:
        cell = self.sheet.cell(row=self.row, column=column)
        cell.value = value
        cell.number_format = fmt
        cell.alignment = self.styles.top_alignment

    def title(self, text: str) -> None:
        self.text(1, text, font=self.styles.title_font)
        self.row += 2

    def header(self, names: Sequence[str], *, repeat: bool = False) -> None:
        for column, name in enumerate(names, 1):
            cell = self.text(column, name, font=self.styles.header_font)
            cell.fill = self.styles.header_fill
            cell.alignment = self._header_alignment
        if repeat:
            self.sheet.print_title_rows = f"{self.row}:{self.row}"
            self.sheet.freeze_panes = f"A{self.row + 1}"
        self.row += 1

    def section(self, text: str) -> None:
        self.row += 1
        self.text(1, text, font=self.styles.bold_font)
        self.row += 1

    def changes(self, rows: Sequence[Change]) -> None:
        self.header(("項目", "今月", "前月", "増減", "増減率"))
        for change in rows:
            self.text(1, change.label)
            self.number(2, change.current)
            self.number(3, change.previous)
            self.number(4, change.difference, "+#,##0;-#,##0;0")
            self.number(5, change.ratio, "+0.0%;-0.0%;0.0%")
            self.row += 1


def write_report_xlsx(report: MonthlyReport, path: Path) -> None:
    """Save ``report`` to ``path`` (written next to it first, then moved: never half a file).

    Raises:
        ExportError: the file could not be written (a Japanese message saying why).
    """
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    styles = ExcelStyles.create()
    _summary(workbook, report, styles)
    _trend(workbook, report, styles)
    _domains(workbook, report, styles)
    _causes(workbook, report, styles)
    _deletions(workbook, report, styles)
    _returns(workbook, report, styles)
    # atomic_output, as every export: a fixed "<name>.part" beside the target replaced a
    # symbolic link (the linked file kept last month's report) or a pipe with a regular file,
    # and its OS errors get the export's precise Japanese messages (folder, permission, disk).
    with atomic_output(Path(path)) as temp_path:
        workbook.save(temp_path)


def _summary(workbook: Any, report: MonthlyReport, styles: ExcelStyles) -> None:
    s = _Sheet(workbook, SUMMARY_TITLE, styles, (28, 14, 14, 14, 12))
    s.title(f"月次レポート {report.month_label}")
    account = report.account
    facts = (
        ("アカウント", report.account_label_ja),
        ("リージョン", region_label_ja(account.region)),
        ("期間", report.period_ja()),
        ("作成日時", f"{report.generated_at.astimezone(JST):%Y/%m/%d %H:%M}"),
    )
    for name, value in facts:
        s.text(1, name, font=styles.bold_font)
        s.text(2, value)
        s.row += 1
    s.section("配信率（今月）")
    if report.delivery is not None and report.delivery.rate is not None:
        s.text(1, "配信率")
        s.number(2, report.delivery.rate, PERCENT_FORMAT)
        s.text(3, f"{report.delivery.delivered:,} / {report.delivery.requests:,} 件")
    else:
        s.text(1, report.delivery_note or "配信率はありません。", wrap=True)
    s.row += 1
    s.section("件数（今月と前月）")
    if not report.previous_recorded:
        s.text(1, NO_PREVIOUS_RECORD_NOTE)
        s.row += 1
    if report.partial:
        s.text(1, report.partial_note_ja())
        s.row += 1
    s.changes((report.total, *report.by_list))
    s.section("分類別")
    s.changes(report.by_category)
    s.section("ドメイングループ別")
    s.changes(report.by_group)
    s.section("その他")
    s.text(1, "削除の実行")
    s.number(2, len(report.deletions))
    s.row += 1
    s.text(1, "再発したアドレス")
    s.number(2, len({r.email.lower() for r in report.returns}))
    s.row += 1


def _trend(workbook: Any, report: MonthlyReport, styles: ExcelStyles) -> None:
    from openpyxl.chart import BarChart, Reference

    series = [(k, v) for k, v in report.trend.series.items() if any(v)]
    s = _Sheet(workbook, TREND_TITLE, styles, (12, *(14 for _ in series), 12))
    s.title("分類別の推移（月別、日本時間）")
    header_row = s.row
    s.header(("月", *(k for k, _ in series), "合計"), repeat=True)
    for index, bucket in enumerate(report.trend.buckets):
        s.text(1, bucket)
        for column, (_, values) in enumerate(series, 2):
            s.number(column, values[index])
        s.number(len(series) + 2, sum(values[index] for _, values in series))
        s.row += 1
    if not series:
        return
    chart = BarChart()
    chart.type = "col"
    chart.grouping = "stacked"
    chart.overlap = 100
    chart.title = "分類別の件数（月別）"
    chart.y_axis.title = "件数"
    chart.x_axis.title = "月"
    chart.height, chart.width = 9, 22
    last = header_row + len(report.trend.buckets)
    data = Reference(s.sheet, min_col=2, max_col=len(series) + 1, min_row=header_row, max_row=last)
    labels = Reference(s.sheet, min_col=1, min_row=header_row + 1, max_row=last)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(labels)
    s.sheet.add_chart(chart, f"A{last + 3}")


def _domains(workbook: Any, report: MonthlyReport, styles: ExcelStyles) -> None:
    s = _Sheet(workbook, DOMAINS_TITLE, styles, (34, 14, 14, 14, 12))
    s.title("受信者ドメイン（上位）")
    s.changes(report.top_domains)
    s.section("前月から増えたドメイン")
    s.header(("ドメイン", "今月", "前月", "増加"))
    for growth in report.growing:
        s.text(1, growth.domain)
        s.number(2, growth.current)
        s.number(3, growth.previous)
        s.number(4, growth.change, "+#,##0")
        s.row += 1


def _causes(workbook: Any, report: MonthlyReport, styles: ExcelStyles) -> None:
    s = _Sheet(workbook, CAUSES_TITLE, styles, (26, 16, 10, 10, 60, 44))
    s.title("主な原因と説明")
    s.header(("原因", "分類", "今月", "前月", "説明", "対処"), repeat=True)
    for cause in report.causes:
        s.text(1, cause.label_ja, wrap=True)
        s.text(2, cause.category_ja, wrap=True)
        s.number(3, cause.count)
        s.number(4, cause.previous)
        s.text(5, cause.explanation_ja, wrap=True)
        s.text(6, cause.action_ja, wrap=True)
        s.row += 1


def _deletions(workbook: Any, report: MonthlyReport, styles: ExcelStyles) -> None:
    s = _Sheet(workbook, DELETIONS_TITLE, styles, (8, 18, 14, 14, 10, 10, 10, 50))
    s.title("今月の削除（削除履歴より）")
    s.header(("番号", "実行日時", "実行者", "状態", "件数", "成功", "失敗", "メモ"), repeat=True)
    for line in report.deletions:
        s.number(1, line.operation_id, "0")
        s.text(2, f"{line.started_at:%Y/%m/%d %H:%M}")
        s.text(3, line.os_user)
        s.text(4, line.state_ja)
        s.number(5, line.total)
        s.number(6, line.succeeded)
        s.number(7, line.failed)
        s.text(8, line.note, wrap=True)
        s.row += 1
    if not report.deletions:
        s.text(1, "（この月の削除はありません）")


def _returns(workbook: Any, report: MonthlyReport, styles: ExcelStyles) -> None:
    s = _Sheet(workbook, RETURNS_TITLE, styles, (34, 14, 14, 14, 60))
    s.title("再発: Todoku で削除した後、再びリストに載ったアドレス")
    s.header(("アドレス", "リスト", "削除日", "再登録日", "再登録時の理由"), repeat=True)
    for item in report.returns:
        s.text(1, item.email)
        s.text(2, item.list_kind.label_ja)
        s.text(3, f"{item.deleted_at.astimezone(JST):%Y/%m/%d}")
        s.text(4, f"{item.returned_at.astimezone(JST):%Y/%m/%d}")
        s.text(5, item.reason, wrap=True)
        s.row += 1
    if not report.returns:
        s.text(1, "（この月の再発はありません）")


def report_text(report: MonthlyReport) -> str:
    """The report as plain text (the CLI prints it when no file is asked for)."""
    lines = [
        f"月次レポート {report.month_label}（{report.account.account}）",
        f"合計 {report.total.current:,} 件（{report.total_change_ja()}）",
    ]
    lines += [
        f"  {c.label}: {c.current:,} 件"
        + (f"（{c.change_ja()}）" if report.previous_recorded else "")
        for c in report.by_list
        if c.current or c.previous
    ]
    if report.delivery is not None and report.delivery.rate is not None:
        lines.append(f"配信率: {format_percent(report.delivery.rate)}")
    else:
        lines.append(report.delivery_note)
    lines.append("主な原因:")
    lines += [f"  {c.label_ja}: {c.count:,} 件 — {c.explanation_ja}" for c in report.causes[:5]]
    lines.append("上位ドメイン:")
    lines += [
        f"  {c.label}: {c.current:,} 件"
        + (f"（{c.change_ja()}）" if report.previous_recorded else "")
        for c in report.top_domains[:5]
    ]
    lines.append(f"削除の実行: {len(report.deletions)} 回")
    lines.append(f"再発: {len(report.returns)} 件")
    return "\n".join(lines)
