"""The monthly report for managers: figures of one JST month against the month before.

``build_monthly_report`` gathers everything from history, the deletion journal and (when
readable) the month's delivery stats; ``report_xlsx.write_report_xlsx`` lays it out. The
report window will show the same ``MonthlyReport``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from app.core.dates import JST
from app.core.domain_groups import DomainGroup, domain_group
from app.core.export.columns import category_label_ja
from app.core.history.trends import (
    DomainGrowth,
    TrendTable,
    bounds,
    month_range,
    month_was_fetched,
    previous_month,
    trend_by_category,
)
from app.core.journal_region import journal_region_spellings
from app.core.stats import DailyStats, evaluate
from app.core.storage.history.interface import (
    AccountKey,
    HistoryStorage,
    Return,
    TrendBucket,
    TrendKey,
)
from app.core.storage.journal_records import OperationQuery, OperationState
from app.core.storage.journal_store import JournalStore
from app.core.types import DateRange, ListKind

# The history's key of the default practice account (the window's and `todoku-cli --account`'s)
# and what a report calls practice rows.
PRACTICE_KEY = "練習"
PRACTICE_SHOWN = "練習モード"
TOP_DOMAINS = 10
TOP_CAUSES = 10
TREND_MONTHS = 12
NOT_EXPLAINED = "（未分類）"
# The month before was never fetched (the first month of use): its zeros are no figures, and
# 「+560 件（前月 0 件）」 read as a month that went from nothing to 560.
NO_PREVIOUS_RECORD = "前月は取得の記録なし"
NO_PREVIOUS_RECORD_NOTE = (
    "前月は取得の記録がないため、前月の件数は 0 と表示しています（比較はできません）。"
)


@dataclass(frozen=True, slots=True)
class Change:
    """A count this month and last month."""

    label: str
    current: int
    previous: int

    @property
    def difference(self) -> int:
        return self.current - self.previous

    @property
    def ratio(self) -> float | None:
        """Relative change (0.25 = +25 %); None when last month had nothing."""
        return None if self.previous == 0 else self.difference / self.previous

    def change_ja(self) -> str:
        sign = "+" if self.difference > 0 else ""
        ratio = self.ratio
        percent = "前月 0 件" if ratio is None else f"{sign}{ratio * 100:.1f}%"
        return f"{sign}{self.difference:,} 件（{percent}）"


@dataclass(frozen=True, slots=True)
class CauseLine:
    label_ja: str
    category_ja: str
    count: int
    previous: int
    explanation_ja: str
    action_ja: str


@dataclass(frozen=True, slots=True)
class DeletionLine:
    """One delete operation of the month, from the journal."""

    operation_id: int
    started_at: datetime
    os_user: str
    state_ja: str
    total: int
    succeeded: int
    failed: int
    note: str


@dataclass(frozen=True, slots=True)
class MonthlyReport:
    account: AccountKey
    month: date  # the first day
    period: DateRange
    generated_at: datetime
    total: Change
    by_list: tuple[Change, ...]
    by_category: tuple[Change, ...]
    by_group: tuple[Change, ...]
    top_domains: tuple[Change, ...]
    growing: tuple[DomainGrowth, ...]
    causes: tuple[CauseLine, ...]
    deletions: tuple[DeletionLine, ...]
    returns: tuple[Return, ...]
    trend: TrendTable  # the last TREND_MONTHS months by category
    delivery: DailyStats | None = None  # the month's totals when stats were readable
    delivery_note: str = ""  # why the delivery rate is missing, when it is
    notes: tuple[str, ...] = field(default=())
    # Some fetch reached into the month before (or it has rows): its counts can be compared.
    previous_recorded: bool = True
    # The month is still running (the report is made before its last day is over): its counts
    # cover ``period.start`` to this day, and the month before is counted over the same days, so
    # eight days of December are not set against the whole of November.
    through: date | None = None

    @property
    def partial(self) -> bool:
        return self.through is not None

    def period_ja(self) -> str:
        """「2026/12/01 〜 2026/12/08（日本時間、途中）」, or the whole month."""
        if self.through is None:
            return f"{self.period.start:%Y/%m/%d} 〜 {self.period.end:%Y/%m/%d}（日本時間）"
        return f"{self.period.start:%Y/%m/%d} 〜 {self.through:%Y/%m/%d}（日本時間、途中）"

    def partial_note_ja(self) -> str:
        """Why the month before looks smaller than it was: only its first days are counted."""
        if self.through is None:
            return ""
        days = (self.through - self.period.start).days + 1
        counted = (
            f"{self.month.month}月はまだ途中です。今月は {self.period.start:%m/%d}〜"
            f"{self.through:%m/%d} の {days} 日分"
        )
        if not self.previous_recorded:  # nothing to compare with: say only what is counted
            return counted + "です。"
        before = previous_month(self.period.start)
        last = min(before + timedelta(days=days - 1), month_range(before).end)
        return counted + f"で、前月も同じ {before:%m/%d}〜{last:%m/%d} の件数と比べています。"

    @property
    def month_label(self) -> str:
        return f"{self.month.year}年{self.month.month}月"

    @property
    def delivery_rate(self) -> float | None:
        return None if self.delivery is None else self.delivery.rate

    def total_change_ja(self) -> str:
        """「前月比 +n 件（…）」 of the month's total, or that the month before was never
        fetched (「前月比 前月は…」 repeated itself)."""
        if not self.previous_recorded:
            return NO_PREVIOUS_RECORD
        return f"前月比 {self.total.change_ja()}"

    @property
    def account_label_ja(self) -> str:
        """The account as the saved Excel and PDF name it: practice rows say 練習モード (the
        history keys them 「練習」, which read as an account someone had named 練習)."""
        account = self.account
        name = account.account
        if account.practice:
            name = PRACTICE_SHOWN if name in ("", PRACTICE_KEY) else f"{name}（{PRACTICE_SHOWN}）"
        return name + (f"（サブユーザー {account.subuser}）" if account.subuser else "")


def _changes(
    current: dict[str, int], previous: dict[str, int], order: Sequence[str]
) -> tuple[Change, ...]:
    keys = list(order) + sorted(k for k in set(current) | set(previous) if k not in order)
    return tuple(Change(k, current.get(k, 0), previous.get(k, 0)) for k in keys)


def build_monthly_report(
    store: HistoryStorage,
    account: AccountKey,
    month: date,
    *,
    journal: JournalStore | None = None,
    daily_stats: Sequence[DailyStats] | None = None,
    delivery_note: str = "",
    now: datetime | None = None,
) -> MonthlyReport:
    """Everything the report shows for ``month`` (any day of it) of ``account``."""
    first = month.replace(day=1)
    before = previous_month(first)
    period = month_range(first)
    generated_at = now or datetime.now(UTC)
    today = generated_at.astimezone(JST).date()
    # A month whose last day is not over yet is compared day for day with the month before.
    through = today if first <= today <= period.end else None
    counted = DateRange(first, through or period.end)
    days = (counted.end - first).days + 1
    compared = DateRange(before, min(before + timedelta(days=days - 1), month_range(before).end))

    def tally(days: DateRange, key: TrendKey) -> dict[str, int]:
        start, end = bounds(days)
        totals: dict[str, int] = {}
        for item in store.counts(account, start, end, TrendBucket.MONTH, key):
            totals[item.key] = totals.get(item.key, 0) + item.count
        return totals

    def split(key: TrendKey) -> tuple[dict[str, int], dict[str, int]]:
        return tally(counted, key), tally(compared, key)

    lists_now, lists_before = split(TrendKey.LIST)
    by_list = tuple(
        Change(kind.label_ja, lists_now.get(kind.value, 0), lists_before.get(kind.value, 0))
        for kind in ListKind
    )
    total = Change("合計", sum(lists_now.values()), sum(lists_before.values()))

    cat_now, cat_before = split(TrendKey.CATEGORY)
    by_category = tuple(
        Change(category_label_ja(c.label or None), c.current, c.previous)
        for c in _changes(cat_now, cat_before, [])
        if c.current or c.previous
    )

    dom_now, dom_before = split(TrendKey.DOMAIN)
    group_now: dict[str, int] = {}
    group_before: dict[str, int] = {}
    for source, target in ((dom_now, group_now), (dom_before, group_before)):
        for domain, count in source.items():
            label = domain_group(domain).label_ja
            target[label] = target.get(label, 0) + count
    by_group = _changes(group_now, group_before, [g.label_ja for g in DomainGroup])
    top = sorted(dom_now.items(), key=lambda item: (-item[1], item[0]))[:TOP_DOMAINS]
    top_domains = tuple(Change(d, c, dom_before.get(d, 0)) for d, c in top)
    growing = sorted(
        (
            DomainGrowth(d, dom_before.get(d, 0), c)
            for d, c in dom_now.items()
            if c > dom_before.get(d, 0)
        ),
        key=lambda g: (-g.change, g.domain),
    )[:TOP_DOMAINS]

    cause_now, cause_before = split(TrendKey.CAUSE)
    explained = store.explanations_by_label(account)
    causes = []
    for label, count in sorted(cause_now.items(), key=lambda item: (-item[1], item[0]))[
        :TOP_CAUSES
    ]:
        explanation = explained.get(label)
        causes.append(
            CauseLine(
                label or NOT_EXPLAINED,
                category_label_ja(explanation.category) if explanation else "",
                count,
                cause_before.get(label, 0),
                explanation.explanation_ja if explanation else "",
                explanation.action_ja if explanation else "",
            )
        )

    trend_start = first
    for _ in range(TREND_MONTHS - 1):
        trend_start = previous_month(trend_start)
    trend = trend_by_category(store, account, DateRange(trend_start, period.end), TrendBucket.MONTH)

    month_start, month_end = bounds(period)
    returns = store.returns_between(account, month_start, month_end)

    delivery: DailyStats | None = None
    if daily_stats:
        delivery = evaluate(daily_stats, 0.97).totals
        if not delivery.has_data:
            delivery, delivery_note = None, delivery_note or "この月の配信データがありません。"
    elif not delivery_note:
        delivery_note = "配信状況（統計）を読めなかったため、配信率は載せていません。"

    previous_recorded = total.previous > 0 or month_was_fetched(store, account, before)

    return MonthlyReport(
        account=account,
        month=first,
        period=period,
        generated_at=generated_at,
        total=total,
        by_list=by_list,
        by_category=by_category,
        by_group=by_group,
        top_domains=top_domains,
        growing=tuple(growing),
        causes=tuple(causes),
        deletions=_deletions(journal, account, period),
        returns=returns,
        trend=trend,
        delivery=delivery,
        delivery_note=delivery_note,
        previous_recorded=previous_recorded,
        through=through,
    )


def _deletions(
    journal: JournalStore | None, account: AccountKey, period: DateRange
) -> tuple[DeletionLine, ...]:
    if journal is None:
        return ()
    operations = journal.list_operations(
        OperationQuery(start=period.start, end=period.end, limit=100_000)
    )
    lines = [
        DeletionLine(
            operation_id=op.id,
            started_at=op.started_at.astimezone(JST),
            os_user=op.os_user,
            state_ja=op.state.label_ja,
            total=op.total,
            succeeded=op.succeeded,
            failed=op.failed,
            note=op.note,
        )
        for op in operations
        if op.subuser == account.subuser
        and op.region in journal_region_spellings(account.region, account.practice)
        and op.practice == account.practice
        and op.state is not OperationState.PENDING
    ]
    return tuple(sorted(lines, key=lambda line: line.started_at))
