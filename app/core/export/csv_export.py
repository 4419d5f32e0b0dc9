"""CSV export for Excel: UTF-8 with BOM, CRLF, JST times, formula-safe text."""

from __future__ import annotations

import csv
import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from app.core.cancel import CancelToken
from app.core.export.cells import csv_text
from app.core.export.columns import COLUMNS, ExportRow
from app.core.export.context import ExportContext, RowProgress, paced_rows
from app.core.export.incomplete import STATE_LABEL, state_text
from app.core.export.output import atomic_output
from app.core.export.summary import ExportSummary, SummaryCounter

logger = logging.getLogger(__name__)

CSV_DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S"


def export_csv(
    rows: Sequence[ExportRow],
    context: ExportContext,
    path: Path,
    *,
    progress: RowProgress | None = None,
    cancel: CancelToken | None = None,
) -> ExportSummary:
    """Write ``rows`` as CSV with the grid's columns; same guarantees as ``export_xlsx``.

    The BOM makes Excel read the file as UTF-8 (without it, Japanese text is garbled); text is
    cleaned like the workbook's cells and a leading ``'`` defuses formula-looking text.

    Rows of a fetch that stopped early (``context.incomplete``) get one more column, last:
    取得の状態, 「途中まで（…）」 on every row. A note line above the header would make every
    reader take it for the header (Excel's filter, pandas, an import), one below the rows
    would be read as a row, and a ``#`` comment is no CSV convention Excel knows; a column
    keeps the file rectangular with its header first, travels with each row when the file is
    sorted, filtered or cut, and the grid's columns stay where they were.

    Raises:
        ExportError: the file could not be written.
        CancelledError: ``cancel`` was set; no file was left behind.
    """
    path = Path(path)
    counter = SummaryCounter()
    # Typed Any: the is_datetime getter returns a datetime, the others text; per-column data
    # mypy cannot follow (a cast per value would cost a call in the row loop).
    getters: tuple[Callable[[ExportRow], Any], ...] = tuple(column.value for column in COLUMNS)
    date_index = next(i for i, column in enumerate(COLUMNS) if column.is_datetime)
    # newline="" hands line endings to the csv module, which writes CRLF (lineterminator).
    with (
        atomic_output(path) as temp_path,
        temp_path.open("w", encoding="utf-8-sig", newline="") as stream,
    ):
        writer = csv.writer(stream, lineterminator="\r\n")
        state = [csv_text(state_text(context.incomplete))] if context.incomplete else []
        writer.writerow([column.header_ja for column in COLUMNS] + ([STATE_LABEL] if state else []))
        for row in paced_rows(rows, progress, cancel):
            values = [getter(row) for getter in getters]
            created = values[date_index]
            values[date_index] = created.strftime(CSV_DATETIME_FORMAT)
            writer.writerow([csv_text(value) for value in values] + state)
            counter.add_row(row, created)
    logger.info("exported %d rows to csv", counter.rows)
    return counter.build(path, ())
