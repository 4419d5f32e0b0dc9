"""Aggregate reports into views: per sending source, per reporter, per day, and a summary.

``DmarcAnalysis.add(report)`` folds one report in and keeps only counters, so memory depends
on the number of distinct sources and days, not on the number of reports. ``result()`` returns
frozen tuples for the UI, the CLI and the export.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from operator import attrgetter
from typing import Any

from app.core.cancel import CancelToken
from app.core.dates import JST
from app.core.dmarc.model import (
    AggregateReport,
    ImportProblem,
    PatternValues,
    PublishedPolicy,
    RecordPattern,
    ReportRecord,
)
from app.core.dmarc.verdict import (
    VERDICT_ORDER,
    RecordVerdict,
    Verdict,
    advice_ja,
    judge_record,
    verdict_label_ja,
)

_MAX_DOMAINS_KEPT = 50  # auth domains remembered per source (a spoofer may rotate thousands)
_MAX_PATTERNS = 100_000  # judged result patterns remembered (bounded: memory stays flat)
_MAX_PATTERNS_PER_SOURCE = 256
_MAX_COUNTS_PER_PATTERN = 4096  # per-count figures kept per pattern (_PatternView)
_CANCEL_EVERY = 4096  # records or sources between looks at the cancel (a few ms of work)


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

    def named(self, reverse_name: str, organisation: str, name_note_ja: str) -> SourceView:
        """This source with its reverse name, organisation and note: what
        ``dataclasses.replace`` does, without its per-call look at every field (160,000
        sources took seconds that way, longer than reading their report)."""
        return _new_view(*_UNNAMED_FIELDS(self), reverse_name, organisation, name_note_ja)

    @property
    def dmarc_fail(self) -> int:
        return self.messages - self.dmarc_pass

    @property
    def fails_alignment(self) -> bool:
        return self.dmarc_fail > 0


# SourceView is built positionally where it is built 160,000 times (SourceView.named,
# _scaled_view): keyword arguments and dataclasses.replace cost several times as much. The
# order those rely on is checked here, once, at import.
_FIELD_ORDER = (
    "source_ip",
    "header_from",
    "messages",
    "dmarc_pass",
    "spf_aligned_pass",
    "dkim_aligned_pass",
    "dispositions",
    "spf_domains",
    "dkim_domains",
    "reasons",
    "reporters",
    "verdict",
    "service",
    "verdict_ja",
    "advice_ja",
    "first_day",
    "last_day",
    "reverse_name",
    "organisation",
    "name_note_ja",
)
if tuple(item.name for item in fields(SourceView)) != _FIELD_ORDER:
    raise RuntimeError("SourceView's fields changed: update _FIELD_ORDER and its users")
_new_view: Callable[..., SourceView] = SourceView
_UNNAMED_FIELDS = attrgetter(*_FIELD_ORDER[:-3])


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
    # The domains in the order the DNS check takes them (it asks about MAX_DOMAIN_CHECKS):
    # see DmarcAnalysis._check_order.
    check_order: tuple[str, ...] = ()

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
class _Details:
    """A source's detail counters, built from its result patterns (``_SourceTotals.fold``)."""

    dmarc_pass: int = 0
    spf_pass: int = 0
    dkim_pass: int = 0
    dispositions: Counter[str] = field(default_factory=Counter)
    spf_domains: Counter[tuple[str, str]] = field(default_factory=Counter)
    dkim_domains: Counter[tuple[str, str]] = field(default_factory=Counter)
    reasons: Counter[str] = field(default_factory=Counter)
    verdicts: Counter[RecordVerdict] = field(default_factory=Counter)

    def fold(
        self, pattern: RecordPattern, count: int, judge: Callable[[RecordPattern], RecordVerdict]
    ) -> None:
        """Add ``count`` messages of one result pattern (merging equal patterns by content,
        whichever object carries them)."""
        disposition, dkim_aligned, spf_aligned, reasons, _, _, dkim_results, spf_results = (
            pattern.values
        )
        if pattern.dmarc_pass:
            self.dmarc_pass += count
        if spf_aligned == "pass":
            self.spf_pass += count
        if dkim_aligned == "pass":
            self.dkim_pass += count
        self.dispositions[disposition or "none"] += count
        for result in spf_results:
            _count_domain(self.spf_domains, (result.domain, result.result), count)
        for result in dkim_results:
            _count_domain(self.dkim_domains, (result.domain, result.result), count)
        for reason in reasons:
            self.reasons[reason] += count
        self.verdicts[judge(pattern)] += count


