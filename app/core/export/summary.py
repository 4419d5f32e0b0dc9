"""Aggregates written to the 集計 sheet, gathered in the same pass that writes the rows."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from app.core.export.columns import CATEGORY_ORDER, ExportRow
from app.core.types import DateRange, ListKind

TOP_DOMAINS = 30


@dataclass(frozen=True, slots=True)
class DomainCounts:
    """Recipient domains by row count: the top ones, then the rest folded into one line."""

    top: tuple[tuple[str, int], ...]
    other_domains: int  # how many domains the その他 line stands for
    other_rows: int


@dataclass(frozen=True, slots=True)
class ExportSummary:
    """What an export wrote, with the same aggregates as its 集計 sheet.

    ``by_list_category`` holds ``(list, category, rows)`` where ``category`` is the SendGrid
    classification name, or ``None`` for rows without an explanation. ``by_day`` holds
    ``(JST day, list, rows)`` for non-zero counts only.
    """

    path: Path
    row_count: int
    sheet_names: tuple[str, ...]
    by_list_category: tuple[tuple[ListKind, str | None, int], ...]
    domains: DomainCounts
    by_day: tuple[tuple[date, ListKind, int], ...]


class SummaryCounter:
    """Counts rows by list × category, by domain and by JST day while they are written."""

    def __init__(self) -> None:
        self.rows = 0
        self.by_list_category: Counter[tuple[ListKind, str | None]] = Counter()
        self.by_domain: Counter[str] = Counter()
        self.by_day: Counter[tuple[date, ListKind]] = Counter()

    def add(self, list_kind: ListKind, category: str | None, domain: str, day: date) -> None:
        self.rows += 1
        self.by_list_category[(list_kind, category)] += 1
        self.by_domain[domain] += 1
        self.by_day[(day, list_kind)] += 1

    def add_row(self, row: ExportRow, created_jst: datetime) -> None:
        explanation = row.explanation
        self.add(
            row.entry.list_kind,
            explanation.category if explanation is not None else None,
            row.entry.domain,
            created_jst.date(),
        )

    def lists(self, requested: tuple[ListKind, ...]) -> tuple[ListKind, ...]:
        """The requested lists in their order, then any other list that has rows."""
        seen = {kind for kind, _ in self.by_list_category}
        extra = tuple(kind for kind in ListKind if kind in seen and kind not in requested)
        return requested + extra

    def categories(self) -> tuple[str | None, ...]:
        """The seven classifications in a fixed order, then unknown names, then 未判定 (None)."""
        seen = {category for _, category in self.by_list_category}
        unknown = sorted(c for c in seen if c is not None and c not in CATEGORY_ORDER)
        tail: tuple[str | None, ...] = (None,) if None in seen else ()
        return (*CATEGORY_ORDER, *unknown, *tail)

    def domains(self, top: int = TOP_DOMAINS) -> DomainCounts:
        # Ties are broken by name so the sheet does not change between two identical exports.
        ranked = sorted(self.by_domain.items(), key=lambda item: (-item[1], item[0]))
        rest = ranked[top:]
        return DomainCounts(tuple(ranked[:top]), len(rest), sum(count for _, count in rest))

    def days(self, date_range: DateRange) -> tuple[date, ...]:
        """Every day of the range (so a chart has no gaps) plus any day with rows outside it."""
        days = {day for day, _ in self.by_day}
        day = date_range.start
        while day <= date_range.end:
            days.add(day)
            day += timedelta(days=1)
        return tuple(sorted(days))

    def build(self, path: Path, sheet_names: tuple[str, ...]) -> ExportSummary:
        by_list_category = tuple(
            (kind, category, self.by_list_category[(kind, category)])
            for kind in self.lists(())
            for category in self.categories()
            if self.by_list_category[(kind, category)]
        )
        by_day = tuple((day, kind, count) for (day, kind), count in sorted(self.by_day.items()))
        return ExportSummary(
            path=path,
            row_count=self.rows,
            sheet_names=sheet_names,
            by_list_category=by_list_category,
            domains=self.domains(),
            by_day=by_day,
        )
