"""What an export is about (range, account, filter) and the default file name for it."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from app.core.cancel import CancelToken
from app.core.export.columns import ExportRow
from app.core.export.incomplete import IncompleteFetch
from app.core.types import DateRange, ListKind

ExportScope = Literal["all", "filtered"]
RowProgress = Callable[[int, int], None]  # (rows done, rows in total)
PROGRESS_EVERY = 1000  # rows between progress reports and cancel checks

SCOPE_LABELS_JA: dict[str, str] = {
    "all": "取得したすべての行",
    "filtered": "絞り込み後の行のみ",
}


@dataclass(frozen=True, slots=True)
class ExportContext:
    """The conditions behind the rows, written to the 条件 sheet so a reader knows what they see.

    ``exported_at`` must be timezone-aware; it is shown in JST. ``incomplete`` is set when the
    fetch behind the rows stopped before its end: the workbook then says so on every sheet
    that names the range.
    """

    date_range: DateRange
    account_label: str
    subuser: str
    region: str
    lists: tuple[ListKind, ...]
    filter_description: str
    exported_at: datetime
    app_version: str
    scope: ExportScope = "all"
    incomplete: IncompleteFetch | None = None

    def __post_init__(self) -> None:
        if self.exported_at.tzinfo is None:
            raise ValueError("exported_at must be timezone-aware")


INCOMPLETE_FILE_SUFFIX = "_途中まで"


def default_file_name(date_range: DateRange, ext: str = "xlsx", *, incomplete: bool = False) -> str:
    """``todoku_YYYYMMDD-YYYYMMDD.xlsx`` for the range (JST calendar days); with
    ``_途中まで`` before the extension when the fetch stopped early (said inside the file too:
    the workbook's 条件 sheet, the CSV's 取得の状態 column)."""
    start = date_range.start.strftime("%Y%m%d")
    end = date_range.end.strftime("%Y%m%d")
    suffix = INCOMPLETE_FILE_SUFFIX if incomplete else ""
    return f"todoku_{start}-{end}{suffix}.{ext.lstrip('.')}"


def paced_rows(
    rows: Sequence[ExportRow], progress: RowProgress | None, cancel: CancelToken | None
) -> Iterator[ExportRow]:
    """``rows`` with the writers' shared cadence: ``progress(0, total)`` first, then a cancel
    check and a report every ``PROGRESS_EVERY`` rows, and a last check and report at the end."""
    total = len(rows)
    if progress is not None:
        progress(0, total)
    for done, row in enumerate(rows, 1):
        yield row
        if done % PROGRESS_EVERY == 0:
            if cancel is not None:
                cancel.raise_if_cancelled()
            if progress is not None:
                progress(done, total)
    if cancel is not None:
        cancel.raise_if_cancelled()
    if progress is not None:
        progress(total, total)
