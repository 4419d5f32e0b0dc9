"""推移: monthly and weekly counts by category, domain group and list, growing domains, 再発.

Plain tables the 推移 tab paints (as the 配信状況 chart does) and the monthly report reuses.
Counting happens in storage (``HistoryStorage.counts``); this module fills gaps with zeros,
folds domains into groups and orders everything for display. Buckets are JST months
(``YYYY-MM``) or JST weeks named by their Monday (``YYYY-MM-DD``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from app.core.classify.vocabulary import CATEGORY_LABELS_JA
from app.core.dates import JST
from app.core.domain_groups import DomainGroup, domain_group
from app.core.errors import InvalidInputError
from app.core.export.columns import category_label_ja
from app.core.storage.history.interface import (
    AccountKey,
    BucketCount,
    HistoryStorage,
    TrendBucket,
    TrendKey,
)
from app.core.types import DateRange, ListKind

RECURRENCE_KEY = "再発"


@dataclass(frozen=True, slots=True)
class TrendTable:
    """Counts per bucket for each series; ``series`` is in display order."""

    buckets: tuple[str, ...]
    series: dict[str, tuple[int, ...]]

    def total(self) -> tuple[int, ...]:
        return tuple(sum(values) for values in zip(*self.series.values(), strict=True)) or tuple(
            0 for _ in self.buckets
        )

    def at(self, bucket: str) -> dict[str, int]:
        index = self.buckets.index(bucket)
        return {key: values[index] for key, values in self.series.items()}


@dataclass(frozen=True, slots=True)
class DomainGrowth:
    domain: str
    previous: int
    current: int

    @property
    def change(self) -> int:
        return self.current - self.previous


def parse_month(text: str) -> date:
    """``YYYY-MM`` → the first day of that month, with a Japanese error."""
    try:
        first = datetime.strptime(text.strip(), "%Y-%m").date()
    except ValueError:
        raise InvalidInputError(
            f"月「{text}」を読み取れません。",
            next_step_ja="YYYY-MM の形式（例: 2026-11）で指定してください。",
        ) from None
    # A report also reads the month before (for the change) and the month's last day: the
    # calendar's first and last months have no such neighbour (``date`` ends at 0001 / 9999).
    if (first.year, first.month) in ((1, 1), (9999, 12)):
        raise InvalidInputError(
            f"月「{text}」は扱えません。",
            next_step_ja="0001-02 から 9999-11 までの月（例: 2026-11）を指定してください。",
        )
    return first


def month_range(first: date) -> DateRange:
    following = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    return DateRange(first, following - timedelta(days=1))


def previous_month(first: date) -> date:
    return (first - timedelta(days=1)).replace(day=1)


def bounds(date_range: DateRange) -> tuple[int, int]:
    """JST days → inclusive Unix seconds."""
    start = datetime.combine(date_range.start, time(), JST)
    end = datetime.combine(date_range.end + timedelta(days=1), time(), JST)
    return int(start.timestamp()), int(end.timestamp()) - 1


def bucket_labels(date_range: DateRange, bucket: TrendBucket) -> tuple[str, ...]:
    labels: list[str] = []
    if bucket is TrendBucket.MONTH:
        day = date_range.start.replace(day=1)
        while day <= date_range.end:
            labels.append(f"{day:%Y-%m}")
            day = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    else:
        day = date_range.start - timedelta(days=date_range.start.weekday())
        while day <= date_range.end:
            labels.append(day.isoformat())
            day += timedelta(days=7)
    return tuple(labels)


def _table(
    counts: Iterable[BucketCount], labels: tuple[str, ...], order: Iterable[str]
) -> TrendTable:
    position = {label: index for index, label in enumerate(labels)}
    cells: dict[str, list[int]] = {key: [0] * len(labels) for key in order}
    for item in counts:
        if item.bucket in position:
            cells.setdefault(item.key, [0] * len(labels))[position[item.bucket]] += item.count
    return TrendTable(labels, {key: tuple(values) for key, values in cells.items()})


def trend_by_category(
    store: HistoryStorage, account: AccountKey, date_range: DateRange, bucket: TrendBucket
) -> TrendTable:
    """Series per SendGrid category, Japanese labels, unexplained rows as 未分類."""
    start, end = bounds(date_range)
    counts = [
        BucketCount(c.bucket, category_label_ja(c.key or None), c.count)
        for c in store.counts(account, start, end, bucket, TrendKey.CATEGORY)
    ]
    order = [category_label_ja(name) for name in CATEGORY_LABELS_JA]
    return _table(counts, bucket_labels(date_range, bucket), order)


def trend_by_domain_group(
    store: HistoryStorage, account: AccountKey, date_range: DateRange, bucket: TrendBucket
) -> TrendTable:
    """Series per domain group (docomo, au, SoftBank, Gmail, Microsoft, Yahoo, lg.jp, その他)."""
    start, end = bounds(date_range)
    groups: dict[str, str] = {}
    counts = []
    for item in store.counts(account, start, end, bucket, TrendKey.DOMAIN):
        label = groups.get(item.key)
        if label is None:
            label = groups[item.key] = domain_group(item.key).label_ja
        counts.append(BucketCount(item.bucket, label, item.count))
    order = [group.label_ja for group in DomainGroup]
    return _table(counts, bucket_labels(date_range, bucket), order)


def trend_by_list(
    store: HistoryStorage, account: AccountKey, date_range: DateRange, bucket: TrendBucket
) -> TrendTable:
    start, end = bounds(date_range)
    counts = [
        BucketCount(c.bucket, ListKind(c.key).label_ja, c.count)
        for c in store.counts(account, start, end, bucket, TrendKey.LIST)
    ]
    return _table(counts, bucket_labels(date_range, bucket), [k.label_ja for k in ListKind])


def recurrence_trend(
    store: HistoryStorage, account: AccountKey, date_range: DateRange, bucket: TrendBucket
) -> TrendTable:
    """再発 per bucket, by the date the address came back."""
    start, end = bounds(date_range)
    labels = bucket_labels(date_range, bucket)
    counts = []
    for item in store.returns_between(account, start, end):
        day = item.returned_at.astimezone(JST).date()
        key = (
            f"{day:%Y-%m}"
            if bucket is TrendBucket.MONTH
            else (day - timedelta(days=day.weekday())).isoformat()
        )
        counts.append(BucketCount(key, RECURRENCE_KEY, 1))
    return _table(counts, labels, [RECURRENCE_KEY])


def month_was_fetched(store: HistoryStorage, account: AccountKey, month: date) -> bool:
    """Whether some fetch reached into ``month`` (any day of it): its zero counts are figures.

    Before the first fetch of a month nothing is known of it; comparing with it read as growth
    from zero (「0 → 279 件」, 「前月 0 件」) on an operator's first day.
    """
    first, last = bounds(month_range(month.replace(day=1)))
    return any(
        window.start_time <= last and window.end_time >= first
        for window in store.coverage(account, ListKind).values()
    )


def top_growing_domains(
    store: HistoryStorage, account: AccountKey, month: date, limit: int = 10
) -> list[DomainGrowth]:
    """Domains with the largest increase from the previous month to ``month`` (ties by name)."""
    previous = previous_month(month)
    span = DateRange(previous, month_range(month).end)
    start, end = bounds(span)
    before: dict[str, int] = {}
    now: dict[str, int] = {}
    for item in store.counts(account, start, end, TrendBucket.MONTH, TrendKey.DOMAIN):
        target = now if item.bucket == f"{month:%Y-%m}" else before
        target[item.key] = target.get(item.key, 0) + item.count
    grown = [
        DomainGrowth(domain, before.get(domain, 0), count)
        for domain, count in now.items()
        if count > before.get(domain, 0)
    ]
    grown.sort(key=lambda g: (-g.change, g.domain))
    return grown[:limit]
