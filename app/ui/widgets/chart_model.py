"""What the delivery and breakdown charts draw, as Qt-free frozen data built by pure functions.

The painted widgets only map these fractions (0 = bottom/left, 1 = top/right of a plot area) to
pixels, so tests check the values drawn (points, bars, threshold line, highlighted days,
tooltips) without a window. Nothing here imports Qt.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from app.core.classify.vocabulary import CATEGORY_LABELS_JA
from app.core.domain_groups import DomainGroup, count_by_group
from app.core.stats import (
    NO_DATA_JA,
    NO_SENDS_JA,
    DailyStats,
    check_threshold,
    format_day,
    format_day_long,
    format_percent,
    format_rate,
)
from app.core.types import Explanation, SuppressionEntry

NOT_CLASSIFIED_JA = "分類中"
CATEGORY_SECTION_JA = "原因の分類別"
DOMAIN_SECTION_JA = "受信ドメイン別"


@dataclass(frozen=True, slots=True)
class AxisTick:
    value: float
    fraction: float  # 0 = bottom of the plot, 1 = top
    label: str


@dataclass(frozen=True, slots=True)
class DayPoint:
    """One day column: its rate point (if any) and its two bars."""

    day: DailyStats
    label: str  # x-axis text, "11/28"
    rate_text: str  # "84.9%", 送信なし or データなし
    rate_fraction: float | None  # None: no point (no requests or no data)
    below: bool  # drawn red and highlighted
    bounce_fraction: float
    block_fraction: float
    tooltip: str  # plain text


@dataclass(frozen=True, slots=True)
class DeliveryChartModel:
    points: tuple[DayPoint, ...]
    threshold: float
    threshold_fraction: float
    threshold_label: str  # "しきい値 97%"
    rate_min: float  # the rate at the bottom of the rate plot (top is always 100%)
    rate_ticks: tuple[AxisTick, ...]
    count_max: int  # the count at the top of the bar plot
    count_ticks: tuple[AxisTick, ...]

    @property
    def highlighted(self) -> tuple[int, ...]:
        """Indices of the days below the threshold."""
        return tuple(index for index, point in enumerate(self.points) if point.below)

    @property
    def empty(self) -> bool:
        return not self.points


def build_delivery_chart(daily: Sequence[DailyStats], threshold: float) -> DeliveryChartModel:
    """Scale the days onto a rate axis (from a round value under both the lowest rate and the
    threshold, up to 100%) and a count axis (0 to a round value over the largest bar)."""
    check_threshold(threshold)
    rates = [day.rate for day in daily if day.rate is not None]
    rate_min, rate_step = _rate_axis(min([threshold, *rates]))
    count_max, count_step = count_axis(max((max(d.bounces, d.blocks) for d in daily), default=0))

    def rate_fraction(rate: float) -> float:
        return (rate - rate_min) / (1.0 - rate_min)

    points = tuple(
        DayPoint(
            day=day,
            label=format_day(day.date),
            rate_text=format_rate(day),
            rate_fraction=None if day.rate is None else rate_fraction(day.rate),
            below=day.below(threshold),
            bounce_fraction=day.bounces / count_max,
            block_fraction=day.blocks / count_max,
            tooltip=_day_tooltip(day, threshold),
        )
        for day in daily
    )
    steps = round((1.0 - rate_min) / rate_step)
    rate_ticks = tuple(
        AxisTick(value, rate_fraction(value), format_percent(value))
        for value in (rate_min + rate_step * index for index in range(steps + 1))
    )
    count_ticks = tuple(
        AxisTick(value, value / count_max, f"{value:,}")
        for value in range(0, count_max + 1, count_step)
    )
    return DeliveryChartModel(
        points=points,
        threshold=threshold,
        threshold_fraction=rate_fraction(threshold),
        threshold_label=f"しきい値 {format_percent(threshold)}",
        rate_min=rate_min,
        rate_ticks=rate_ticks,
        count_max=count_max,
        count_ticks=count_ticks,
    )


def _day_tooltip(day: DailyStats, threshold: float) -> str:
    lines = [format_day_long(day.date)]
    if not day.has_data:
        lines.append(f"{NO_DATA_JA}（SendGrid がこの日の統計を返しませんでした）")
        return "\n".join(lines)
    if day.requests <= 0:
        lines.append(f"配信率: {NO_SENDS_JA}（リクエスト 0 件）")
    else:
        verdict = "未満" if day.below(threshold) else "以上"
        lines.append(f"配信率 {format_rate(day)}（しきい値 {format_percent(threshold)} {verdict}）")
    lines.append(f"リクエスト {day.requests:,} 件 / 配信成功 {day.delivered:,} 件")
    lines.append(
        f"バウンス {day.bounces:,} 件 / ブロック {day.blocks:,} 件 / 遅延 {day.deferred:,} 件"
    )
    return "\n".join(lines)


def _rate_axis(lowest: float) -> tuple[float, float]:
    """(bottom, step): the step grows with the span so there are 3-10 gridlines."""
    span = 1.0 - lowest
    for step in (0.01, 0.02, 0.05, 0.1, 0.2):
        if span <= step * 6:
            break
    # Leave at least half a step under the lowest value so its point never sits on the axis.
    bottom = math.floor((lowest - step / 2) / step + 1e-9) * step
    return max(0.0, round(bottom, 4)), step


def count_axis(largest: int) -> tuple[int, int]:
    """(top, step) with a round step (1, 2, 5 × 10^k) and at most 5 steps."""
    if largest <= 0:
        return 1, 1
    magnitude = 10 ** max(0, len(str(largest)) - 1)
    for factor in (1, 2, 5, 10, 20, 50):
        step = max(1, magnitude * factor // 10)
        if largest <= step * 5:
            return step * math.ceil(largest / step), step
    return largest, largest  # not reached: 50 × magnitude / 10 × 5 covers everything


# -- breakdown -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BreakdownRow:
    label: str
    count: int
    fraction: float  # bar length relative to the section's largest row
    share_text: str  # "42.0%" of the section total
    tooltip: str  # plain text


@dataclass(frozen=True, slots=True)
class BreakdownSection:
    title: str
    rows: tuple[BreakdownRow, ...]
    total: int


@dataclass(frozen=True, slots=True)
class BreakdownChartModel:
    sections: tuple[BreakdownSection, ...]
    total: int

    @property
    def empty(self) -> bool:
        return self.total == 0


def build_breakdown(
    pairs: Iterable[tuple[SuppressionEntry, Explanation | None]],
) -> BreakdownChartModel:
    """Count fetched entries by cause category (largest first) and by domain group (largest
    first, その他 last; empty groups left out)."""
    categories: Counter[str] = Counter()
    domains: Counter[str] = Counter()
    for entry, explanation in pairs:
        if explanation is None:
            categories[NOT_CLASSIFIED_JA] += 1
        else:
            categories[CATEGORY_LABELS_JA.get(explanation.category, explanation.category)] += 1
        domains[entry.email.rpartition("@")[2]] += 1
    total = sum(categories.values())
    by_group = count_by_group(domains) if total else {}
    group_rows = sorted(
        ((group.label_ja, count) for group, count in by_group.items() if count),
        key=lambda item: (item[0] == DomainGroup.OTHER.label_ja, -item[1]),
    )
    sections = (
        _section(CATEGORY_SECTION_JA, categories.most_common(), total),
        _section(DOMAIN_SECTION_JA, group_rows, total),
    )
    return BreakdownChartModel(sections=sections, total=total)


def _section(title: str, counts: Sequence[tuple[str, int]], total: int) -> BreakdownSection:
    largest = max((count for _, count in counts), default=0)
    rows = tuple(
        BreakdownRow(
            label=label,
            count=count,
            fraction=count / largest if largest else 0.0,
            share_text=percent_share(count, total),
            tooltip=f"{title} — {label}: {count:,} 件（全体の {percent_share(count, total)}）",
        )
        for label, count in counts
    )
    return BreakdownSection(title=title, rows=rows, total=total)


def percent_share(count: int, total: int) -> str:
    if total <= 0:
        return "0%"
    per_mille = round(count * 1000 / total)
    return f"{per_mille // 10}.{per_mille % 10}%"
