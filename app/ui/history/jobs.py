"""Work the history feature runs on worker threads: 推移 tables, the monthly report, saving it,
erasing an address. Plain functions with the job shape (progress, on_page, cancel)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.core.errors import TodokuError

if TYPE_CHECKING:
    from app.core.cancel import CancelToken
    from app.core.history.journal_link import ErasedCounts
    from app.core.history.report import MonthlyReport
    from app.core.history.trends import DomainGrowth, TrendTable
    from app.core.stats import DailyStats
    from app.core.storage.history import AccountKey, HistoryStorage, TrendBucket
    from app.core.storage.journal_store import JournalStore
    from app.ui.history.session import HistorySession


class NoHistoryError(TodokuError):
    default_message_ja = "取得履歴を開けないため、この操作はできません。"
    default_next_step_ja = "状態表示の内容を確認してください。一覧の取得はそのまま使えます。"


def _store(session: HistorySession, account: AccountKey | None = None) -> HistoryStorage:
    """The store (of ``account``'s job: its older-spelled rows folded in, ``open_for``)."""
    store = session.open() if account is None else session.open_for(account)
    if store is None:
        notices = session.take_notices()
        if notices:
            raise notices[0]
        raise NoHistoryError()
    return store


@dataclass(frozen=True, slots=True)
class TrendData:
    """What the 推移 tab paints: one table per view, growing domains of the last month."""

    account: AccountKey
    bucket: TrendBucket
    by_category: TrendTable
    by_group: TrendTable
    recurrence: TrendTable
    growing: tuple[DomainGrowth, ...]
    month: date  # the month ``growing`` compares with the one before
    previous_fetched: bool = True  # False: the month before was never fetched, nothing to compare

    @property
    def empty(self) -> bool:
        return not any(self.by_category.total())


def trends_span(today: date, months: int) -> tuple[date, date]:
    """The first day of the month ``months - 1`` months back, and today."""
    first = today.replace(day=1)
    for _ in range(months - 1):
        first = (first - timedelta(days=1)).replace(day=1)
    return first, today


def load_trends(
    session: HistorySession,
    account: AccountKey,
    today: date,
    months: int,
    bucket: TrendBucket,
    *,
    progress: Any = None,
    on_page: Any = None,
    cancel: CancelToken | None = None,
) -> TrendData:
    from app.core.history import trends
    from app.core.types import DateRange

    del progress, on_page
    store = _store(session, account)
    start, end = trends_span(today, months)
    span = DateRange(start, end)
    tables = []
    for build in (trends.trend_by_category, trends.trend_by_domain_group, trends.recurrence_trend):
        if cancel is not None:
            cancel.raise_if_cancelled()
        tables.append(build(store, account, span, bucket))
    month = today.replace(day=1)
    growing = tuple(trends.top_growing_domains(store, account, month))
    fetched = trends.month_was_fetched(store, account, trends.previous_month(month))
    return TrendData(account, bucket, tables[0], tables[1], tables[2], growing, month, fetched)


def build_report(
    session: HistorySession,
    account: AccountKey,
    month: date,
    journal: JournalStore | None,
    *,
    stats: Callable[[], Any] | None = None,
    progress: Any = None,
    on_page: Any = None,
    cancel: CancelToken | None = None,
) -> MonthlyReport:
    """The month's report; ``stats`` makes the connected SendGrid provider whose delivery
    stats give the delivery rate (what ``todoku-cli report --stats`` reads), None when the
    connection is not this report's SendGrid account."""
    from app.core.history.report import build_monthly_report
    from app.ui.history import texts

    del on_page
    daily, note = None, texts.REPORT_NO_STATS
    if stats is not None:
        if progress is not None:
            progress(texts.REPORT_READING_STATS)
        daily, note = _month_stats(stats, month, cancel)
    if cancel is not None:
        cancel.raise_if_cancelled()
    return build_monthly_report(
        _store(session, account),
        account,
        month,
        journal=journal,
        daily_stats=daily,
        delivery_note=note,
    )


def _month_stats(
    stats: Callable[[], Any], month: date, cancel: CancelToken | None
) -> tuple[tuple[DailyStats, ...] | None, str]:
    """The month's daily stats, or None and the Japanese reason they could not be read."""
    from app.core.errors import CancelledError
    from app.core.history.trends import month_range
    from app.core.stats import fetch_daily_stats
    from app.ui.history import texts

    try:
        with stats() as provider:
            return fetch_daily_stats(provider, month_range(month.replace(day=1)), cancel), ""
    except CancelledError:
        raise
    except TodokuError as error:
        return None, texts.REPORT_STATS_FAILED.format(message=error.message_ja)


def save_report(
    report: MonthlyReport,
    xlsx: Path | None,
    pdf: Path | None,
    *,
    progress: Any = None,
    on_page: Any = None,
    cancel: CancelToken | None = None,
) -> tuple[Path, ...]:
    """Write the chosen files; progress says which one is being written."""
    from app.ui.history import texts

    del on_page
    saved: list[Path] = []
    for path, label, write in (
        (xlsx, texts.REPORT_XLSX, _write_xlsx),
        (pdf, texts.REPORT_PDF, _write_pdf),
    ):
        if path is None:
            continue
        if cancel is not None:
            cancel.raise_if_cancelled()
        if progress is not None:
            progress(texts.REPORT_SAVING.format(step=label))
        write(report, path)
        saved.append(path)
    return tuple(saved)


def _write_xlsx(report: MonthlyReport, path: Path) -> None:
    from app.core.history.report_xlsx import write_report_xlsx

    write_report_xlsx(report, path)


def _write_pdf(report: MonthlyReport, path: Path) -> None:
    from app.report_pdf import write_report_pdf

    write_report_pdf(report, path)


def erase_address(
    session: HistorySession,
    email: str,
    journal: JournalStore | None,
    cache_path: Path | None,
    *,
    progress: Any = None,
    on_page: Any = None,
    cancel: CancelToken | None = None,
) -> ErasedCounts:
    """「このアドレスの記録を消す」: history (every account), the explanation cache, and the
    journal's rows masked (docs/history.md explains why the journal keeps its audit rows)."""
    from app.core.history.journal_link import erase_address as erase

    del progress, on_page, cancel
    cache = None
    if cache_path is not None and cache_path.exists():
        from app.core.classify.cache import ExplanationCache

        cache = ExplanationCache(cache_path)
    try:
        return erase(email, history=_store(session), journal=journal, cache=cache)
    finally:
        if cache is not None:
            cache.close()
