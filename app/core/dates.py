"""JST date presets and their conversion to SendGrid's inclusive Unix-second bounds."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from enum import StrEnum

from app.core.errors import InvalidInputError
from app.core.types import DateRange, TimeWindow

# A fixed +9:00: Japan has had no DST since 1951, so for every date SendGrid can hold this
# equals ZoneInfo("Asia/Tokyo"), without zoneinfo's import (it pulls sysconfig: ~1.5 ms at
# start-up) or a tz database (a bare Windows Python has none).
JST = timezone(timedelta(hours=9), "JST")
# The last moment every writer can show: each one shows JST, and Python's datetime ends at
# 9999-12-31 23:59:59, so a later UTC moment (a provider's "9999-12-31T23:59:59Z") cannot be
# converted and would crash the table, the exports and the CLI far from where it came in.
LAST_SHOWABLE = datetime(9999, 12, 31, 23, 59, 59, tzinfo=JST)


class Preset(StrEnum):
    TODAY = "today"
    YESTERDAY = "yesterday"
    LAST_7_DAYS = "last_7_days"
    LAST_30_DAYS = "last_30_days"
    THIS_MONTH = "this_month"
    LAST_MONTH = "last_month"

    @property
    def label_ja(self) -> str:
        return _PRESET_LABELS_JA[self]


_PRESET_LABELS_JA = {
    Preset.TODAY: "今日",
    Preset.YESTERDAY: "昨日",
    Preset.LAST_7_DAYS: "過去7日間",
    Preset.LAST_30_DAYS: "過去30日間",
    Preset.THIS_MONTH: "今月",
    Preset.LAST_MONTH: "先月",
}


def today_jst(now: datetime | None = None) -> date:
    moment = now if now is not None else datetime.now(tz=JST)
    return moment.astimezone(JST).date()


def preset_range(preset: Preset, today: date) -> DateRange:
    """The range a preset means on ``today`` (a JST calendar day). Ranges end today at most."""
    if preset is Preset.TODAY:
        return DateRange(today, today)
    if preset is Preset.YESTERDAY:
        day = today - timedelta(days=1)
        return DateRange(day, day)
    if preset is Preset.LAST_7_DAYS:
        return DateRange(today - timedelta(days=6), today)
    if preset is Preset.LAST_30_DAYS:
        return DateRange(today - timedelta(days=29), today)
    if preset is Preset.THIS_MONTH:
        return DateRange(today.replace(day=1), today)
    first_of_this_month = today.replace(day=1)
    last_of_previous = first_of_this_month - timedelta(days=1)
    return DateRange(last_of_previous.replace(day=1), last_of_previous)


def validate_range(date_range: DateRange, today: date) -> DateRange:
    """Refuse inverted and future ranges before any request is sent."""
    if date_range.start > date_range.end:
        raise InvalidInputError(
            "開始日が終了日より後になっています。",
            next_step_ja="開始日と終了日を入れ替えるか、選び直してください。",
            detail=f"start={date_range.start} end={date_range.end}",
        )
    if date_range.start > today:
        raise InvalidInputError(
            "開始日が未来の日付です。まだデータがありません。",
            next_step_ja="今日以前の日付を選んでください。",
            detail=f"start={date_range.start} today={today}",
        )
    if date_range.end > today:
        # An end in the future is harmless for the API but is almost always a slip: clamp it.
        return DateRange(date_range.start, today)
    return date_range


def unix_bounds(date_range: DateRange) -> tuple[int, int]:
    """SendGrid ``start_time``/``end_time``: 00:00:00 JST of the first day to 23:59:59 JST of the
    last day, both inclusive, in Unix seconds. A ``TimeWindow`` gives its exact seconds."""
    if isinstance(date_range, TimeWindow):
        return date_range.start_time, date_range.end_time
    start = datetime.combine(date_range.start, time(0, 0, 0), tzinfo=JST)
    end = datetime.combine(date_range.end, time(23, 59, 59), tzinfo=JST)
    # The first hours of 1970-01-01 JST lie before the Unix epoch; SendGrid refuses a negative
    # time (400), and nothing can be older than the epoch, so the bounds start there.
    return max(0, int(start.timestamp())), max(0, int(end.timestamp()))


def from_unix(seconds: float) -> datetime:
    """Provider timestamp → aware UTC datetime."""
    return datetime.fromtimestamp(int(seconds), tz=UTC)


def showable(moment: datetime) -> datetime:
    """``moment`` if every writer can show it in JST; OverflowError (which the providers'
    parsers already turn into their payload error) if it lies past ``LAST_SHOWABLE``."""
    if moment > LAST_SHOWABLE:
        raise OverflowError(f"{moment.isoformat()} is past {LAST_SHOWABLE.isoformat()}")
    return moment


def parse_iso_date(text: str) -> date:
    """Parse ``YYYY-MM-DD`` with a Japanese error."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInputError(
            f"日付「{text}」を読み取れません。",
            next_step_ja="YYYY-MM-DD の形式（例: 2026-11-30）で指定してください。",
        ) from None
