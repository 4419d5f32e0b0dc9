"""What an export is about (range, account, filter) and the default file name for it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from app.core.types import DateRange, ListKind

ExportScope = Literal["all", "filtered"]
RowProgress = Callable[[int, int], None]  # (rows done, rows in total)

SCOPE_LABELS_JA: dict[str, str] = {
    "all": "取得したすべての行",
    "filtered": "絞り込み後の行のみ",
}


@dataclass(frozen=True, slots=True)
class ExportContext:
    """The conditions behind the rows, written to the 条件 sheet so a reader knows what they see.

    ``exported_at`` must be timezone-aware; it is shown in JST.
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

    def __post_init__(self) -> None:
        if self.exported_at.tzinfo is None:
            raise ValueError("exported_at must be timezone-aware")


def default_file_name(date_range: DateRange, ext: str = "xlsx") -> str:
    """``todoku_YYYYMMDD-YYYYMMDD.xlsx`` for the range (JST calendar days)."""
    start = date_range.start.strftime("%Y%m%d")
    end = date_range.end.strftime("%Y%m%d")
    return f"todoku_{start}-{end}.{ext.lstrip('.')}"