class _SourceTotals:
    """What one source (IP × From: domain) has counted so far.

    A plain slotted class with no containers but the pattern counts and reporters: a report
    from a large receiver can name 160,000 sources, and the seven counters each source used to
    create up front (most never used before result()) were a third of such an import, partly
    in the garbage collector walking them. The detail counters (``details``) are made only for
    a source with more than one pattern, or one that outgrew the pattern bound.
    """

    __slots__ = (
        "details",
        "first_day",
        "last_day",
        "last_report",
        "messages",
        "patterns",
        "reporters",
    )

    def __init__(self) -> None:
        self.messages = 0
        self.patterns: dict[RecordPattern, int] = {}
        self.reporters: set[str] = set()
        self.first_day = date.max
        self.last_day = date.min
        self.last_report = 0  # the DmarcAnalysis.reports number that last counted this source
        self.details: _Details | None = None

    def fold(
        self, pattern: RecordPattern, count: int, judge: Callable[[RecordPattern], RecordVerdict]
    ) -> None:
        if self.details is None:
            self.details = _Details()
        self.details.fold(pattern, count, judge)

    def fold_all(self, judge: Callable[[RecordPattern], RecordVerdict]) -> _Details:
        patterns, self.patterns = self.patterns, {}
        for pattern, count in patterns.items():
            self.fold(pattern, count, judge)
        if self.details is None:
            self.details = _Details()
        return self.details


class _PatternView:
    """The view of the sources that carried one pattern (and nothing else), by their count.

    Every figure of a view is a sum of counts, so a source with one pattern and n messages has
    n times the one-message figures, in the same order. The figures are made once per count
    (sources of a big report share a few patterns and a few hundred counts), and the view is
    built from them positionally: 160,000 sources each building their own seven tuples and
    passing twenty keywords were most of an import's aggregation.
    """

    __slots__ = ("_by_count", "one", "verdict_texts")

    def __init__(self, one: SourceView) -> None:
        self.one = one
        self.verdict_texts = (one.verdict, one.service, one.verdict_ja, one.advice_ja)
        self._by_count: dict[int, tuple[Any, ...]] = {}

    def figures(self, count: int) -> tuple[Any, ...]:
        """messages … reasons of SourceView for ``count`` messages."""
        figures = self._by_count.get(count)
        if figures is None:
            one = self.one
            figures = (
                count,
                one.dmarc_pass * count,
                one.spf_aligned_pass * count,
                one.dkim_aligned_pass * count,
                tuple([(d, n * count) for d, n in one.dispositions]),
                tuple([(d, r, n * count) for d, r, n in one.spf_domains]),
                tuple([(d, r, n * count) for d, r, n in one.dkim_domains]),
                tuple([(r, n * count) for r, n in one.reasons]),
            )
            if len(self._by_count) >= _MAX_COUNTS_PER_PATTERN:
                self._by_count.clear()
            self._by_count[count] = figures
        return figures


