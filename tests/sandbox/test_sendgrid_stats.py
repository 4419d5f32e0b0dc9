"""Global stats and bounce classifications of the sandbox agree with its stored lists."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import httpx
import pytest

from app.sandbox.scenarios import generate_records
from app.sandbox.sendgrid_server import SandboxRecord
from app.sandbox.sendgrid_stats import CLASSIFICATIONS

JAN_1 = 1_735_657_200  # 2025-01-01 00:00:00 JST
DAY = 86400
LISTS = ("bounces", "blocks", "invalid_emails", "spam_reports", "unsubscribes")


@pytest.fixture
def stats_sandbox(make_sandbox):
    records = generate_records(600, seed=11, start=JAN_1, end=JAN_1 + 10 * DAY - 1)
    # 2025-01-11 00:30 JST is still 2025-01-10 in UTC: counted on the 11th in Asia/Tokyo.
    records.append(
        SandboxRecord("bounces", "late@example.jp", JAN_1 + 10 * DAY + 1800, "x", "5.1.1")
    )
    return make_sandbox(records, clock=lambda: JAN_1 + 40 * DAY)


@pytest.fixture
def api(stats_sandbox) -> Iterator[httpx.Client]:
    headers = {"Authorization": "Bearer SG.test"}
    with httpx.Client(base_url=stats_sandbox.base_url, headers=headers, timeout=10) as client:
        yield client


def get(api: httpx.Client, path: str, **params) -> httpx.Response:
    return api.get(path, params=params)


def listed(api: httpx.Client, kind: str, start: int, end: int) -> int:
    response = get(api, f"/v3/suppression/{kind}", start_time=start, end_time=end, limit=500)
    return len(response.json())


def test_daily_suppression_counts_match_the_lists_in_jst(api, stats_sandbox) -> None:
    response = get(api, "/v3/stats", start_date="2025-01-01", end_date="2025-01-11")
    days = response.json()
    assert [d["date"] for d in days] == [f"2025-01-{n:02d}" for n in range(1, 12)]
    for number, day in enumerate(days):
        metrics = day["stats"][0]["metrics"]
        first = JAN_1 + number * DAY
        for kind in LISTS:
            assert metrics[kind] == listed(api, kind, first, first + DAY - 1), (day, kind)
    assert days[-1]["stats"][0]["metrics"]["bounces"] == 1  # the 00:30 JST entry


def test_volumes_are_plausible_and_add_up(api, stats_sandbox) -> None:
    days = get(api, "/v3/stats", start_date="2025-01-01", end_date="2025-01-10").json()
    for day in days:
        m = day["stats"][0]["metrics"]
        assert m["processed"] <= m["requests"]
        assert m["delivered"] + m["bounces"] + m["blocks"] + m["deferred"] == m["processed"]
        assert m["requests"] >= 20 * m["bounces"]
        assert 0.9 < m["delivered"] / m["requests"] < 1.0
        assert m["unique_opens"] <= m["opens"] <= m["delivered"]
        assert m["unique_clicks"] <= m["clicks"] <= m["opens"]
    again = get(api, "/v3/stats", start_date="2025-01-01", end_date="2025-01-10").json()
    assert again == days


def test_bad_day_shows_an_incident_backed_by_block_entries(api, stats_sandbox) -> None:
    blocks_before = listed(api, "blocks", JAN_1 + 4 * DAY, JAN_1 + 5 * DAY - 1)
    added = stats_sandbox.set_bad_day(date(2025, 1, 5), delivered_ratio=0.85)
    day = get(api, "/v3/stats", start_date="2025-01-05", end_date="2025-01-05").json()
    m = day[0]["stats"][0]["metrics"]
    assert added > 0
    assert abs(m["delivered"] / m["requests"] - 0.85) < 0.01
    assert m["blocks"] == blocks_before + added
    assert m["blocks"] == listed(api, "blocks", JAN_1 + 4 * DAY, JAN_1 + 5 * DAY - 1)
    assert m["delivered"] + m["bounces"] + m["blocks"] + m["deferred"] == m["processed"]


def test_week_and_month_aggregation_sum_the_days(api, stats_sandbox) -> None:
    daily = get(api, "/v3/stats", start_date="2025-01-01", end_date="2025-01-11").json()
    monthly = get(
        api,
        "/v3/stats",
        start_date="2025-01-01",
        end_date="2025-01-11",
        aggregated_by="month",
    ).json()
    weekly = get(
        api,
        "/v3/stats",
        start_date="2025-01-01",
        end_date="2025-01-11",
        aggregated_by="week",
    ).json()
    total = sum(d["stats"][0]["metrics"]["requests"] for d in daily)
    assert [m["date"] for m in monthly] == ["2025-01-01"]
    assert monthly[0]["stats"][0]["metrics"]["requests"] == total
    assert [w["date"] for w in weekly] == ["2025-01-01", "2025-01-06"]  # weeks start on Monday
    assert sum(w["stats"][0]["metrics"]["requests"] for w in weekly) == total


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({}, "start_date"),
        ({"start_date": "2025/01/01"}, "start_date"),
        ({"start_date": "2025-01-05", "end_date": "2025-01-01"}, "end_date"),
        ({"start_date": "2025-01-01", "aggregated_by": "hour"}, "aggregated_by"),
    ],
)
def test_stats_parameter_errors(api, stats_sandbox, params, field) -> None:
    response = get(api, "/v3/stats", **params)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == field


def test_stats_need_a_stats_scope(make_sandbox) -> None:
    sandbox = make_sandbox(api_keys={"SG.test": {"suppression.read"}})
    response = httpx.get(
        sandbox.base_url + "/v3/stats",
        params={"start_date": "2025-01-01"},
        headers={"Authorization": "Bearer SG.test"},
    )
    assert response.status_code == 403


@pytest.mark.parametrize("prefix", ["/v3/suppression", "/v3/suppressions"])
def test_classifications_count_the_days_bounces(api, stats_sandbox, prefix: str) -> None:
    path = f"{prefix}/bounces/classifications"
    result = get(api, path, start_date="2025-01-01", end_date="2025-01-10").json()["result"]
    assert result
    for day in result:
        number = date.fromisoformat(day["date"]).day - 1
        first = JAN_1 + number * DAY
        assert sum(s["count"] for s in day["stats"]) == listed(
            api, "bounces", first, first + DAY - 1
        )
        assert {s["classification"] for s in day["stats"]} <= set(CLASSIFICATIONS)
        counts = [s["count"] for s in day["stats"]]
        assert counts == sorted(counts, reverse=True)


def test_one_classification_is_split_by_domain(api, stats_sandbox) -> None:
    path = "/v3/suppression/bounces/classifications/Invalid%20Address"
    result = get(api, path, start_date="2025-01-01", end_date="2025-01-10").json()["result"]
    assert result and all("domain" in s for day in result for s in day["stats"])
    bad = get(api, "/v3/suppression/bounces/classifications/Nope")
    assert bad.status_code == 400


def test_classifications_as_csv(api, stats_sandbox) -> None:
    response = api.get(
        "/v3/suppression/bounces/classifications",
        params={"start_date": "2025-01-01", "end_date": "2025-01-02"},
        headers={"Accept": "text/csv"},
    )
    assert response.headers["content-type"].startswith("text/csv")
    assert response.text.splitlines()[0] == "date,name,count"
