"""FetchController: fetch and classify the chosen lists in a job, streaming pages into the grid."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from app.core.dates import today_jst, validate_range
from app.core.errors import CancelledError, NetworkError, TodokuError
from app.core.export.incomplete import IncompleteFetch
from app.core.retry_notice import RetryCause, RetryNotice
from app.core.types import DateRange, FetchProgress, ListKind
from app.ui import texts
from app.ui.feature import FeatureController
from app.ui.models.entry_table import EntryTableModel
from app.ui.workers import JobRunner, JobWork, ReadAhead

if TYPE_CHECKING:
    from app.core.classify import ClassifyFunction
    from app.core.services import ClassifiedPage, ConnectionConfig, FetchOutcome

log = logging.getLogger(__name__)

PAGE_FLUSH_MS = 50  # pages arriving faster than ~20/s are inserted together

# history_work(config, date_range, lists, full) -> the job's work, or None to fetch without
# history. Its result has ``entries``, ``explanations`` (the whole range, index for index) and
# ``summary_ja`` (the line shown when done). Pages it streams (a full pass) are shown as they
# come and replaced by the whole range at the end.
HistoryWork = Callable[["ConnectionConfig", DateRange, tuple[ListKind, ...], bool], JobWork | None]


class FetchController(FeatureController):
    """Runs one fetch at a time (the runner's exclusive lane) and keeps the model fed.

    Signals (besides running / progress / done / failed):
        grew: rows were appended (counts changed).
        fetched: (ConnectionConfig, DateRange, tuple[ClassifiedPage, ...]) after a fetch
            succeeded: the delivery overview and AI refinement start from it.
        retrying: RetryNotice, emitted on the worker thread before a retry's wait (queued to
            this controller, which turns it into a progress line).
        whole_range_fetched: the result of a ``history_work`` job, once its rows are in the
            model (before ``fetched``): the history feature marks 新着 and 再発 from it.
    """

    grew = Signal()
    fetched = Signal(object, object, object)
    retrying = Signal(object)
    whole_range_fetched = Signal(object)

    CANCELLING = texts.CANCELLING

    def __init__(
        self,
        runner: JobRunner,
        model: EntryTableModel,
        *,
        connect: Callable[[], ConnectionConfig],
        classify: ClassifyFunction,
        history_work: HistoryWork | None = None,
        read_ahead: Callable[[], ReadAhead | None] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(runner, parent)
        self._history_work = history_work
        # What ``connect`` would read slowly (the live key in the OS keyring): read in a job
        # first, so 取得 never blocks the event loop.
        self._read_ahead = read_ahead
        self._model = model
        self._connect = connect
        self._classify = classify
        self._pending: list[ClassifiedPage] = []
        self._flush_timer = QTimer(self)
        self._flush_timer.setSingleShot(True)
        self.retrying.connect(self._on_retrying)
        self._flush_timer.setInterval(PAGE_FLUSH_MS)
        self._flush_timer.timeout.connect(self._flush_pages)
        self._last_progress: FetchProgress | None = None
        self._pages: list[ClassifiedPage] = []  # for the delivery breakdown and the AI
        # What the rows in the grid came from (kept after the fetch, for exports).
        self.fetched_range: DateRange | None = None
        self.fetched_lists: tuple[ListKind, ...] = ()
        self.last_connection: ConnectionConfig | None = None
        # Set when the fetch stopped before its end (cancelled, or an error): the rows shown
        # are part of fetched_range and fetched_lists only, and an export must say so.
        self.incomplete: IncompleteFetch | None = None

    def start(
        self, date_range: DateRange, lists: tuple[ListKind, ...], *, full: bool = False
    ) -> bool:
        """Fetch ``lists`` over ``date_range``; through history when the window has one
        (incremental where it covers the range, unless ``full``: 全件再取得)."""
        if self.runner.exclusive_busy:
            return False
        try:
            date_range = validate_range(date_range, today_jst())
        except TodokuError as error:
            self.failed.emit(error)
            return False
        ahead = self._read_ahead() if self._read_ahead is not None else None
        return self.read_first(
            "fetch",
            ahead,
            lambda using: self._start(date_range, lists, full, using),
            texts.READING_KEY,
        )

    def read_cancelled(self) -> None:
        self.done.emit(texts.FETCH_CANCELLED.format(entries=self._model.total))

    def _start(
        self,
        date_range: DateRange,
        lists: tuple[ListKind, ...],
        full: bool,
        using: AbstractContextManager[None],
    ) -> bool:
        from app.core.services import fetch_and_classify, provider_factory

        try:
            with using:
                config = self._connect()
        except TodokuError as error:
            self.failed.emit(error)
            return False
        self._pending.clear()
        self._pages = []
        self._last_progress = None
        self._model.clear()
        self.fetched_range, self.fetched_lists = date_range, tuple(lists)
        self.last_connection = config
        self.incomplete = None
        work = None
        if self._history_work is not None:
            work = self._history_work(config, date_range, tuple(lists), full)
        if work is None:
            work = functools.partial(
                fetch_and_classify,
                provider_factory(config),
                date_range,
                lists,
                self._classify,
                on_retry=self.retrying.emit,
            )
        log.info(
            "fetch %s..%s lists=%s practice=%s full=%s",
            date_range.start,
            date_range.end,
            ",".join(lists),
            config.practice,
            full,
        )
        return self.run("fetch", work, texts.FETCHING.format(entries=0, pages=0))

    def stop_timers(self) -> None:
        self._flush_timer.stop()

    @Slot(object)
    def on_progress(self, progress: Any) -> None:
        if isinstance(progress, FetchProgress):
            self._last_progress = progress
        if self.job is not None and self.job.cancel.cancelled:
            return
        progress = self._last_progress
        entries = max(self._model.total, progress.entries_so_far if progress else 0)
        pages = progress.pages_done if progress else 0
        self.progress.emit(texts.FETCHING.format(entries=entries, pages=pages))

    @Slot(object)
    def _on_retrying(self, notice: RetryNotice) -> None:
        """Say that the app is retrying, how often and when, instead of a line that stands
        still; the error follows when the retries are used up."""
        if self.job is None or self.job.cancel.cancelled:
            return
        provider = self._provider_words()
        if notice.cause is RetryCause.RATE_LIMIT:
            line = texts.FETCH_RATE_LIMITED.format(provider=provider, attempt=notice.attempt)
        else:
            line = texts.FETCH_RETRYING.format(
                cause=texts.RETRY_CAUSES.get(notice.cause.value, "").format(provider=provider),
                attempt=notice.attempt,
                max=notice.max_retries,
                seconds=max(1, round(notice.delay_s)),
            )
        self.progress.emit(line)

    def _provider_words(self) -> str:
        """The fetching account's service, to start a sentence with: a CMC, Infobip or SES
        account retries against its own service, not SendGrid."""
        from app.core.accounts import ProviderName, between_words_ja

        config = self.last_connection
        account = config.account if config is not None else None
        provider = account.provider if account is not None else ProviderName.SENDGRID
        return between_words_ja(provider.label_ja).lstrip()

    @Slot(object)
    def on_page(self, page: ClassifiedPage) -> None:
        self._pending.append(page)
        if not self._flush_timer.isActive():
            self._flush_timer.start()

    @Slot()
    def _flush_pages(self) -> None:
        if not self._pending:
            return
        pages, self._pending = self._pending, []
        self._pages.extend(pages)
        entries = [entry for page in pages for entry in page.entries]
        explanations = [explanation for page in pages for explanation in page.explanations]
        self._model.append(entries, explanations)
        self.grew.emit()

    def _too_late(self) -> str:
        """Said before the summary when キャンセル came after the fetch had finished."""
        cancelled = self.job is not None and self.job.cancel.cancelled
        return texts.FETCH_CANCEL_TOO_LATE if cancelled else ""

    @Slot(object)
    def on_succeeded(self, outcome: FetchOutcome) -> None:
        from app.core.services import ClassifiedPage, FetchOutcome

        if not isinstance(outcome, FetchOutcome):  # a history_work result: the whole range
            # Rows ticked while the pages streamed in are ticked again in the whole range
            # (by list and address: the row numbers change with the refill).
            ticked = self._model.checked_keys()
            self._pending.clear()
            self._model.clear()
            # Rows history held stay stored tuples in the grid (decoded when shown); the
            # delivery breakdown and the AI read the same sequence in their jobs.
            self._model.append(outcome.entries, outcome.explanations)
            if ticked:
                self._model.check_keys(ticked)
            self._pages = [ClassifiedPage(outcome.entries, tuple(outcome.explanations))]
            self.grew.emit()
            self.whole_range_fetched.emit(outcome)
            self.done.emit(self._too_late() + outcome.summary_ja + _notes_line(outcome.fetch.notes))
            if self.last_connection is not None and self.fetched_range is not None:
                self.fetched.emit(self.last_connection, self.fetched_range, tuple(self._pages))
            return
        self._flush_pages()
        if self._model.total != len(outcome.result.entries):
            log.warning(
                "streamed %d rows but the fetch returned %d",
                self._model.total,
                len(outcome.result.entries),
            )
        self.done.emit(
            self._too_late()
            + texts.FETCH_DONE.format(entries=self._model.total)
            + _notes_line(outcome.result.notes)
        )
        if self.last_connection is not None and self.fetched_range is not None:
            self.fetched.emit(self.last_connection, self.fetched_range, tuple(self._pages))

    @Slot(object)
    def on_failed(self, error: TodokuError) -> None:
        self._flush_pages()
        self.incomplete = IncompleteFetch(
            cancelled=isinstance(error, CancelledError),
            error_ja="" if isinstance(error, CancelledError) else error.message_ja,
        )
        if isinstance(error, CancelledError):
            self.done.emit(texts.FETCH_CANCELLED.format(entries=self._model.total))
            return
        log.warning("fetch failed: %s: %s", type(error).__name__, error.message_ja)
        connection = self.last_connection
        if isinstance(error, NetworkError) and connection is not None and connection.practice:
            # Not the internet: the practice server on this PC stopped answering.
            error = TodokuError(
                texts.PRACTICE_SERVER_UNREACHABLE,
                next_step_ja=texts.PRACTICE_SERVER_UNREACHABLE_NEXT,
                detail=error.detail,
            )
        super().on_failed(error)

    def on_finished(self) -> None:
        self._flush_timer.stop()
        self._flush_pages()
        self._model.resort()


def _notes_line(notes: tuple[str, ...]) -> str:
    """The provider's notes (a list re-read because it changed, paging stopped because the
    server repeated a page): the operator must know the grid may be incomplete."""
    return texts.FETCH_NOTES.format(notes=" ".join(notes)) if notes else ""