class DmarcAnalysis:
    """Accumulates reports; cheap to feed one at a time."""

    def __init__(self, *, cancel: CancelToken | None = None) -> None:
        self._cancel = cancel  # looked at every _CANCEL_EVERY records and sources
        self._sources: dict[tuple[str, str], _SourceTotals] = {}
        self._reporters: dict[str, list[int]] = {}  # org → [reports, messages, pass]
        self._days: dict[date, list[int]] = {}  # day → [messages, pass, reports]
        self._policies: dict[str, tuple[datetime, PublishedPolicy]] = {}
        self._schemas: Counter[str] = Counter()
        self._judged: dict[tuple[str, PatternValues], RecordVerdict] = {}
        self._pattern_views: dict[tuple[str, RecordPattern], _PatternView] = {}
        # policy domain → [messages From: that domain or its subdomains, all messages]
        self._domain_mail: dict[str, list[int]] = {}
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
        sources = self._sources
        org_name = report.org_name
        stamp = self.reports
        messages = passed = own = 0
        subdomain = "." + domain
        cancel = self._cancel
        rows = report.rows
        for start in range(0, len(rows), _CANCEL_EVERY):
            if cancel is not None:
                cancel.raise_if_cancelled()
            for source_ip, count, pattern in rows[start : start + _CANCEL_EVERY]:  # per record
                messages += count
                if pattern.dmarc_pass:
                    passed += count
                from_domain = pattern.header_from or domain
                if from_domain == domain or from_domain.endswith(subdomain):
                    own += count
                key = (source_ip, from_domain)
                totals = sources.get(key)
                if totals is None:
                    totals = sources[key] = _SourceTotals()
                totals.messages += count
                # The hot path only counts result patterns (one shared object per pattern, hashed
                # by identity); the detail counters are built from them in result(), once per
                # pattern. The source key holds the From: domain, so the pattern needs no policy
                # domain.
                patterns = totals.patterns
                counted = patterns.get(pattern)
                if counted is not None:
                    patterns[pattern] = counted + count
                elif len(patterns) < _MAX_PATTERNS_PER_SOURCE:
                    patterns[pattern] = count
                else:  # a source with endless variations: fold now so memory stays flat
                    totals.fold(pattern, count, self._judge_for(key[1]))
                if totals.last_report != stamp:  # the source's first record in this report
                    totals.last_report = stamp
                    totals.reporters.add(org_name)
                    if day < totals.first_day:
                        totals.first_day = day
                    if day > totals.last_day:
                        totals.last_day = day
        reporter[1] += messages
        reporter[2] += passed
        mail = self._domain_mail.setdefault(domain, [0, 0])
        mail[0] += own
        mail[1] += messages
        day_totals[0] += messages
        day_totals[1] += passed

    def _judge_for(self, from_domain: str) -> Callable[[RecordPattern], RecordVerdict]:
        return lambda pattern: self._judge(from_domain, pattern.values)

    def _judge(self, from_domain: str, values: PatternValues) -> RecordVerdict:
        key = (from_domain, values)  # by content: judged once however many objects carry it
        judged = self._judged.get(key)
        if judged is None:
            judged = judge_record(ReportRecord("", 0, *values), from_domain)
            if len(self._judged) >= _MAX_PATTERNS:
                self._judged.clear()
            self._judged[key] = judged
        return judged

    def _source_view(self, key: tuple[str, str], totals: _SourceTotals) -> SourceView:
        if totals.details is None and len(totals.patterns) == 1:
            ((pattern, count),) = totals.patterns.items()
            if count > 0:  # with 0, Counter's order of equal counts would differ
                return _scaled_view(key, totals, self._pattern_view(key[1], pattern), count)
        return _source_view(key, totals, totals.fold_all(self._judge_for(key[1])))

    def _pattern_view(self, from_domain: str, pattern: RecordPattern) -> _PatternView:
        """The one-message view of ``pattern``, built once (by the general path) per From:
        domain and pattern: most sources of a big report share a handful of patterns."""
        key = (from_domain, pattern)
        view = self._pattern_views.get(key)
        if view is None:
            details = _Details()
            details.fold(pattern, 1, self._judge_for(from_domain))
            view = _PatternView(_source_view(("", from_domain), _SourceTotals(), details))
            if len(self._pattern_views) >= _MAX_PATTERNS:
                self._pattern_views.clear()
            self._pattern_views[key] = view
        return view

    def result(self, *, duplicates: int = 0, problems: Iterable[ImportProblem] = ()) -> DmarcResult:
        """The views. Raises CancelledError when ``cancel`` is set meanwhile."""
        cancel = self._cancel
        sources: list[SourceView] = []
        for index, (key, totals) in enumerate(self._sources.items()):
            if cancel is not None and not index % _CANCEL_EVERY:
                cancel.raise_if_cancelled()
            sources.append(self._source_view(key, totals))
        order = VERDICT_ORDER.index
        sources.sort(key=lambda s: (s.dmarc_fail == 0, order(s.verdict), -s.messages, s.source_ip))
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
            check_order=self._check_order(),
        )

    def _check_order(self) -> tuple[str, ...]:
        """The reports' domains, the operator's own first, for the DNS check's bounded list.

        A report's ``policy_published`` domain is the domain the report is about: ours when the
        report came to us. Its records' From: domains say whose mail it counted: the domain or
        its subdomains is the domain's own mail; another From: domain is a stranger's (a report
        anyone could write names such domains too). So domains whose reports counted mail of
        their own come first, most such mail first; then those whose reports counted only
        strangers' mail, by all the mail they counted; then by name. Before, the first 20 by
        name were asked about, and 20 made-up domains sorting before ours pushed it out.
        The counts are what the reports claim: this orders, it cannot authenticate."""

        def rank(domain: str) -> tuple[bool, int, int, str]:
            own, messages = self._domain_mail.get(domain, (0, 0))
            return (own == 0, -own, -messages, domain)

        return tuple(sorted(self._policies, key=rank))


