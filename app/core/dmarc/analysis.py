"""Aggregate reports into views: per sending source, per reporter, per day, and a summary.

``DmarcAnalysis.add(report)`` folds one report in and keeps only counters, so memory depends
on the number of distinct sources and days, not on the number of reports. ``result()`` returns
frozen tuples for the UI, the CLI and the export.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from app.core.dates import JST
from app.core.dmarc.model import AggregateReport, ImportProblem, PublishedPolicy
from app.core.dmarc.verdict import (
    VERDICT_ORDER,
    Verdict,
    advice_ja,
    judge_record,
    verdict_label_ja,
)

_MAX_DOMAINS_KEPT = 50  # auth domains remembered per source (a spoofer may rotate thousands)


@dataclass(frozen=True, slots=True)
class SourceView:
    """One sending source (IP address × From: domain) over all imported reports."""

    source_ip: str
    header_from: str
    messages: int
    dmarc_pass: int
    spf_aligned_pass: int
    dkim_aligned_pass: int
    dispositions: tuple[tuple[str, int], ...]  # ("none", 120), ("quarantine", 3) ...
    spf_domains: tuple[tuple[str, str, int], ...]  # (domain, result, messages), most first
    dkim_domains: tuple[tuple[str, str, int], ...]
    reasons: tuple[tuple[str, int], ...]
    reporters: tuple[str, ...]
    verdict: Verdict
    service: str
    verdict_ja: str
    advice_ja: str
    first_day: date
    last_day: date
    reverse_name: str = ""  # filled by dns_check.resolve_sources when DNS can be asked
    organisation: str = ""
    name_note_ja: str = "逆引き未確認"

    @property
    def dmarc_fail(self) -> int:
        return self.messages - self.dmarc_pass

    @property
    def fails_alignment(self) -> bool:
        return self.dmarc_fail > 0


@dataclass(frozen=True, slots=True)
class ReporterView:
    org_name: str
    reports: int
    messages: int
    dmarc_pass: int

    @property
    def dmarc_fail(self) -> int:
        return self.messages - self.dmarc_pass


@dataclass(frozen=True, slots=True)
class DayView:
    """One JST calendar day (the middle of each report's period decides its day)."""

    day: date
    messages: int
    dmarc_pass: int
    reports: int

    @property
    def dmarc_fail(self) -> int:
        return self.messages - self.dmarc_pass


@dataclass(frozen=True, slots=True)
class DmarcResult:
    """Everything a DMARC screen, the CLI or the export shows."""

    sources: tuple[SourceView, ...]  # failing first, then by messages
    reporters: tuple[ReporterView, ...]
    days: tuple[DayView, ...]
    domains: tuple[str, ...]
    policies: tuple[PublishedPolicy, ...]  # latest policy seen per domain
    reports: int
    duplicates: int
    problems: tuple[ImportProblem, ...]
    schemas: tuple[tuple[str, int], ...]  # ("rfc7489", 10), ("rfc9990", 2)
    first_day: date | None
    last_day: date | None

    @property
    def messages(self) -> int:
        return sum(source.messages for source in self.sources)

    @property
    def dmarc_pass(self) -> int:
        return sum(source.dmarc_pass for source in self.sources)

    @property
    def failing_sources(self) -> tuple[SourceView, ...]:
        return tuple(source for source in self.sources if source.fails_alignment)

    def verdict_counts(self) -> dict[Verdict, int]:
        counts = Counter(source.verdict for source in self.sources)
        return {verdict: counts[verdict] for verdict in VERDICT_ORDER}


@dataclass(slots=True)
class _SourceTotals:
    messages: int = 0
    dmarc_pass: int = 0
    spf_pass: int = 0
    dkim_pass: int = 0
    dispositions: Counter[str] = field(default_factory=Counter)
    spf_domains: Counter[tuple[str, str]] = field(default_factory=Counter)
    dkim_domains: Counter[tuple[str, str]] = field(default_factory=Counter)
    reasons: Counter[str] = field(default_factory=Counter)
    verdicts: Counter[tuple[Verdict, str]] = field(default_factory=Counter)
    reporters: set[str] = field(default_factory=set)
    first_day: date = date.max
    last_day: date = date.min


class DmarcAnalysis:
    """Accumulates reports; cheap to feed one at a time."""

    def __init__(self) -> None:
        self._sources: dict[tuple[str, str], _SourceTotals] = {}
        self._reporters: dict[str, list[int]] = {}  # org → [reports, messages, pass]
        self._days: dict[date, list[int]] = {}  # day → [messages, pass, reports]
        self._policies: dict[str, tuple[datetime, PublishedPolicy]] = {}
        self._schemas: Counter[str] = Counter()
        self.reports = 0

    def add_all(self, reports: Iterable[AggregateReport]) -> DmarcAnalysis:
        for report in reports:
            self.add(report)
        return self

    def add(self, report: AggregateReport) -> None:
        self.reports += 1
        self._schemas[report.schema] += 1
        domain = report.policy.domain
        known = self._policies.get(domain)
        if known is None or known[0] <= report.end:
            self._policies[domain] = (report.end, report.policy)
        day = (report.begin + (report.end - report.begin) / 2).astimezone(JST).date()
        reporter = self._reporters.setdefault(report.org_name, [0, 0, 0])
        reporter[0] += 1
        day_totals = self._days.setdefault(day, [0, 0, 0])
        day_totals[2] += 1
        for record in report.records:
            count = record.count
            passed = count if record.dmarc_pass else 0
            reporter[1] += count
            reporter[2] += passed
            day_totals[0] += count
            day_totals[1] += passed
            header_from = record.header_from or domain
            key = (record.source_ip, header_from)
            totals = self._sources.get(key)
            if totals is None:
                totals = self._sources[key] = _SourceTotals()
            totals.messages += count
            totals.dmarc_pass += passed
            if record.spf_aligned == "pass":
                totals.spf_pass += count
            if record.dkim_aligned == "pass":
                totals.dkim_pass += count
            totals.dispositions[record.disposition or "none"] += count
            for result in record.spf_results:
                _count_domain(totals.spf_domains, (result.domain, result.result), count)
            for result in record.dkim_results:
                _count_domain(totals.dkim_domains, (result.domain, result.result), count)
            for reason in record.reasons:
                totals.reasons[reason] += count
            judged = judge_record(record, domain)
            totals.verdicts[(judged.verdict, judged.service)] += count
            totals.reporters.add(report.org_name)
            totals.first_day = min(totals.first_day, day)
            totals.last_day = max(totals.last_day, day)

    def result(self, *, duplicates: int = 0, problems: Iterable[ImportProblem] = ()) -> DmarcResult:
        sources = [_source_view(key, totals) for key, totals in self._sources.items()]
        sources.sort(
            key=lambda s: (
                s.dmarc_fail == 0,
                VERDICT_ORDER.index(s.verdict),
                -s.messages,
                s.source_ip,
            )
        )
        reporters = sorted(
            (ReporterView(org, *totals) for org, totals in self._reporters.items()),
            key=lambda r: (-r.messages, r.org_name),
        )
        days = tuple(DayView(day, *totals) for day, totals in sorted(self._days.items()))
        return DmarcResult(
            sources=tuple(sources),
            reporters=tuple(reporters),
            days=days,
            domains=tuple(sorted(self._policies)),
            policies=tuple(
                policy for _, policy in (self._policies[d] for d in sorted(self._policies))
            ),
            reports=self.reports,
            duplicates=duplicates,
            problems=tuple(problems),
            schemas=tuple(sorted(self._schemas.items())),
            first_day=days[0].day if days else None,
            last_day=days[-1].day if days else None,
        )


def _count_domain(counter: Counter[tuple[str, str]], key: tuple[str, str], count: int) -> None:
    if key in counter or len(counter) < _MAX_DOMAINS_KEPT:
        counter[key] += count


def _source_view(key: tuple[str, str], totals: _SourceTotals) -> SourceView:
    source_ip, header_from = key
    failing = [(pair, n) for pair, n in totals.verdicts.items() if pair[0] is not Verdict.OK]
    if failing:
        # The explanation covering the most failing mail wins; on a tie the more urgent one.
        (verdict, service), _ = min(
            failing, key=lambda item: (-item[1], VERDICT_ORDER.index(item[0][0]))
        )
    else:
        verdict, service = Verdict.OK, ""
    return SourceView(
        source_ip=source_ip,
        header_from=header_from,
        messages=totals.messages,
        dmarc_pass=totals.dmarc_pass,
        spf_aligned_pass=totals.spf_pass,
        dkim_aligned_pass=totals.dkim_pass,
        dispositions=tuple(totals.dispositions.most_common()),
        spf_domains=tuple((d, r, n) for (d, r), n in totals.spf_domains.most_common()),
        dkim_domains=tuple((d, r, n) for (d, r), n in totals.dkim_domains.most_common()),
        reasons=tuple(totals.reasons.most_common()),
        reporters=tuple(sorted(totals.reporters)),
        verdict=verdict,
        service=service,
        verdict_ja=verdict_label_ja(verdict, service),
        advice_ja=advice_ja(verdict, service, from_domain=header_from),
        first_day=totals.first_day,
        last_day=totals.last_day,
    )
