"""Daily delivery statistics from SendGrid's /v3/stats: parsing, rates, threshold, Japanese summary.

配信率 (delivery rate) is ``delivered ÷ requests`` (配信成功 ÷ リクエスト). SendGrid returns no
rate, so we pick one and label it everywhere: requests is what the operator asked to send, so mail
dropped before processing (suppressed addresses) also lowers the rate, which is what an operator
watching "is our mail arriving?" wants to see. A day without requests has no rate ("送信なし"):
it is never a division error and never counts as below the threshold.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import date, timedelta
from fractions import Fraction
from typing import Any, Protocol, cast

from app.core.cancel import CancelToken
from app.core.errors import InvalidInputError, UnexpectedPayloadError
from app.core.types import DateRange

log = logging.getLogger(__name__)

DEFAULT_THRESHOLD = 0.97
RATE_DEFINITION_JA = "配信率 = 配信成功 ÷ リクエスト"
NO_DATA_JA = "データなし"
NO_SENDS_JA = "送信なし"
WEEKDAYS_JA = "月火水木金土日"
_MAX_LISTED_DAYS = 5  # the summary names at most this many bad days, then "ほか N 日"


@dataclass(frozen=True, slots=True)
class DailyStats:
    """One JST calendar day of global stats (days follow the SendGrid account's timezone).

    ``has_data`` is False when the API returned nothing for the day (shown as データなし);
    every count is then 0.
    """

    date: date
    requests: int = 0
    delivered: int = 0
    bounces: int = 0
    blocks: int = 0
    deferred: int = 0
    spam_reports: int = 0
    unsubscribes: int = 0
    processed: int = 0
    has_data: bool = True

    @property
    def rate(self) -> float | None:
        """配信率 (delivered ÷ requests), or None when nothing was requested that day."""
        return self.delivered / self.requests if self.requests > 0 else None

    def below(self, threshold: float) -> bool:
        """True when the day had requests and its rate is under ``threshold`` (exact arithmetic:
        97 of 100 at 0.97 is not below, although ``0.97 * 100`` is 97.00000000000001 in floats)."""
        if self.requests <= 0:
            return False
        return Fraction(self.delivered, self.requests) < _exact(threshold)


METRIC_NAMES: tuple[str, ...] = tuple(
    f.name for f in fields(DailyStats) if f.name not in ("date", "has_data")
)


@dataclass(frozen=True, slots=True)
class DeliveryReport:
    """Days of a range judged against a threshold, with totals: what the UI and CLI show."""

    daily: tuple[DailyStats, ...]
    threshold: float
    totals: DailyStats  # summed over the days; ``date`` is the first day

    @property
    def below_days(self) -> tuple[DailyStats, ...]:
        return tuple(day for day in self.daily if day.below(self.threshold))

    @property
    def ok(self) -> bool:
        return not self.below_days

    @property
    def lowest(self) -> DailyStats | None:
        """The day with the lowest rate (the earliest on ties); None when nothing was sent."""
        sent = [day for day in self.daily if day.requests > 0]
        if not sent:
            return None
        return min(sent, key=lambda day: Fraction(day.delivered, day.requests))

    @property
    def missing_days(self) -> tuple[DailyStats, ...]:
        return tuple(day for day in self.daily if not day.has_data)


class StatsSource(Protocol):
    """What ``fetch_daily_stats`` needs: SendGridProvider.global_stats."""

    def global_stats(
        self, start: date, end: date, cancel: CancelToken | None = None
    ) -> list[Any]: ...


def fetch_daily_stats(
    source: StatsSource, date_range: DateRange, cancel: CancelToken | None = None
) -> tuple[DailyStats, ...]:
    """GET /v3/stats for the range (by day) and parse it; one DailyStats per day of the range."""
    payload = source.global_stats(date_range.start, date_range.end, cancel=cancel)
    return parse_stats(payload, date_range)


def parse_stats(payload: Any, date_range: DateRange) -> tuple[DailyStats, ...]:
    """Parse a ``/v3/stats?aggregated_by=day`` body defensively.

    Days the body does not mention come back with zeros and ``has_data=False``; metrics it does
    not mention are 0; a metric that is not a non-negative integer, or a malformed item, raises
    UnexpectedPayloadError. Days outside the range are ignored; a day listed twice is summed.
    """
    if not isinstance(payload, list):
        raise UnexpectedPayloadError(
            detail=f"/v3/stats: expected a JSON array, got {type(payload).__name__}"
        )
    sums: dict[date, dict[str, int]] = {}
    for index, item in enumerate(payload):
        if not isinstance(item, dict):
            raise UnexpectedPayloadError(detail=f"/v3/stats[{index}]: not an object")
        day = _item_date(item.get("date"), index)
        if not date_range.start <= day <= date_range.end:
            log.info("stats: ignoring %s outside %s..%s", day, date_range.start, date_range.end)
            continue
        totals = sums.setdefault(day, dict.fromkeys(METRIC_NAMES, 0))
        stats = item.get("stats", [])
        if not isinstance(stats, list):
            raise UnexpectedPayloadError(detail=f"/v3/stats[{index}].stats: not an array")
        for part in stats:
            metrics = part.get("metrics", {}) if isinstance(part, dict) else None
            if not isinstance(metrics, dict):
                raise UnexpectedPayloadError(detail=f"/v3/stats[{index}]: metrics not an object")
            for name in METRIC_NAMES:
                totals[name] += _count(metrics.get(name, 0), f"{day} {name}")
    result = []
    for offset in range(date_range.days):
        day = date_range.start + timedelta(days=offset)
        if day in sums:
            # The keys are METRIC_NAMES, DailyStats' int fields; mypy cannot tell them from
            # has_data (bool), hence the cast.
            result.append(DailyStats(day, **cast("dict[str, Any]", sums[day])))
        else:
            result.append(DailyStats(day, has_data=False))
    return tuple(result)


def evaluate(daily: Sequence[DailyStats], threshold: float) -> DeliveryReport:
    """Judge the days against ``threshold`` (a ratio, 0 < threshold ≤ 1) and sum them."""
    check_threshold(threshold)
    return DeliveryReport(tuple(daily), threshold, _sum(daily))


def check_threshold(threshold: float) -> float:
    if not 0.0 < threshold <= 1.0:
        raise InvalidInputError(
            f"しきい値 {threshold} は使えません。",
            next_step_ja="0 より大きく 1 以下の小数で指定してください（例: 0.97 は 97%）。",
        )
    return threshold


# -- Japanese text ---------------------------------------------------------------------------


def format_rate(day: DailyStats) -> str:
    """``84.9%`` (rounded down to 0.1 point so a rate under 97% never reads "97.0%"),
    or 送信なし / データなし."""
    if not day.has_data:
        return NO_DATA_JA
    if day.requests <= 0:
        return NO_SENDS_JA
    per_mille = day.delivered * 1000 // day.requests  # integers: no float rounding surprises
    return f"{per_mille // 10}.{per_mille % 10}%"


def format_percent(ratio: float) -> str:
    """A threshold as ``97%`` or ``97.5%``."""
    text = f"{ratio * 100:.2f}".rstrip("0").rstrip(".")
    return f"{text}%"


def format_day(day: date) -> str:
    return f"{day.month}/{day.day}"


def format_day_long(day: date) -> str:
    return f"{day.year}/{day.month}/{day.day}（{WEEKDAYS_JA[day.weekday()]}）"


def period_label(date_range: DateRange, today: date | None = None) -> str:
    """過去7日間 when the range ends today, else ``11/22〜11/28``."""
    if today is not None and date_range.end == today:
        return f"過去{date_range.days}日間"
    return f"{format_day(date_range.start)}〜{format_day(date_range.end)}"


def describe_bad_day(day: DailyStats) -> str:
    return (
        f"{format_day(day.date)}（{format_rate(day)}、"
        f"バウンス {day.bounces:,} 件、ブロック {day.blocks:,} 件）"
    )


def summary_ja(report: DeliveryReport, period_ja: str) -> str:
    """Short plain Japanese: lowest rate, verdict and the days below the threshold.

    Example: ``過去7日間の配信率: 最低 84.9%（11/28）。しきい値 97% を下回った日が 1 日あります:
    11/28（84.9%、バウンス 120 件、ブロック 300 件）``
    """
    threshold = format_percent(report.threshold)
    lowest = report.lowest
    if lowest is None:
        text = f"{period_ja}の配信率: 送信がありませんでした（リクエスト 0 件）。"
    else:
        text = f"{period_ja}の配信率: 最低 {format_rate(lowest)}（{format_day(lowest.date)}）。"
        below = report.below_days
        if below:
            listed = "、".join(describe_bad_day(day) for day in below[:_MAX_LISTED_DAYS])
            more = len(below) - _MAX_LISTED_DAYS
            if more > 0:
                listed += f" ほか {more} 日"
            text += f"しきい値 {threshold} を下回った日が {len(below)} 日あります: {listed}"
        else:
            text += f"すべての日でしきい値 {threshold} 以上です。"
    missing = report.missing_days
    if missing:
        names = "、".join(format_day(day.date) for day in missing[:_MAX_LISTED_DAYS])
        if len(missing) > _MAX_LISTED_DAYS:
            names += f" ほか {len(missing) - _MAX_LISTED_DAYS} 日"
        text += f"\n{NO_DATA_JA}: {names}"
    return text


def totals_ja(report: DeliveryReport) -> str:
    """One line of totals: リクエスト … / 配信成功 … （配信率 …）/ バウンス … / ブロック …"""
    total = report.totals
    return (
        f"合計: リクエスト {total.requests:,} 件 / 配信成功 {total.delivered:,} 件"
        f"（配信率 {format_rate(total)}）/ バウンス {total.bounces:,} 件"
        f" / ブロック {total.blocks:,} 件 / 遅延 {total.deferred:,} 件"
    )


# -- helpers ---------------------------------------------------------------------------------


def _exact(threshold: float) -> Fraction:
    # repr() gives the shortest decimal that round-trips, i.e. what the operator typed (0.97).
    return Fraction(repr(float(threshold)))


def _item_date(value: Any, index: int) -> date:
    if not isinstance(value, str):
        raise UnexpectedPayloadError(detail=f"/v3/stats[{index}].date: {value!r}")
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        raise UnexpectedPayloadError(detail=f"/v3/stats[{index}].date: {value!r}") from None


# No day's count comes near 2**53, the largest integer a float (and so Excel, and a JSON
# reader in JavaScript) holds exactly; beyond it a ratio can overflow a float (OverflowError).
MAX_COUNT = 2**53


def _count(value: Any, where: str) -> int:
    # bool is an int subclass in Python; JSON true is no count.
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_COUNT:
        raise UnexpectedPayloadError(detail=f"/v3/stats {where}: not a count: {value!r}")
    return value


def _sum(daily: Iterable[DailyStats]) -> DailyStats:
    days = list(daily)
    first = days[0].date if days else date.min
    sums = {name: sum(getattr(day, name) for day in days) for name in METRIC_NAMES}
    return DailyStats(first, **sums, has_data=any(day.has_data for day in days))
