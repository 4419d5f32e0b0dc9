"""Excel (.xlsx) export: 一覧 sheets, 集計 and 条件, streamed with openpyxl's write-only mode."""

from __future__ import annotations

import contextlib
import logging
import math
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.core.cancel import CancelToken
from app.core.export.cells import needs_text_guard, report_cell_text
from app.core.export.columns import COLUMNS, ExportRow
from app.core.export.context import ExportContext, RowProgress, paced_rows
from app.core.export.excel_report import write_conditions_sheet, write_summary_sheet
from app.core.export.excel_styles import ExcelStyles
from app.core.export.output import atomic_output
from app.core.export.summary import ExportSummary, SummaryCounter

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.cell.cell import Cell

logger = logging.getLogger(__name__)

EXCEL_MAX_ROWS = 1_048_576  # rows per worksheet, header included
DATA_SHEET_TITLE = "一覧"
LINE_HEIGHT_PT = 15.0  # one line of 11 pt text, Excel's default row height
MAX_ROW_LINES = 27  # Excel caps a row at 409 pt


def numbered_sheet_title(title: str, number: int) -> str:
    """``title``, ``title(2)``, ``title(3)``, ... for the sheets one kind of rows spills over."""
    return title if number == 1 else f"{title}({number})"


def data_sheet_title(number: int) -> str:
    """一覧, 一覧(2), 一覧(3), ... for the sheets that hold the rows."""
    return numbered_sheet_title(DATA_SHEET_TITLE, number)


def export_xlsx(
    rows: Sequence[ExportRow],
    context: ExportContext,
    path: Path,
    *,
    progress: RowProgress | None = None,
    cancel: CancelToken | None = None,
    max_rows_per_sheet: int = EXCEL_MAX_ROWS,
) -> ExportSummary:
    """Write ``rows`` to a new workbook at ``path`` and return what was written.

    Rows that do not fit one sheet continue on 一覧(2), 一覧(3), ...; nothing is dropped.
    ``progress(done, total)`` is called every ``PROGRESS_EVERY`` rows, where ``cancel`` is also
    checked. The file appears at ``path`` only when complete.

    Raises:
        ExportError: the file could not be written (folder missing, file open in Excel, disk full).
        CancelledError: ``cancel`` was set; no file was left behind.
    """
    from openpyxl import Workbook  # heavy import, kept out of app start-up

    if max_rows_per_sheet < 2:
        raise ValueError("a sheet needs room for the header and at least one row")
    path = Path(path)
    counter = SummaryCounter()
    with atomic_output(path) as temp_path:
        workbook = Workbook(write_only=True)
        try:
            styles = ExcelStyles.create()
            writer = _RowWriter(workbook, styles, max_rows_per_sheet)
            _write_rows(writer, rows, counter, progress, cancel)
            write_summary_sheet(workbook, styles, counter, context)
            write_conditions_sheet(workbook, styles, context, counter.rows, writer.sheet_titles)
            if context.incomplete is not None:
                workbook.active = len(workbook.worksheets) - 1  # opens on 条件 and its warning
            _save(workbook, temp_path)
        except BaseException:
            _discard_unsaved_sheets(workbook)
            raise
    logger.info("exported %d rows to xlsx (%d data sheets)", counter.rows, writer.sheet_count)
    return counter.build(path, tuple(sheet.title for sheet in workbook.worksheets))


def _write_rows(
    writer: _RowWriter,
    rows: Sequence[ExportRow],
    counter: SummaryCounter,
    progress: RowProgress | None,
    cancel: CancelToken | None,
) -> None:
    for row in paced_rows(rows, progress, cancel):
        counter.add_row(row, writer.append(row))
    writer.finish()


_UNSEEN: Any = object()
_MEMO_LIMIT = 4_096  # distinct texts kept per column; beyond that, clean each time


