"""Global stats and bounce classifications for the sandbox, consistent with its stored lists.

Days are calendar days in Asia/Tokyo (the sandbox account's "timezone setting"). Suppression
counts per day are the stored entries created that day; sending volumes (requests, delivered,
opens, ...) are synthesised deterministically from the seed and the date.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache

from app.sandbox.sendgrid_store import SuppressionStore

JST = timezone(timedelta(hours=9), "JST")  # Japan has no DST; no tz database needed

CLASSIFICATIONS: tuple[str, ...] = (
    "Content",
    "Frequency or Volume Too High",
    "Invalid Address",
    "Mailbox Unavailable",
    "Reputation",
    "Technical Failure",
    "Unclassified",
)
_METRIC_NAMES = (
    *("requests", "processed", "delivered", "deferred", "bounces", "blocks", "invalid_emails"),
    *("bounce_drops", "spam_report_drops", "unsubscribe_drops", "spam_reports", "unsubscribes"),
    *("opens", "unique_opens", "clicks", "unique_clicks"),
)

# Rough imitation of SendGrid's classifier: first match wins.
_CLASS_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("Reputation", re.compile(r"reputation|blocklist|blacklist|spamhaus|dnsbl|listed", re.I)),
    ("Content", re.compile(r"spam|content|virus|dmarc|policy", re.I)),
    ("Frequency or Volume Too High", re.compile(r"rate|too many|frequen|volume|throttl", re.I)),
    ("Invalid Address", re.compile(r"unknown|no such|not exist|invalid|not found|5\.1\.", re.I)),
    ("Mailbox Unavailable", re.compile(r"full|quota|disabled|inactive|suspend|5\.2\.", re.I)),
    ("Technical Failure", re.compile(r"timeout|timed out|connect|dns|tls|relay|4\.\d", re.I)),
)


@lru_cache(maxsize=4096)
def classify_bounce(reason: str, status: str) -> str:
    """Which SendGrid bounce classification an entry falls into (cached: reasons repeat)."""
    text = f"{status} {reason}"
    for name, pattern in _CLASS_RULES:
        if pattern.search(text):
            return name
    return "Unclassified"


def parse_day(text: str) -> date:
    """``YYYY-MM-DD`` or ``ValueError``."""
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise ValueError(text)
    return date.fromisoformat(text)


def day_bounds(day: date) -> tuple[int, int]:
    """Inclusive Unix-second bounds of a JST calendar day."""
    start = int(datetime.combine(day, time(0, 0), tzinfo=JST).timestamp())
    return start, start + 86399


def days(start: date, end: date) -> Iterator[date]:
    for offset in range((end - start).days + 1):
        yield start + timedelta(days=offset)


def metrics_for_day(
    store: SuppressionStore, seed: int, day: date, today: date, bad_days: dict[date, float]
) -> dict[str, int]:
    if day > today:
        return dict.fromkeys(_METRIC_NAMES, 0)
    first, last = day_bounds(day)
    counts = {
        kind: store.count(kind, first, last)
        for kind in ("bounces", "blocks", "invalid_emails", "spam_reports", "unsubscribes")
    }
    rng = random.Random(f"stats:{seed}:{day.isoformat()}")
    bounces, blocks = counts["bounces"], counts["blocks"]
    # Volume follows the failures so a normal day delivers ~98.5-99.5% (a healthy sender's
    # rate, above the app's default 97% threshold); set_bad_day() makes the incidents. Never tiny.
    failures = bounces + blocks + counts["invalid_emails"]
    requests = max(int(failures * rng.uniform(70, 140)), rng.randint(300, 600))
    bounce_drops = rng.randint(0, bounces // 3 + 1)
    spam_report_drops = rng.randint(0, 1)
    unsubscribe_drops = rng.randint(0, counts["unsubscribes"] // 2 + 1)
    drops = counts["invalid_emails"] + bounce_drops + spam_report_drops + unsubscribe_drops
    processed = requests - drops
    deferred = rng.randint(0, max(1, processed // 300))
    if day in bad_days:
        # An incident: delivered falls to the ratio; what is not a stored block is deferred.
        delivered = round(requests * bad_days[day])
        deferred = max(0, processed - bounces - blocks - delivered)
    delivered = max(0, processed - bounces - blocks - deferred)
    opens = int(delivered * rng.uniform(0.2, 0.35))
    clicks = int(opens * rng.uniform(0.05, 0.15))
    return {
        "requests": requests,
        "processed": processed,
        "delivered": delivered,
        "deferred": deferred,
        "bounces": bounces,
        "blocks": blocks,
        "invalid_emails": counts["invalid_emails"],
        "bounce_drops": bounce_drops,
        "spam_report_drops": spam_report_drops,
        "unsubscribe_drops": unsubscribe_drops,
        "spam_reports": counts["spam_reports"],
        "unsubscribes": counts["unsubscribes"],
        "opens": opens,
        "unique_opens": int(opens * rng.uniform(0.75, 0.9)),
        "clicks": clicks,
        "unique_clicks": int(clicks * rng.uniform(0.8, 0.95)),
    }


def _bucket(day: date, first: date, aggregated_by: str) -> date:
    if aggregated_by == "week":
        return max(first, day - timedelta(days=day.weekday()))  # weeks start on Monday
    if aggregated_by == "month":
        return max(first, day.replace(day=1))
    return day


def global_stats(
    store: SuppressionStore,
    *,
    seed: int,
    start: date,
    end: date,
    aggregated_by: str,
    today: date,
    bad_days: dict[date, float],
) -> list[dict[str, object]]:
    """``/v3/stats`` body: one item per day (or week/month), metrics summed within a bucket."""
    buckets: dict[date, Counter[str]] = {}
    for day in days(start, end):
        metrics = metrics_for_day(store, seed, day, today, bad_days)
        buckets.setdefault(_bucket(day, start, aggregated_by), Counter()).update(metrics)
    return [
        {
            "date": key.isoformat(),
            "stats": [{"metrics": {name: int(total[name]) for name in _METRIC_NAMES}}],
        }
        for key, total in buckets.items()
    ]


def classification_counts(
    store: SuppressionStore, start: date, end: date, classification: str | None
) -> list[dict[str, object]]:
    """Per day: counts per classification, or per recipient domain for one classification."""
    result: list[dict[str, object]] = []
    for day in days(start, end):
        first, last = day_bounds(day)
        tally: Counter[str] = Counter()
        for record in store.in_range("bounces", first, last):
            name = classify_bounce(record.reason, record.status)
            if classification is None:
                tally[name] += 1
            elif name == classification:
                tally[record.email.rpartition("@")[2].lower()] += 1
        if not tally:
            continue
        label = "classification" if classification is None else "domain"
        ordered = sorted(tally.items(), key=lambda item: (-item[1], item[0]))
        result.append(
            {
                "date": day.isoformat(),
                "stats": [{label: name, "count": count} for name, count in ordered],
            }
        )
    return result


def classifications_csv(result: list[dict[str, object]]) -> str:
    """CSV form of a classification result (real column layout undocumented: long format)."""
    lines = ["date,name,count"]
    for item in result:
        stats = item["stats"]
        assert isinstance(stats, list)
        for row in stats:
            name = row.get("classification", row.get("domain", ""))
            lines.append(f'{item["date"]},"{name}",{row["count"]}')
    return "\n".join(lines) + "\n"
