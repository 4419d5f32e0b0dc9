"""Stats core: /v3/stats parsing, rate arithmetic, threshold judgement, Japanese summary."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.core.dates import today_jst
from app.core.errors import InvalidInputError, UnexpectedPayloadError
from app.core.providers.sendgrid import SendGridProvider
from app.core.stats import (
    DailyStats,
    evaluate,
    fetch_daily_stats,
    format_percent,
    format_rate,
    parse_stats,
    summary_ja,
)
from app.core.types import DateRange
from tests.helpers.core_sandbox import API_KEY

WEEK = DateRange(date(2026, 11, 24), date(2026, 11, 30))


def item(day: str, **metrics: object) -> dict[str, object]:
    return {"date": day, "stats": [{"metrics": metrics}]}


def test_parse_fills_missing_days_and_metrics() -> None:
    payload = [
        item("2026-11-24", requests=1000, delivered=990, bounces=5, blocks=3, processed=998),
        item("2026-11-26", requests=10),  # every other metric missing → 0
    ]
    daily = parse_stats(payload, WEEK)
    assert [day.date for day in daily] == [WEEK.start + timedelta(days=i) for i in range(7)]
    assert daily[0] == DailyStats(
        date(2026, 11, 24), requests=1000, delivered=990, bounces=5, blocks=3, processed=998
    )
    assert daily[1] == DailyStats(date(2026, 11, 25), has_data=False)
    assert daily[2].requests == 10 and daily[2].delivered == 0 and daily[2].has_data
    assert format_rate(daily[1]) == "データなし"
    assert format_rate(daily[2]) == "0.0%"


def test_parse_ignores_unknown_metrics_and_days_outside_the_range() -> None:
    payload = [
        item("2026-11-23", requests=5, delivered=5),
        item("2026-11-24", requests=5, delivered=4, opens=3, unique_clicks=1),
    ]
    daily = parse_stats(payload, WEEK)
    assert daily[0].requests == 5 and daily[0].delivered == 4
    assert sum(day.requests for day in daily) == 5


def test_parse_sums_a_day_listed_twice() -> None:
    payload = [item("2026-11-24", requests=5, delivered=4), item("2026-11-24", requests=1)]
    assert parse_stats(payload, WEEK)[0].requests == 6


@pytest.mark.parametrize(
    "payload",
    [
        {"errors": []},
        [item("2026-11-24", requests="12")],
        [item("2026-11-24", requests=1.5)],
        [item("2026-11-24", requests=True)],
        [item("2026-11-24", delivered=-1)],
        [item("2026-11-24", delivered=None)],
        # No real count; its rate (delivered / requests) raised OverflowError in the report.
        [item("2026-11-24", requests=1, delivered=10**400)],
        [{"date": "yesterday", "stats": []}],
        [{"stats": []}],
        [{"date": "2026-11-24", "stats": {"metrics": {}}}],
        [{"date": "2026-11-24", "stats": [{"metrics": [1, 2]}]}],
        ["2026-11-24"],
    ],
)
def test_bad_payload_raises_unexpected_payload(payload: object) -> None:
    with pytest.raises(UnexpectedPayloadError) as caught:
        parse_stats(payload, WEEK)
    assert caught.value.message_ja  # Japanese message for the user
    assert "/v3/stats" in caught.value.detail


def test_zero_requests_has_no_rate_and_is_never_below() -> None:
    idle = DailyStats(date(2026, 11, 24), requests=0, delivered=0)
    assert idle.rate is None
    assert not idle.below(0.99)
    assert format_rate(idle) == "送信なし"
    report = evaluate([idle, DailyStats(date(2026, 11, 25), has_data=False)], 0.97)
    assert report.ok and report.lowest is None
    assert "送信がありませんでした" in summary_ja(report, "過去2日間")


def test_threshold_boundary_uses_exact_arithmetic() -> None:
    # 0.97 * 100 is 97.00000000000001 in floats: a naive comparison calls 97/100 "below 97%".
    exact = DailyStats(date(2026, 11, 24), requests=100, delivered=97)
    assert not exact.below(0.97)
    assert DailyStats(date(2026, 11, 24), requests=100, delivered=96).below(0.97)
    assert DailyStats(date(2026, 11, 24), requests=3, delivered=2).below(0.67)
    assert not DailyStats(date(2026, 11, 24), requests=3, delivered=2).below(0.66)


def test_rate_text_rounds_down_so_a_bad_day_never_reads_as_the_threshold() -> None:
    # 9699/10000 = 96.99 %: rounding to nearest would print 97.0% on a day below 97%.
    day = DailyStats(date(2026, 11, 24), requests=10000, delivered=9699)
    assert day.below(0.97)
    assert format_rate(day) == "96.9%"
    assert format_rate(DailyStats(date(2026, 11, 24), requests=7, delivered=7)) == "100.0%"
    assert format_percent(0.97) == "97%" and format_percent(0.975) == "97.5%"


def test_report_totals_lowest_and_summary_text() -> None:
    daily = [
        DailyStats(date(2026, 11, 24) + timedelta(days=i), requests=2000, delivered=1990)
        for i in range(7)
    ]
    daily[4] = DailyStats(
        date(2026, 11, 28), requests=2000, delivered=1698, bounces=120, blocks=300
    )
    report = evaluate(daily, 0.97)
    assert not report.ok
    assert [day.date for day in report.below_days] == [date(2026, 11, 28)]
    assert report.lowest is daily[4]
    assert report.totals.requests == 14000 and report.totals.delivered == 6 * 1990 + 1698
    assert summary_ja(report, "過去7日間") == (
        "過去7日間の配信率: 最低 84.9%（11/28）。しきい値 97% を下回った日が 1 日あります: "
        "11/28（84.9%、バウンス 120 件、ブロック 300 件）"
    )
    fine = evaluate(daily[:4], 0.97)
    assert fine.ok
    assert summary_ja(fine, "過去4日間") == (
        "過去4日間の配信率: 最低 99.5%（11/24）。すべての日でしきい値 97% 以上です。"
    )


def test_summary_names_missing_days_and_caps_the_list() -> None:
    start = date(2026, 11, 1)
    daily = [DailyStats(start + timedelta(days=i), requests=10, delivered=5) for i in range(8)]
    daily.append(DailyStats(date(2026, 11, 9), has_data=False))
    text = summary_ja(evaluate(daily, 0.97), "11/1〜11/9")
    assert "下回った日が 8 日あります" in text
    assert "ほか 3 日" in text
    assert text.endswith("データなし: 11/9")


@pytest.mark.parametrize("threshold", [0.0, -0.1, 1.01, 97.0])
def test_threshold_must_be_a_ratio(threshold: float) -> None:
    with pytest.raises(InvalidInputError):
        evaluate([], threshold)


def test_fetch_daily_stats_against_the_sandbox(make_sandbox) -> None:
    sandbox = make_sandbox()
    # The sandbox has no stats for future days: stay in the past whatever today is.
    week = DateRange(today_jst() - timedelta(days=9), today_jst() - timedelta(days=3))
    bad_day = week.start + timedelta(days=3)
    sandbox.set_bad_day(bad_day, delivered_ratio=0.85)
    with SendGridProvider(API_KEY, base_url=sandbox.base_url) as provider:
        daily = fetch_daily_stats(provider, week)
    assert len(daily) == 7 and all(day.has_data and day.requests > 0 for day in daily)
    report = evaluate(daily, 0.97)
    assert [day.date for day in report.below_days] == [bad_day]
    assert 0.84 <= report.below_days[0].rate <= 0.86
    assert report.below_days[0].blocks > 0  # the sandbox's incident blocks show in the stats
    (request,) = [r for r in sandbox.request_log if r.path == "/v3/stats"]
    assert request.method == "GET"
    assert request.query["start_date"] == [week.start.isoformat()]
    assert request.query["end_date"] == [week.end.isoformat()]
    assert request.query["aggregated_by"] == ["day"]