class _RowWriter:
    """Appends rows to 一覧 sheets, opening the next sheet when one is full.

    Each column owns one styled cell per sheet that is refilled for every row: write-only mode
    serialises a row as soon as it is appended, so the cell can be reused. This keeps per-cell
    work at "set a value", the same as appending plain values, with styles built only once.
    """

    def __init__(self, workbook: Workbook, styles: ExcelStyles, max_rows_per_sheet: int) -> None:
        self._workbook = workbook
        self._styles = styles
        self._max_rows = max_rows_per_sheet
        self._sheet: Any = None
        self._sheet_rows = 0
        self.sheet_titles: list[str] = []
        # Typed Any: which getter returns a datetime (is_datetime) and which text is per-column
        # data mypy cannot follow; casting in the per-cell loop would cost a call per cell.
        self._getters: tuple[Callable[[ExportRow], Any], ...] = tuple(
            column.value for column in COLUMNS
        )
        self._date_index = next(i for i, column in enumerate(COLUMNS) if column.is_datetime)
        self._wrap_widths = tuple(column.width if column.wrap else 0 for column in COLUMNS)
        self._row_lines = 1
        # Cleaned text of the columns with few distinct values, per column (None = the text
        # needs the formula guard). Unique columns (address, raw reason) are cleaned each time:
        # memoising them would only grow memory.
        self._memos: tuple[dict[str, str | None] | None, ...] = tuple(
            {} if column.repeats else None for column in COLUMNS
        )
        self._cells: list[Cell] = []
        self._guarded_cells: list[Cell] = []
        self._open_sheet()

    @property
    def sheet_count(self) -> int:
        return len(self.sheet_titles)

    def append(self, row: ExportRow) -> datetime:
        """Write one row; return its JST date-time (naive) for the aggregates."""
        if self._sheet_rows >= self._max_rows:
            self.finish()
            self._open_sheet()
        values: list[Any] = []
        created: datetime | None = None
        self._row_lines = 1
        for index, getter in enumerate(self._getters):
            value = getter(row)
            if index == self._date_index:
                # Excel has no time zones: store the JST wall-clock time; the header says 日本時間.
                created = value.replace(tzinfo=None)
                cell = self._cells[index]
                cell.value = created
                values.append(cell)
                continue
            if not value:
                values.append(None)
                continue
            memo = self._memos[index]
            if memo is not None:
                safe = memo.get(value, _UNSEEN)
                if safe is _UNSEEN:
                    text = report_cell_text(value)
                    safe = None if needs_text_guard(text) else text
                    if len(memo) < _MEMO_LIMIT:
                        memo[value] = safe
                if safe is not None:
                    values.append(self._plain(index, safe))
                    continue
            text = report_cell_text(value)
            if not needs_text_guard(text):
                values.append(self._plain(index, text))
                continue
            # Formula-looking text goes through a cell forced to type "s" (text) and marked
            # quotePrefix, so Excel keeps it as text even after the user edits the cell.
            cell = self._guarded_cells[index]
            cell.value = text
            cell.data_type = "s"
            values.append(cell)
        self._append(values)
        assert created is not None
        return created

    def _plain(self, index: int, text: str) -> Any:
        # Every cell carries its column's style (top-aligned; long columns wrap): LibreOffice
        # applies no default format to unstyled cells, so bare values would sit at the bottom
        # of a tall row, away from the text they belong to.
        width = self._wrap_widths[index]
        if width:
            self._row_lines = max(self._row_lines, estimated_lines(text, width))
        cell = self._cells[index]
        cell.value = text
        return cell

    def _append(self, values: list[Any]) -> None:
        # LibreOffice does not grow a row to fit wrapped text when it opens a workbook (Excel
        # does), so wrapped cells would show one clipped line: rows that need more lines get an
        # explicit height. Write-only mode writes the row's dimensions as it appends the row;
        # dropping them afterwards keeps memory flat.
        row_number = self._sheet_rows + 1
        if self._row_lines > 1:
            self._sheet.row_dimensions[row_number].height = row_height(self._row_lines)
        self._sheet.append(values)
        self._sheet.row_dimensions.pop(row_number, None)
        self._sheet_rows = row_number

    def finish(self) -> None:
        """Set the filter range on the current sheet (write-only mode writes it at close)."""
        self._sheet.auto_filter.ref = f"A1:{self._styles.last_column_letter}{self._sheet_rows}"

    def _open_sheet(self) -> None:
        from openpyxl.cell import WriteOnlyCell

        title = data_sheet_title(len(self.sheet_titles) + 1)
        sheet = self._workbook.create_sheet(title)
        self._styles.prepare_data_sheet(sheet)  # widths, frozen header: before the first row
        sheet.append(
            [self._styles.header_cell(sheet, column.sheet_header_ja) for column in COLUMNS]
        )
        self._cells = []
        self._guarded_cells = []
        for column in COLUMNS:
            cell = WriteOnlyCell(sheet)
            self._styles.style_data_cell(cell, column)
            self._cells.append(cell)
            guarded = WriteOnlyCell(sheet)
            self._styles.style_data_cell(guarded, column)
            guarded.quotePrefix = True
            self._guarded_cells.append(guarded)
        self._sheet = sheet
        self._sheet_rows = 1
        self.sheet_titles.append(title)


def estimated_lines(text: str, width: float) -> int:
    """How many lines ``text`` takes in a wrapping cell ``width`` characters wide (estimated).

    A full-width character is about two widths of a digit, the unit of Excel's column width.
    UTF-8 spends three bytes on a CJK character and one on ASCII, so (bytes + characters) / 2
    is that display width, counted at C speed (1 for ASCII, 2 for kana and kanji).
    """
    lines = text.count("\n") + 1
    display = (len(text.encode("utf-8", "surrogatepass")) + len(text)) / 2
    return max(lines, math.ceil(display / max(width - 1, 1)))


def row_height(lines: int) -> float:
    return min(lines, MAX_ROW_LINES) * LINE_HEIGHT_PT


def _save(workbook: Workbook, path: Path) -> None:
    """``workbook.save(path)``, but a failed save leaves no open archive behind.

    openpyxl opens the zip archive itself and closes it only when every part was written; after
    a failure (a full disk) the archive stays open, and when it is collected ``ZipFile.__del__``
    tries to write its directory to the same full disk and prints a traceback after our
    Japanese message. Here the archive is ours: on failure its file is closed without writing.
    """
    from zipfile import ZIP_DEFLATED, ZipFile

    from openpyxl.writer.excel import ExcelWriter

    archive = ZipFile(path, "w", ZIP_DEFLATED, allowZip64=True)
    try:
        workbook.properties.modified = datetime.now(tz=UTC).replace(tzinfo=None)
        ExcelWriter(workbook, archive).save()  # what Workbook.save does, closing the archive
    except BaseException:
        handle, archive.fp = archive.fp, None  # close() then has nothing left to write
        if handle is not None:
            with contextlib.suppress(OSError):
                handle.close()
        raise


def _discard_unsaved_sheets(workbook: Workbook) -> None:
    # Write-only sheets stream into temporary files that openpyxl deletes only at interpreter
    # exit; after a cancel or failure remove them now so repeated attempts do not fill the disk.
    for sheet in workbook.worksheets:
        with contextlib.suppress(Exception):
            if not sheet.closed:
                sheet.close()
        with contextlib.suppress(Exception):
            if sheet._writer is not None:
                sheet._writer.cleanup()
