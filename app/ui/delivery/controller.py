"""DeliveryController: after a fetch, daily stats and the cause × domain breakdown, in jobs."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal, Slot

from app.core.accounts import between_words_ja
from app.core.cancel import CancelToken
from app.core.errors import CancelledError, TodokuError
from app.core.types import DateRange, Explanation, SuppressionEntry
from app.ui.workers import Job, JobRunner

if TYPE_CHECKING:
    # Imported when the first fetch ends: the stats and chart modules (fractions, decimal)
    # are not needed for the first paint.
    from app.core.services import ClassifiedPage, ConnectionConfig
    from app.core.stats import DailyStats, StatsSource
    from app.ui.widgets.chart_model import BreakdownChartModel

log = logging.getLogger(__name__)

STATS_ONLY_SENDGRID = (
    "配信統計は SendGrid のアカウントでのみ表示できます（Todoku は{provider}の配信統計に"
    "まだ対応していません）。"
)
STATS_ONLY_SENDGRID_NEXT = "抑制リストの内訳（原因とドメイン）は下のグラフで確認できます。"


def load_daily_stats(
    source: StatsSource,
    date_range: DateRange,
    *,
    progress: Callable[[Any], None] | None = None,
    on_page: Callable[[Any], None] | None = None,
    cancel: CancelToken | None = None,
) -> tuple[DailyStats, ...]:
    """``fetch_daily_stats`` with the job calling convention (progress/on_page unused)."""
    from app.core.stats import fetch_daily_stats

    del progress, on_page
    return fetch_daily_stats(source, date_range, cancel=cancel)


def breakdown_of_pages(
    pages: Sequence[ClassifiedPage],
    *,
    progress: Callable[[Any], None] | None = None,
    on_page: Callable[[Any], None] | None = None,
    cancel: CancelToken | None = None,
) -> BreakdownChartModel:
    """Count the fetched entries by cause and domain group (~0.5 s per million: a job)."""
    from app.ui.widgets.chart_model import build_breakdown

    del progress, on_page

    def pairs() -> Iterator[tuple[SuppressionEntry, Explanation | None]]:
        for page in pages:
            if cancel is not None:
                cancel.raise_if_cancelled()
            yield from zip(page.entries, page.explanations, strict=False)

    return build_breakdown(pairs())


def breakdown_of_rows(
    entries: Sequence[SuppressionEntry],
    explanations: Sequence[Explanation | None],
    *,
    progress: Callable[[Any], None] | None = None,
    on_page: Callable[[Any], None] | None = None,
    cancel: CancelToken | None = None,
) -> BreakdownChartModel:
    """The same count over the grid's rows as they are now (after a deletion)."""
    from app.ui.widgets.chart_model import build_breakdown

    del progress, on_page
    if cancel is not None:
        cancel.raise_if_cancelled()
    return build_breakdown(zip(entries, explanations, strict=False))


