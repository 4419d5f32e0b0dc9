"""HistoryController: fetch through history, marks in the grid, 再発 for the delete confirmation,
推移 tables, the monthly report and 「このアドレスの記録を消す」, each as a job."""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import logging
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal, Slot

from app.core.errors import CancelledError, TodokuError
from app.core.types import DateRange, ListKind
from app.ui.feature import FeatureController
from app.ui.history import texts
from app.ui.history.session import HistorySession, account_for
from app.ui.models.entry_table import EntryTableModel
from app.ui.workers import JobRunner, JobWork, ReadAhead

if TYPE_CHECKING:
    from app.core.classify import ClassifyFunction
    from app.core.history.report import MonthlyReport
    from app.core.services import ConnectionConfig
    from app.core.storage.history import AccountKey, Recurrence, TrendBucket
    from app.core.storage.journal_store import JournalStore
    from app.ui.history.fetch_work import HistoryFetchResult

log = logging.getLogger(__name__)


class HistoryController(FeatureController):
    """The window's history (opened lazily by the first job that needs it).

    Signals (besides running / progress / done / failed):
        notice: TodokuError, history trouble to show in the status panel (the fetched rows
            stay in the window).
        gone_changed: tuple[GoneRow, ...], 他所で削除 rows of the fetched range.
        trends_ready: TrendData for the 推移 tab.
        trends_cancelled: the 推移 tables asked for will not come (their job, or the request
            waiting for another job of this feature, was cancelled).
        report_ready: MonthlyReport for the report dialog's preview.
        report_saved: tuple[Path, ...], the files written.
        erased: (email, ErasedCounts) after 「このアドレスの記録を消す」.
    """

    notice = Signal(object)
    gone_changed = Signal(object)
    trends_ready = Signal(object)
    trends_cancelled = Signal()
    report_ready = Signal(object)
    report_saved = Signal(object)
    erased = Signal(str, object)

    def __init__(
        self,
        runner: JobRunner,
        model: EntryTableModel,
        *,
        session: HistorySession,
        connect: Callable[[], ConnectionConfig],
        classify: ClassifyFunction,
        retention_days: Callable[[], int],
        journal: Callable[[], JournalStore | None],
        cache_path: Path | None = None,
        read_ahead: Callable[[], ReadAhead | None] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(runner, parent)
        self.session = session
        # What ``connect`` would read slowly (the live key): read by a job of this feature
        # first, so 推移 and the monthly report never hold the event loop on the keyring.
        self._read_ahead = read_ahead
        self._model = model
        self._connect = connect
        self._classify = classify
        self._retention_days = retention_days
        self._journal = journal
        self._cache_path = cache_path
        self.recurrences: dict[str, Recurrence] = {}
        self.account: AccountKey | None = None  # of the rows in the grid
        self._erasing = ""
        self._reading = ""  # the job a keyring read comes before (read_first)
        # One job of this feature at a time: a request made meanwhile waits for it (the
        # latest one only: an older view or month is no longer wanted), with its job's name.
        self._waiting: tuple[str, Callable[[], bool]] | None = None

    @property
    def enabled(self) -> bool:
        return self.session.enabled

    # -- fetch (the fetch feature runs it; see FetchController.history_work) -----------------

    def fetch_work(
        self,
        config: ConnectionConfig,
        date_range: DateRange,
        lists: tuple[ListKind, ...],
        full: bool,
    ) -> JobWork | None:
        """The fetch job's work through history; None when this window has no history."""
        if not self.session.enabled:
            return None
        from app.core.services import history_connection, provider_factory
        from app.ui.history.fetch_work import fetch_recording_history

        self.recurrences = {}
        # A tail is a page or two: one request at a time sends nothing past its end.
        tail = provider_factory(dataclasses.replace(config, max_concurrency=1))
        return functools.partial(
            fetch_recording_history,
            self.session,
            provider_factory(config),
            tail,
            account_for(config),
            date_range,
            lists,
            self._classify,
            self._journal(),  # the deletion feature opens it in a job; None until then
            full,
            self._retention_days(),
            # Digested on the job's thread (scrypt): another key or 接続先 URL than the
            # account's history was fetched with starts another history.
            connection=functools.partial(history_connection, config),
        )

    @Slot(object)
    def show_fetched(self, result: HistoryFetchResult) -> None:
        """The fetch's rows are in the model: mark them and pass on what history noticed."""
        self.account = result.account
        self.recurrences = dict(result.recurrences)
        self._model.set_marks(result.marks, result.notes)
        self.gone_changed.emit(result.gone)
        for notice in result.notices:
            self.notice.emit(notice)

    def clear(self) -> None:
        """The grid was emptied (another account): nothing of the old rows applies."""
        self.recurrences = {}
        self.account = None
        self.gone_changed.emit(())

    def recurrence_lines(self, emails: list[str]) -> dict[str, list[str]]:
        """For the delete confirmation: address → the 再発 sentence and one line per return."""
        from app.core.history.recurrence import confirm_lines

        found: dict[str, list[str]] = {}
        for email in emails:
            recurrence = self.recurrences.get(email.lower())
            if recurrence is not None and recurrence.count:
                found[email] = confirm_lines(recurrence)
        return found

    # -- jobs of this feature -----------------------------------------------------------------

    def current_account(self) -> AccountKey | None:
        """The account of the rows shown, else of the current connection (None: error shown)."""
        if self.account is not None:
            return self.account
        try:
            return account_for(self._connect())
        except TodokuError as error:
            self.failed.emit(error)
            return None

    def _after_current(self, name: str, request: Callable[[], bool]) -> bool:
        """True when ``request`` (of a job called ``name``) must wait for the job of this
        feature that is running."""
        if self.job is None:
            return False
        replaced, self._waiting = self._waiting, (name, request)
        # A 推移 request replaced by a report's will never fill the tab (a newer 推移 one will).
        if replaced is not None and replaced[0] == "trends" and name != "trends":
            self.trends_cancelled.emit()
        return True

    def _drop_waiting(self) -> None:
        waiting, self._waiting = self._waiting, None
        if waiting is not None and waiting[0] == "trends":
            self.trends_cancelled.emit()

    def after_running(self) -> None:
        waiting, self._waiting = self._waiting, None
        if waiting is not None and not waiting[1]() and waiting[0] == "trends":
            self.trends_cancelled.emit()

    def _connected(self, name: str, then: Callable[[], bool], line: str) -> bool:
        """``then`` (which calls ``connect``) after the keyring reads it needs, made by a job
        of this feature beside a fetch (requests made meanwhile wait for it)."""
        ahead = self._read_ahead() if self._read_ahead is not None else None

        def after_read(using: contextlib.AbstractContextManager[None]) -> bool:
            self._reading = ""
            with using:
                return then()

        if ahead is not None:
            self._reading = name
        return self.read_first(name, ahead, after_read, line, exclusive=False)

    def read_cancelled(self) -> None:
        reading, self._reading = self._reading, ""
        if reading == "trends":
            self.trends_cancelled.emit()
        self.done.emit("")

    def load_trends(self, today: date, months: int, bucket: TrendBucket) -> bool:
        if self._after_current("trends", lambda: self.load_trends(today, months, bucket)):
            return True
        if self.account is None:  # the current connection's account: its keys may be read
            return self._connected(
                "trends", lambda: self._load_trends(today, months, bucket), texts.TRENDS_LOADING
            )
        return self._load_trends(today, months, bucket)

    def _load_trends(self, today: date, months: int, bucket: TrendBucket) -> bool:
        from app.ui.history.jobs import load_trends

        account = self.current_account()
        if account is None:
            return False
        work = functools.partial(load_trends, self.session, account, today, months, bucket)
        return self.run("trends", work, texts.TRENDS_LOADING, exclusive=False)

    def build_report(self, month: date) -> bool:
        if self._after_current("report", lambda: self.build_report(month)):
            return True
        line = texts.REPORT_BUILDING.format(month=f"{month.year}年{month.month}月")
        return self._connected("report", lambda: self._build_report(month), line)

    def _build_report(self, month: date) -> bool:
        from app.ui.history.jobs import build_report

        account = self.current_account()
        if account is None:
            return False
        work = functools.partial(
            build_report,
            self.session,
            account,
            month,
            self._journal(),
            stats=self._stats_source(account),
        )
        line = texts.REPORT_BUILDING.format(month=f"{month.year}年{month.month}月")
        return self.run("report", work, line, exclusive=False)

    def _stats_source(self, account: AccountKey) -> Callable[[], Any] | None:
        """The connected provider for the report's delivery rate: only SendGrid's stats are read
        (as ``todoku-cli report --stats``), and only for the report's own account."""
        try:
            config = self._connect()
        except TodokuError:
            return None  # no connection: the report says how to get the rate
        if config.account is not None and config.account.provider.value != "sendgrid":
            return None
        if account_for(config) != account:
            return None
        from app.core.services import provider_factory

        return provider_factory(config)

    def save_report(self, report: MonthlyReport, xlsx: Path | None, pdf: Path | None) -> bool:
        from app.ui.history.jobs import save_report

        if self._after_current("save-report", lambda: self.save_report(report, xlsx, pdf)):
            return True
        work = functools.partial(save_report, report, xlsx, pdf)
        first = texts.REPORT_SAVING.format(step="")
        return self.run("save-report", work, first, exclusive=False)

    def erase(self, email: str) -> bool:
        """「このアドレスの記録を消す」 (exclusive: no fetch or delete writes meanwhile)."""
        from app.ui.history.jobs import erase_address

        if self.job is not None:
            return False
        work = functools.partial(
            erase_address, self.session, email, self._journal(), self._cache_path
        )
        if not self.run("erase", work, texts.ERASE_RUNNING):
            return False
        self._erasing = email
        return True

    @Slot(object)
    def on_progress(self, progress: Any) -> None:
        if isinstance(progress, str):
            self.progress.emit(progress)

    @Slot(object)
    def on_succeeded(self, result: Any) -> None:
        name = self.job.name if self.job is not None else ""
        if name == "trends":
            self.trends_ready.emit(result)
            self.done.emit("")
        elif name == "report":
            self.report_ready.emit(result)
            self.done.emit("")
        elif name == "save-report":
            self.report_saved.emit(result)
            self.done.emit(texts.REPORT_SAVED.format(files="、".join(p.name for p in result)))
        elif name == "erase":
            email, self._erasing = self._erasing, ""
            self.recurrences.pop(email.lower(), None)
            self.erased.emit(email, result)
            self.done.emit(
                texts.ERASED.format(
                    history=result.history_rows,
                    journal=result.journal_rows_masked,
                    cache=result.cache_rows,
                )
            )

    @Slot(object)
    def on_failed(self, error: TodokuError) -> None:
        if isinstance(error, CancelledError):
            if self.job is not None and self.job.name == "trends":
                self.trends_cancelled.emit()
                self.done.emit("")
            else:
                self.done.emit(texts.REPORT_CANCELLED)
            return
        log.warning("history job failed: %s", error.message_ja)
        super().on_failed(error)

    def cancel(self) -> None:
        self._drop_waiting()
        super().cancel()

    def cancel_erase(self) -> None:
        """キャンセル of the range bar: it stops the job holding the runner's exclusive lane,
        which for this feature is only 「このアドレスの記録を消す」. 推移 and the monthly report
        read history beside a fetch and have their own controls (更新, the report dialog's
        キャンセル): cancelling them with a fetch left 推移 saying it was loading, for good."""
        if self.job is not None and self.job.name == "erase":
            self.cancel()

    def shutdown(self) -> None:
        self.session.close()
