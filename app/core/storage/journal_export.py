"""Export the deletion journal (削除履歴) to an .xlsx workbook: 操作 and 明細 sheets."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from app.core.dates import JST
from app.core.export.cells import needs_text_guard, report_cell_text
from app.core.export.excel import EXCEL_MAX_ROWS, numbered_sheet_title
from app.core.export.output import atomic_output
from app.core.storage.journal_records import OperationQuery, OperationRecord
from app.core.storage.journal_store import JournalStore

log = logging.getLogger(__name__)

OPERATIONS_SHEET = "操作"
ENTRIES_SHEET = "明細"
DATETIME_FORMAT = "yyyy/mm/dd hh:mm:ss"

OPERATION_HEADERS = (
    "番号",
    "日時（日本時間）",
    "終了（日本時間）",
    "実行者",
    "アカウント",
    "サブユーザー",
    "リージョン",
    "接続先",
    "練習",
    "状態",
    "件数",
    "成功",
    "失敗",
    "未確定",
    "再試行元",
    "メモ",
)
OPERATION_WIDTHS = (7, 19, 19, 14, 16, 14, 9, 24, 6, 16, 8, 8, 8, 8, 9, 40)
ENTRY_HEADERS = (
    "操作番号",
    "種別",
    "メールアドレス",
    "結果",
    "詳細",
    "発生日時（日本時間）",
    "ステータス",
    "理由（受信側サーバーの応答）",
    "IP",
    "原因",
    "原因コード",
)
ENTRY_WIDTHS = (9, 14, 34, 16, 30, 19, 10, 60, 15, 24, 14)


@dataclass(frozen=True, slots=True)
class JournalExportSummary:
    path: Path
    operations: int
    entries: int


def _excel_time(moment: datetime | None) -> datetime | None:
    # Excel has no time zones: store the JST wall-clock time; the header says (日本時間).
    return None if moment is None else moment.astimezone(JST).replace(tzinfo=None)


def export_journal_xlsx(
    journal: JournalStore,
    path: Path,
    *,
    query: OperationQuery | None = None,
    operation_ids: Sequence[int] | None = None,
    max_rows_per_sheet: int = EXCEL_MAX_ROWS,
) -> JournalExportSummary:
    """Write the operations matching ``query`` (or exactly ``operation_ids``) and their entries.

    Every text cell is cleaned of XML-illegal characters, and text a spreadsheet could read as a
    formula (leading ``=``, ``+``, ``-``, ``@``, tab, CR) is stored as a text cell. A sheet
    holds at most ``max_rows_per_sheet`` rows, header included (Excel's 1,048,576): the rows
    after go on 明細(2), 明細(3), … each with the header, as the export's 一覧 sheets do; a
    longer sheet is a file Excel refuses to open. The file
    appears at ``path`` only when complete (temporary file + ``os.replace``).

    Raises:
        ExportError: the file could not be written.
        JournalError: the journal could not be read.
    """
    from openpyxl import Workbook  # heavy import, kept out of app start-up
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font, PatternFill

    if operation_ids is not None:
        found = (journal.operation(number) for number in operation_ids)
        operations: tuple[OperationRecord, ...] = tuple(op for op in found if op is not None)
    else:
        operations = journal.list_operations(query or OperationQuery(limit=1_000_000))
    path = Path(path)
    entry_count = 0
    header_font = Font(bold=True, color="FFFFFF")
    header_fill = PatternFill(fill_type="solid", fgColor="1F4E78")
    with atomic_output(path) as temp_path:
        workbook = Workbook(write_only=True)

        def cell_factory(sheet: Any) -> Callable[[object], object]:
            def make(value: object) -> object:
                if isinstance(value, datetime):
                    cell = WriteOnlyCell(sheet, value=value)
                    cell.number_format = DATETIME_FORMAT
                    return cell
                if not isinstance(value, str):
                    return value
                text = report_cell_text(value)
                if not text:
                    return None
                if not needs_text_guard(text):
                    return text
                # Formula-looking text: a cell forced to type "s" (shared string) and marked
                # quotePrefix, so Excel keeps it as text even after the user edits the cell.
                cell = WriteOnlyCell(sheet, value=text)
                cell.data_type = "s"
                cell.quotePrefix = True
                return cell

            return make

        def add_sheet(title: str, headers: Sequence[str], widths: Sequence[int]) -> Any:
            from openpyxl.utils import get_column_letter

            sheet = workbook.create_sheet(title)
            for index, width in enumerate(widths, 1):
                sheet.column_dimensions[get_column_letter(index)].width = width
            sheet.freeze_panes = "A2"
            header = []
            for text in headers:
                cell = WriteOnlyCell(sheet, value=text)
                cell.font = header_font
                cell.fill = header_fill
                header.append(cell)
            sheet.append(header)
            return sheet

        operations_sheet = _RollingSheet(
            lambda n: add_sheet(
                numbered_sheet_title(OPERATIONS_SHEET, n), OPERATION_HEADERS, OPERATION_WIDTHS
            ),
            cell_factory,
            max_rows_per_sheet,
        )
        for op in operations:
            values: tuple[object, ...] = (
                op.id,
                _excel_time(op.started_at),
                _excel_time(op.finished_at),
                op.os_user,
                op.account_label,
                op.subuser,
                op.region,
                op.base_host,
                "練習" if op.practice else "",
                op.state.label_ja,
                op.total,
                op.succeeded,
                op.failed,
                op.pending,
                op.retry_of,
                op.note,
            )
            operations_sheet.append(values)

        entries_sheet = _RollingSheet(
            lambda n: add_sheet(
                numbered_sheet_title(ENTRIES_SHEET, n), ENTRY_HEADERS, ENTRY_WIDTHS
            ),
            cell_factory,
            max_rows_per_sheet,
        )
        for op in operations:
            for entry in journal.entries(op.id):
                values = (
                    op.id,
                    entry.list_kind.label_ja,
                    entry.email,
                    entry.result.label_ja,
                    entry.detail,
                    _excel_time(entry.created),
                    entry.status,
                    entry.reason,
                    entry.ip,
                    entry.explanation_label,
                    entry.explanation_reason,
                )
                entries_sheet.append(values)
                entry_count += 1
        workbook.save(temp_path)
    log.info("exported %d operations, %d entries of the journal", len(operations), entry_count)
    return JournalExportSummary(path, len(operations), entry_count)


class _RollingSheet:
    """Rows of one kind over as many sheets as Excel's row limit needs (header on each)."""

    def __init__(
        self,
        open_sheet: Callable[[int], Any],
        cell_factory: Callable[[Any], Callable[[object], object]],
        max_rows: int,
    ) -> None:
        if max_rows < 2:
            raise ValueError("a sheet needs room for its header and one row")
        self._open_sheet = open_sheet
        self._cell_factory = cell_factory
        self._max_rows = max_rows
        self._number = 0
        self._start()

    def _start(self) -> None:
        self._number += 1
        self._sheet = self._open_sheet(self._number)
        self._make = self._cell_factory(self._sheet)
        self._rows = 1  # the header

    def append(self, values: Sequence[object]) -> None:
        if self._rows >= self._max_rows:
            self._start()
        self._sheet.append([self._make(value) for value in values])
        self._rows += 1