class DeliveryController(QObject):
    """Starts the stats and breakdown jobs; a newer fetch supersedes older results.

    Signals:
        stats_loading: a stats request started.
        stats_loaded: (tuple[DailyStats, ...], DateRange).
        stats_failed: TodokuError (shown in the tab; never blocks the grid).
        stats_unavailable: str, Todoku reads no statistics for the account's provider.
        breakdown_ready: BreakdownChartModel.
    """

    stats_loading = Signal()
    stats_loaded = Signal(object)
    stats_failed = Signal(object)
    stats_unavailable = Signal(str)
    breakdown_ready = Signal(object)

    def __init__(self, runner: JobRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self._generation = 0  # results of an older fetch's jobs are dropped
        # id(job.signals) -> (job, generation, range); kept until the job's `finished`
        self._jobs: dict[int, tuple[Job, int, DateRange]] = {}
        self._last_range: DateRange | None = None

    def refresh(
        self, config: ConnectionConfig, date_range: DateRange, pages: Sequence[ClassifiedPage]
    ) -> None:
        """Fetch stats for ``date_range`` and count ``pages``, each in its own job."""
        from app.core.deletion.run import run_with_provider
        from app.core.services import sendgrid_factory

        self.cancel()
        self._generation += 1
        self._last_range = date_range
        account = config.account
        if account is not None and account.provider.value != "sendgrid":
            # Todoku reads delivery statistics from SendGrid only: the breakdown alone, and why.
            self._refresh_breakdown_only(account.provider.label_ja, date_range, pages)
            return
        stats = Job(
            "stats",
            functools.partial(
                run_with_provider, sendgrid_factory(config), load_daily_stats, date_range
            ),
        )
        stats.signals.succeeded.connect(self._on_stats_succeeded)
        stats.signals.failed.connect(self._on_stats_failed)
        breakdown = Job("breakdown", functools.partial(breakdown_of_pages, tuple(pages)))
        breakdown.signals.succeeded.connect(self._on_breakdown_succeeded)
        for job in (stats, breakdown):
            job.signals.finished.connect(self._on_job_finished)
            self._jobs[id(job.signals)] = (job, self._generation, date_range)
            self._runner.start(job)
        self.stats_loading.emit()

    def recount(
        self, entries: Sequence[SuppressionEntry], explanations: Sequence[Explanation | None]
    ) -> None:
        """The grid's rows changed (a deletion): count them again, so the breakdown agrees with
        the status bar. The daily stats stay (they count sends, not list entries)."""
        if self._last_range is None:  # nothing fetched yet: no breakdown to correct
            return
        job = Job("breakdown", functools.partial(breakdown_of_rows, entries, explanations))
        job.signals.succeeded.connect(self._on_breakdown_succeeded)
        job.signals.finished.connect(self._on_job_finished)
        self._jobs[id(job.signals)] = (job, self._generation, self._last_range)
        self._runner.start(job)

    def _refresh_breakdown_only(
        self, provider_label: str, date_range: DateRange, pages: Sequence[ClassifiedPage]
    ) -> None:
        breakdown = Job("breakdown", functools.partial(breakdown_of_pages, tuple(pages)))
        breakdown.signals.succeeded.connect(self._on_breakdown_succeeded)
        breakdown.signals.finished.connect(self._on_job_finished)
        self._jobs[id(breakdown.signals)] = (breakdown, self._generation, date_range)
        self._runner.start(breakdown)
        self.stats_unavailable.emit(
            STATS_ONLY_SENDGRID.format(provider=between_words_ja(provider_label))
            + "\n"
            + STATS_ONLY_SENDGRID_NEXT
        )

    def cancel(self) -> None:
        for job, _, _ in self._jobs.values():
            job.cancel.cancel()

    def clear(self) -> None:
        """The grid's rows belonged to another connection: drop their overview (running jobs
        are cancelled and whatever they still report is ignored) until the next fetch."""
        self.cancel()
        self._generation += 1
        self._last_range = None

    def _current_range(self) -> DateRange | None:
        """The range of the job that sent the signal, if it belongs to the latest refresh."""
        known = self._jobs.get(id(self.sender()))
        if known is None or known[1] != self._generation:
            return None
        return known[2]

    @Slot(object)
    def _on_stats_succeeded(self, daily: tuple[DailyStats, ...]) -> None:
        date_range = self._current_range()
        if date_range is not None:
            self.stats_loaded.emit((daily, date_range))

    @Slot(object)
    def _on_stats_failed(self, error: TodokuError) -> None:
        if self._current_range() is None or isinstance(error, CancelledError):
            return
        log.warning("stats failed: %s: %s", type(error).__name__, error.message_ja)
        self.stats_failed.emit(error)

    @Slot(object)
    def _on_breakdown_succeeded(self, model: BreakdownChartModel) -> None:
        if self._current_range() is not None:
            self.breakdown_ready.emit(model)

    @Slot()
    def _on_job_finished(self) -> None:
        self._jobs.pop(id(self.sender()), None)
