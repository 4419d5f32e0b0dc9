"""DMARC results as an xlsx workbook: 一覧 (one row per sending source), 集計 and 条件.

Same conventions as the suppression export (app/core/export): write-only openpyxl, header
styles from ExcelStyles, every untrusted text (reporter names, domains, file names) through
SheetBuilder.text so it can never become a formula, the file moved into place only when
complete. Sheets print on A4 landscape, fitted to the page width (``prepare_print``), and 一覧
repeats its header on every page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from app.core.dates import JST
from app.core.dmarc.analysis import DayView, DmarcResult, ReporterView, SourceView
from app.core.export.excel_report import SheetBuilder
from app.core.export.excel_styles import ExcelStyles, prepare_print
from app.core.export.output import atomic_output

LIST_SHEET = "一覧"
SUMMARY_SHEET = "集計"
CONDITIONS_SHEET = "条件"


@dataclass(frozen=True, slots=True)
class DmarcExportContext:
    """What the workbook is about, for the 条件 sheet."""

    inputs: tuple[str, ...]  # files, folders, "IMAP host/folder"
    exported_at: datetime  # aware
    app_version: str
    dns_note_ja: str = ""  # result of the DNS check, or why it was not done
    advice_ja: tuple[str, ...] = ()


# (header, width, wrap) — the 一覧 columns, in order.
_SOURCE_COLUMNS: tuple[tuple[str, float, bool], ...] = (
    ("判定", 26, True),
    ("送信元 IP", 16, False),
    ("逆引き名", 28, True),
    ("組織・サービス", 16, True),
    ("From ドメイン", 20, True),
    ("メッセージ数", 11, False),
    ("DMARC 合格", 11, False),
    ("DMARC 失敗", 11, False),
    ("SPF 整合合格", 11, False),
    ("DKIM 整合合格", 11, False),
    ("SPF 認証結果", 30, True),
    ("DKIM 認証結果", 30, True),
    ("受信側の処理", 18, True),
    ("上書き理由", 16, True),
    ("報告元", 24, True),
    ("期間", 22, False),
    ("対応", 60, True),
)


def export_dmarc_xlsx(result: DmarcResult, context: DmarcExportContext, path: Path) -> Path:
    """Write the workbook to ``path``; raise ExportError when it cannot be written."""
    from openpyxl import Workbook  # heavy import, kept out of app start-up

    path = Path(path)
    with atomic_output(path) as temp_path:
        workbook = Workbook(write_only=True)
        styles = ExcelStyles.create()
        _write_sources(workbook, styles, result.sources)
        _write_summary(workbook, styles, result)
        _write_conditions(workbook, styles, result, context)
        workbook.save(temp_path)
    return path


def _write_sources(workbook: Any, styles: ExcelStyles, sources: Sequence[SourceView]) -> None:
    from openpyxl.styles import Alignment
    from openpyxl.utils import get_column_letter

    sheet = workbook.create_sheet(LIST_SHEET)
    for index, (_, width, _) in enumerate(_SOURCE_COLUMNS, 1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    prepare_print(sheet)
    sheet.print_title_rows = "1:1"  # the header repeats on every printed page
    out = SheetBuilder(sheet, styles)
    out.row([out.header(header) for header, _, _ in _SOURCE_COLUMNS])
    wrap = Alignment(vertical="top", wrap_text=True)
    for source in sources:
        texts = (
            source.verdict_ja,
            source.source_ip,
            source.reverse_name or source.name_note_ja,
            source.organisation or source.service,
            source.header_from,
        )
        counts = (
            source.messages,
            source.dmarc_pass,
            source.dmarc_fail,
            source.spf_aligned_pass,
            source.dkim_aligned_pass,
        )
        more = (
            _auth_text(source.spf_domains),
            _auth_text(source.dkim_domains),
            "、".join(f"{name} {count:,}" for name, count in source.dispositions),
            "、".join(f"{name} {count:,}" for name, count in source.reasons),
            "、".join(source.reporters),
            f"{source.first_day:%Y/%m/%d} 〜 {source.last_day:%Y/%m/%d}",
            source.advice_ja,
        )
        cells = [out.text(text) for text in texts]
        cells += [out.count(count) for count in counts]
        cells += [out.text(text) for text in more]
        for cell, (_, _, wraps) in zip(cells, _SOURCE_COLUMNS, strict=True):
            if wraps:
                cell.alignment = wrap
        out.row(cells)
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(_SOURCE_COLUMNS))}{len(sources) + 1}"


def _auth_text(domains: Sequence[tuple[str, str, int]]) -> str:
    return "\n".join(
        f"{domain or '（なし）'}: {result} ({count:,})" for domain, result, count in domains
    )


def _write_summary(workbook: Any, styles: ExcelStyles, result: DmarcResult) -> None:
    sheet = workbook.create_sheet(SUMMARY_SHEET)
    sheet.column_dimensions["A"].width = 30
    for letter in "BCDE":
        sheet.column_dimensions[letter].width = 14
    prepare_print(sheet)
    out = SheetBuilder(sheet, styles)
    bold = styles.bold_font
    out.row([out.text(SUMMARY_SHEET, font=styles.title_font)])
    out.row([out.text("レポート数"), out.count(result.reports)])
    out.row([out.text("メッセージ数"), out.count(result.messages)])
    out.row([out.text("DMARC 合格"), out.count(result.dmarc_pass)])
    rate = result.dmarc_pass / result.messages if result.messages else 0.0
    out.row([out.text("合格率"), out.count(rate, number_format="0.0%")])
    out.row([])
    out.row([out.text("判定別の送信元", font=bold)])
    out.row([out.header("判定"), out.header("送信元数")])
    for verdict, count in result.verdict_counts().items():
        out.row([out.text(verdict.label_ja), out.count(count)])
    out.row([])
    series: tuple[tuple[str, str, list[tuple[Any, ReporterView | DayView]]], ...] = (
        ("報告元別", "報告元", [(out.text(r.org_name), r) for r in result.reporters]),
        (
            "日別（日本時間。各レポート期間の中央の日）",
            "日付",
            [(out.moment(d.day), d) for d in result.days],
        ),
    )
    for title, first_header, rows in series:
        out.row([out.text(title, font=bold)])
        headers = (first_header, "レポート数", "メッセージ数", "DMARC 合格", "DMARC 失敗")
        out.row([out.header(h) for h in headers])
        for label, view in rows:
            counts = (view.reports, view.messages, view.dmarc_pass, view.dmarc_fail)
            out.row([label, *(out.count(n) for n in counts)])
        out.row([])


def _write_conditions(
    workbook: Any, styles: ExcelStyles, result: DmarcResult, context: DmarcExportContext
) -> None:
    sheet = workbook.create_sheet(CONDITIONS_SHEET)
    sheet.column_dimensions["A"].width = 24
    sheet.column_dimensions["B"].width = 90
    prepare_print(sheet)
    out = SheetBuilder(sheet, styles)
    exported_at = context.exported_at.astimezone(JST).replace(tzinfo=None)
    period = (
        f"{result.first_day:%Y/%m/%d} 〜 {result.last_day:%Y/%m/%d}（日本時間）"
        if result.first_day and result.last_day
        else "（レポートなし）"
    )
    policies = "、".join(
        f"{p.domain}: p={p.p or '?'}" + (f" sp={p.sp}" if p.sp else "") for p in result.policies
    )
    schemas = "、".join(f"{name.upper()} {count:,} 件" for name, count in result.schemas)
    items: list[tuple[str, Any]] = [
        ("読み込み元", out.text("\n".join(context.inputs) or "（なし）")),
        ("期間", out.text(period)),
        ("ドメイン", out.text("、".join(result.domains) or "（なし）")),
        ("公開ポリシー（レポート記載）", out.text(policies or "（なし）")),
        ("DNS の確認", out.text(context.dns_note_ja or "（確認していません）")),
        ("レポート数", out.count(result.reports)),
        ("重複して除いたレポート", out.count(result.duplicates)),
        ("形式", out.text(schemas or "（なし）")),
        ("読み込めなかったファイル", out.count(len(result.problems))),
        ("出力日時（日本時間）", out.moment(exported_at)),
        ("アプリのバージョン", out.text(context.app_version)),
    ]
    out.row([out.text(CONDITIONS_SHEET, font=styles.title_font)])
    out.row([out.header("項目"), out.header("内容")])
    for label, value in items:
        out.row([out.text(label, font=styles.bold_font), value])
    if context.advice_ja:
        out.row([])
        out.row([out.text("ポリシーの進め方", font=styles.bold_font)])
        for line in context.advice_ja:
            out.row([out.text(""), out.text(line)])
    if result.problems:
        out.row([])
        out.row([out.header("読み込めなかったファイル"), out.header("理由")])
        for problem in result.problems:
            out.row([out.text(problem.origin), out.text(problem.reason_ja)])