def _count_domain(counter: Counter[tuple[str, str]], key: tuple[str, str], count: int) -> None:
    if key in counter or len(counter) < _MAX_DOMAINS_KEPT:
        counter[key] += count


def _scaled_view(
    key: tuple[str, str], totals: _SourceTotals, view: _PatternView, count: int
) -> SourceView:
    # Positional, in _FIELD_ORDER (source_ip … reasons, reporters, verdict …, last_day).
    reporters = totals.reporters
    return _new_view(
        *key,
        *view.figures(count),
        tuple(reporters) if len(reporters) == 1 else tuple(sorted(reporters)),
        *view.verdict_texts,
        totals.first_day,
        totals.last_day,
    )


def _source_view(key: tuple[str, str], totals: _SourceTotals, details: _Details) -> SourceView:
    source_ip, header_from = key
    failing = [
        (judged, n) for judged, n in details.verdicts.items() if judged.verdict is not Verdict.OK
    ]
    if failing:
        # The explanation covering the most failing mail wins; on a tie the more urgent one.
        best, _ = min(failing, key=lambda item: (-item[1], VERDICT_ORDER.index(item[0].verdict)))
        verdict, service = best.verdict, best.service
    else:
        verdict, service = Verdict.OK, ""
    return SourceView(
        source_ip=source_ip,
        header_from=header_from,
        messages=totals.messages,
        dmarc_pass=details.dmarc_pass,
        spf_aligned_pass=details.spf_pass,
        dkim_aligned_pass=details.dkim_pass,
        dispositions=tuple(details.dispositions.most_common()),
        spf_domains=tuple((d, r, n) for (d, r), n in details.spf_domains.most_common()),
        dkim_domains=tuple((d, r, n) for (d, r), n in details.dkim_domains.most_common()),
        reasons=tuple(details.reasons.most_common()),
        reporters=tuple(sorted(totals.reporters)),
        verdict=verdict,
        service=service,
        verdict_ja=verdict_label_ja(verdict, service),
        advice_ja=advice_ja(verdict, service, from_domain=header_from),
        first_day=totals.first_day,
        last_day=totals.last_day,
    )
