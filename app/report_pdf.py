"""The monthly report as a PDF on A4 landscape, printed by Qt (no extra PDF library).

Outside app/core (which stays Qt-free) and outside app/ui (the window's layer): the window and
`todoku-cli report --pdf` both call ``write_report_pdf``; the CLI imports this module only on
that path, so no other command loads Qt. Every text goes in through ``QTextCursor.insertText``
(plain text): reasons and notes are untrusted and are never parsed as HTML.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from app.core.dates import JST
from app.core.errors import TodokuError
from app.core.export.output import atomic_output
from app.core.history.report import NO_PREVIOUS_RECORD_NOTE, Change, MonthlyReport
from app.core.regions import region_label_ja
from app.core.stats import format_percent

if TYPE_CHECKING:  # Qt loads only when a PDF is printed
    from PySide6.QtCore import QUrl
    from PySide6.QtGui import QTextCharFormat, QTextDocument

# Reasons, domains and notes come from providers and other operators; Qt lays an unbroken line
# out glyph by glyph, and a megabyte domain kept the printer busy for more than five minutes.
# A table cell shows at most CELL_CHARS characters, a line LINE_CHARS, then "…".
CELL_CHARS = 300
LINE_CHARS = 2_000


def _bounded(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


FONT_FAMILIES = ("Noto Sans CJK JP", "Yu Gothic UI", "Meiryo", "Hiragino Sans", "Noto Sans JP")
CHART_SIZE = (1800, 520)  # pixels of the trend image (scaled to the page width)


class ReportPdfError(TodokuError):
    default_message_ja = "月次レポートの PDF を保存できませんでした。"
    default_next_step_ja = "保存先のフォルダと空き容量を確認してください。"


def _application() -> object:
    from PySide6.QtGui import QGuiApplication

    existing = QGuiApplication.instance()
    if existing is not None:
        return existing
    if sys.platform.startswith("linux") and not os.environ.get("DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # a server without a screen
    return QGuiApplication([])


def write_report_pdf(report: MonthlyReport, path: Path) -> None:
    from PySide6.QtCore import QMarginsF, QUrl
    from PySide6.QtGui import (
        QFont,
        QFontDatabase,
        QPageLayout,
        QPageSize,
        QPdfWriter,
        QTextCursor,
        QTextDocument,
    )

    app = _application()
    families = set(QFontDatabase.families())
    family = next((name for name in FONT_FAMILIES if name in families), "")
    document = QTextDocument()
    font = QFont(family, 9) if family else QFont()
    font.setPointSizeF(9)
    document.setDefaultFont(font)
    cursor = QTextCursor(document)
    _Writer(cursor, font).fill(report, document, QUrl("todoku:trend"))
    # atomic_output, as every export: a fixed "<name>.part" renamed onto the target replaced
    # a symbolic link (the linked file kept the old report) or a pipe with a regular file.
    with atomic_output(Path(path)) as target:
        writer = QPdfWriter(str(target))
        writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
        writer.setPageOrientation(QPageLayout.Orientation.Landscape)
        writer.setPageMargins(QMarginsF(12, 12, 12, 12), QPageLayout.Unit.Millimeter)
        writer.setTitle(f"月次レポート {report.month_label}")
        writer.setCreator("Todoku")
        document.print_(writer)
        del writer  # finishes the file
        if target.is_file() and target.stat().st_size == 0:  # a pipe has no size to check
            raise ReportPdfError(detail=f"Qt wrote no PDF ({path})")
    del app


class _Writer:
    def __init__(self, cursor: object, font: object) -> None:
        from PySide6.QtGui import QFont, QTextCharFormat, QTextCursor

        assert isinstance(cursor, QTextCursor) and isinstance(font, QFont)
        self.cursor = cursor
        self.plain = QTextCharFormat()
        self.plain.setFont(font)
        self.bold = QTextCharFormat(self.plain)
        self.bold.setFontWeight(QFont.Weight.Bold)
        self.title = QTextCharFormat(self.bold)
        self.title.setFontPointSize(15)
        self.heading = QTextCharFormat(self.bold)
        self.heading.setFontPointSize(11)

    def line(self, text: str, fmt: QTextCharFormat | None = None) -> None:
        self.cursor.insertText(_bounded(text, LINE_CHARS), fmt or self.plain)
        self.cursor.insertBlock()

    def table(
        self,
        headers: Sequence[str],
        rows: Sequence[Sequence[str]],
        numeric: Sequence[int] = (1, 2, 3),
        percent: float = 100,
    ) -> None:
        from PySide6.QtCore import Qt
        from PySide6.QtGui import (
            QBrush,
            QColor,
            QTextCharFormat,
            QTextCursor,
            QTextLength,
            QTextTableFormat,
        )

        table_format = QTextTableFormat()
        table_format.setWidth(QTextLength(QTextLength.Type.PercentageLength, percent))
        table_format.setCellPadding(3)
        table_format.setCellSpacing(0)
        table_format.setBorder(0.5)
        table_format.setHeaderRowCount(1)  # repeated at the top of each page
        table = self.cursor.insertTable(len(rows) + 1, len(headers), table_format)
        header = QTextCharFormat(self.bold)
        header.setForeground(QBrush(QColor("#ffffff")))
        for column, name in enumerate(headers):
            cell = table.cellAt(0, column)
            cell_format = cell.format()
            cell_format.setBackground(QBrush(QColor("#1f4e78")))
            cell.setFormat(cell_format)
            cell.firstCursorPosition().insertText(name, header)
        for row_index, row in enumerate(rows, 1):
            for column, value in enumerate(row):
                position = table.cellAt(row_index, column).firstCursorPosition()
                if column in numeric:
                    block = position.blockFormat()
                    block.setAlignment(Qt.AlignmentFlag.AlignRight)
                    position.setBlockFormat(block)
                position.insertText(_bounded(value, CELL_CHARS), self.plain)
        self.cursor.movePosition(QTextCursor.MoveOperation.End)
        self.cursor.insertBlock()

    def changes(self, rows: Sequence[Change]) -> None:
        self.table(
            ("項目", "今月", "前月", "増減"),
            [(c.label, f"{c.current:,}", f"{c.previous:,}", c.change_ja()) for c in rows],
            percent=60,
        )

    def fill(self, report: MonthlyReport, document: QTextDocument, chart_url: QUrl) -> None:
        account = report.account
        self.line(f"月次レポート {report.month_label}", self.title)
        who = report.account_label_ja
        self.line(
            f"アカウント: {who}　リージョン: {region_label_ja(account.region)}　期間: "
            f"{report.period_ja()}　"
            f"作成: {report.generated_at.astimezone(JST):%Y/%m/%d %H:%M}"
        )
        if report.delivery is not None and report.delivery.rate is not None:
            self.line(
                f"配信率: {format_percent(report.delivery.rate)}"
                f"（{report.delivery.delivered:,} / {report.delivery.requests:,} 件）",
                self.bold,
            )
        else:
            self.line(report.delivery_note)
        self.line("件数（今月と前月）", self.heading)
        if not report.previous_recorded:
            self.line(NO_PREVIOUS_RECORD_NOTE)
        if report.partial:
            self.line(report.partial_note_ja())
        self.changes((report.total, *report.by_list))
        self.line("推移（分類別、月別）", self.heading)
        self._chart(report, document, chart_url)
        self.line("分類別", self.heading)
        self.changes(report.by_category)
        self.line("ドメイングループ別", self.heading)
        self.changes(report.by_group)
        self.line("受信者ドメイン（上位）", self.heading)
        self.changes(report.top_domains)
        self.line("主な原因と説明", self.heading)
        self.table(
            ("原因", "今月", "前月", "説明", "対処"),
            [
                (c.label_ja, f"{c.count:,}", f"{c.previous:,}", c.explanation_ja, c.action_ja)
                for c in report.causes
            ],
            numeric=(1, 2),
        )
        self.line("今月の削除（削除履歴より）", self.heading)
        if report.deletions:
            self.table(
                ("実行日時", "実行者", "状態", "件数", "成功", "失敗", "メモ"),
                [
                    (
                        f"{d.started_at:%Y/%m/%d %H:%M}",
                        d.os_user,
                        d.state_ja,
                        f"{d.total:,}",
                        f"{d.succeeded:,}",
                        f"{d.failed:,}",
                        d.note,
                    )
                    for d in report.deletions
                ],
                numeric=(3, 4, 5),
            )
        else:
            self.line("この月の削除はありません。")
        self.line("再発（Todoku で削除した後、再びリストに載ったアドレス）", self.heading)
        if report.returns:
            self.table(
                ("アドレス", "リスト", "削除日", "再登録日", "再登録時の理由"),
                [
                    (
                        r.email,
                        r.list_kind.label_ja,
                        f"{r.deleted_at.astimezone(JST):%Y/%m/%d}",
                        f"{r.returned_at.astimezone(JST):%Y/%m/%d}",
                        r.reason,
                    )
                    for r in report.returns
                ],
                numeric=(),
            )
        else:
            self.line("この月の再発はありません。")

    def _chart(self, report: MonthlyReport, document: QTextDocument, url: QUrl) -> None:
        """Stacked columns per month, one colour per category, drawn with QPainter."""
        from PySide6.QtCore import QRectF, Qt
        from PySide6.QtGui import QColor, QFont, QImage, QPainter, QTextDocument, QTextImageFormat

        colours = (
            "#1f77b4",
            "#ff7f0e",
            "#2ca02c",
            "#d62728",
            "#9467bd",
            "#8c564b",
            "#e377c2",
            "#7f7f7f",
            "#bcbd22",
            "#17becf",
        )
        series = [(k, v) for k, v in report.trend.series.items() if any(v)]
        totals = report.trend.total()
        width, height = CHART_SIZE
        image = QImage(width, height, QImage.Format.Format_RGB32)
        image.fill(QColor("#ffffff"))
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        font = QFont(self.plain.font())
        font.setPixelSize(30)
        painter.setFont(font)
        left, bottom, top, legend = 110, height - 60, 30, 420
        plot = width - left - legend
        peak = max(totals or (0,)) or 1
        slot = plot / max(1, len(report.trend.buckets))
        painter.setPen(QColor("#444444"))
        painter.drawLine(left, bottom, left + int(plot), bottom)
        painter.drawText(
            QRectF(0, top - 16, left - 8, 40), Qt.AlignmentFlag.AlignRight, f"{peak:,}"
        )
        painter.drawText(QRectF(0, bottom - 20, left - 8, 40), Qt.AlignmentFlag.AlignRight, "0")
        for index, bucket in enumerate(report.trend.buckets):
            x = left + index * slot + slot * 0.15
            y = float(bottom)
            for colour, (_, values) in zip(colours, series, strict=False):
                h = (bottom - top) * values[index] / peak
                painter.fillRect(QRectF(x, y - h, slot * 0.7, h), QColor(colour))
                y -= h
            painter.setPen(QColor("#444444"))
            painter.drawText(
                QRectF(x - 20, bottom + 8, slot * 0.7 + 40, 40),
                Qt.AlignmentFlag.AlignHCenter,
                bucket[2:],
            )
        for row, (colour, (name, _)) in enumerate(zip(colours, series, strict=False)):
            y = top + row * 40
            painter.fillRect(QRectF(width - legend + 20, y + 4, 24, 24), QColor(colour))
            painter.drawText(QRectF(width - legend + 46, y - 4, legend - 50, 40), 0, name)
        painter.end()
        document.addResource(QTextDocument.ResourceType.ImageResource, url, image)
        image_format = QTextImageFormat()
        image_format.setName(url.toString())
        image_format.setWidth(680)
        image_format.setHeight(680 * height / width)
        self.cursor.insertImage(image_format)
        self.cursor.insertBlock()
