"""MainController: app state (settings, keys), the shared JobRunner, and the fetch stream."""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal, Slot
from PySide6.QtWidgets import QWidget

from app.core.dates import today_jst, validate_range
from app.core.errors import CancelledError, TodokuError
from app.core.storage.secrets import LLM_KEY, SENDGRID_KEY, SecretStore
from app.core.storage.settings import AppSettings, SettingsStore
from app.core.types import DateRange, Explanation, ListKind, SuppressionEntry
from app.ui import texts
from app.ui.connection.controller import (
    ConnectionController,
    SandboxFactory,
    SandboxHandle,
    practice_sandbox,
)
from app.ui.controller_parts import ControllerParts
from app.ui.models.entry_table import EntryTableModel

if TYPE_CHECKING:
    from app.core.classify import ClassifyFunction
    from app.core.services import ClassifiedPage, ConnectionConfig, FetchOutcome
    from app.core.storage.journal import DeletionJournal
    from app.core.types import FetchProgress
    from app.ui.ai.controller import LlmController, LlmSandboxFactory
    from app.ui.delete.controller import (
        ConfirmFunction,
        DeletionController,
        HistoryRunner,
        ResultRunner,
    )
    from app.ui.delivery.controller import DeliveryController
    from app.ui.export.controller import ExportController, ExportDialogRunner
    from app.ui.workers import Job, JobRunner

log = logging.getLogger(__name__)

PAGE_FLUSH_MS = 50  # pages arriving faster than ~20/s are inserted together


class MainController(QObject):
    """Turns the window's intents into jobs and keeps the model fed.

    Signals:
        mode_changed: bool, True in practice mode.
        fetch_running: bool.
        fetch_progress: str, Japanese progress line.
        fetch_done: str, Japanese summary (success or cancel).
        error_raised: TodokuError to show in the status panel.
        model_grew: rows were appended (counts changed).
        rows_deleted: int, rows of deleted addresses left the grid (counts changed).
        connection_tested: tuple[ListPermissions, ...] or TodokuError.
        key_loaded: the saved SendGrid key was read (``masked_key`` is up to date).

    Practice/live mode and the connection settings live in ``self.connection``
    (ConnectionController; its signals are repeated here), deletion in ``self.deletion``
    (DeletionController), the delivery overview's jobs in ``self.delivery``
    (DeliveryController), Excel/CSV export in ``self.export`` (ExportController) and AI
    refinement in ``self.llm`` (LlmController); all share this controller's JobRunner. Those
    four are built on first use (``self.parts``, ControllerParts).
    """

    mode_changed = Signal(bool)
    fetch_running = Signal(bool)
    fetch_progress = Signal(str)
    fetch_done = Signal(str)
    error_raised = Signal(object)
    model_grew = Signal()
    rows_deleted = Signal(int)
    connection_tested = Signal(object)
    key_loaded = Signal()

    def __init__(
        self,
        *,
        settings_store: SettingsStore,
        secrets: SecretStore,
        classify: ClassifyFunction,
        sandbox_factory: SandboxFactory = practice_sandbox,
        live_base_url: str | None = None,
        max_retries: int = 5,
        journal: DeletionJournal | None = None,
        journal_path: Path | None = None,
        confirm: ConfirmFunction | None = None,
        show_delete_result: ResultRunner | None = None,
        run_history_dialog: HistoryRunner | None = None,
        run_export_dialog: ExportDialogRunner | None = None,
        llm_sandbox_factory: LlmSandboxFactory | None = None,
        data_dir: Path | None = None,
        parent: QObject | None = None,
    ) -> None:
        """``journal``: an open deletion journal; or ``journal_path``: the file to open after
        the first paint (``deletion.open_journal``); neither: deleting is unavailable. The
        dialog runners and the LLM sandbox factory default to the real ones (tests pass
        their own)."""
        super().__init__(parent)
        self.settings_store = settings_store
        self.secrets = secrets
        self.settings: AppSettings = settings_store.load()
        self.classify = classify
        self.model = EntryTableModel(self)
        self._runner: JobRunner | None = None  # built with the first job
        self.connection = ConnectionController(
            self,
            sandbox_factory=sandbox_factory,
            live_base_url=live_base_url,
            max_retries=max_retries,
        )
        self.connection.mode_changed.connect(self.mode_changed)
        self.connection.key_loaded.connect(self.key_loaded)
        self.connection.connection_tested.connect(self.connection_tested)
        self._pending: list[ClassifiedPage] = []
        self._flush_timer = QTimer(self)
        self._flush_timer.setSingleShot(True)
        self._flush_timer.setInterval(PAGE_FLUSH_MS)
        self._flush_timer.timeout.connect(self._flush_pages)
        self._fetch_job: Job | None = None
        self._fetch_range: DateRange | None = None
        self._fetch_config: ConnectionConfig | None = None
        # What the rows in the grid came from (kept after the fetch, for exports).
        self.fetched_range: DateRange | None = None
        self.fetched_lists: tuple[ListKind, ...] = ()
        self.last_connection: ConnectionConfig | None = None
        self._fetched_pages: list[ClassifiedPage] = []  # for the delivery breakdown
        self._last_progress: FetchProgress | None = None
        self.parts = ControllerParts(
            self,
            data_dir=settings_store.path.parent if data_dir is None else data_dir,
            journal=journal,
            journal_path=journal_path,
            confirm=confirm,
            show_delete_result=show_delete_result,
            run_history_dialog=run_history_dialog,
            run_export_dialog=run_export_dialog,
            llm_sandbox_factory=llm_sandbox_factory,
        )

    # -- the job runner and the parts, built on first use --------------------------------

    @property
    def runner(self) -> JobRunner:
        """The shared pool every job runs on (built on first use: none runs at start-up)."""
        if self._runner is None:
            from app.ui.workers import JobRunner

            self._runner = JobRunner(self)
        return self._runner

    # Deletion, the delivery overview, export and AI refinement: see ControllerParts.

    @property
    def deletion(self) -> DeletionController:
        return self.parts.deletion

    @property
    def delivery(self) -> DeliveryController:
        return self.parts.delivery

    @property
    def export(self) -> ExportController:
        return self.parts.export

    @property
    def llm(self) -> LlmController:
        return self.parts.llm

    def _cancel_built(self, *names: str) -> None:
        for name in names:
            part = self.parts.built(name)
            if part is not None:  # never built: nothing of it runs
                part.cancel()

    # -- mode (ConnectionController) -----------------------------------------------------

    @property
    def practice(self) -> bool:
        return self.connection.practice

    @property
    def masked_key(self) -> str:
        """ "••••abcd" once the live key has been read ("" before)."""
        return self.connection.masked_key

    @property
    def sandbox(self) -> SandboxHandle | None:
        """The practice sandbox, once a practice job needed it."""
        return self.connection.sandbox

    @sandbox.setter
    def sandbox(self, sandbox: SandboxHandle | None) -> None:
        self.connection.sandbox = sandbox

    def has_live_key(self) -> bool:
        return self.connection.has_live_key()

    def load_key_later(self) -> None:
        self.connection.load_key_later()

    def set_practice(self, practice: bool) -> bool:
        """Switch modes explicitly; live needs a saved key. Returns whether the switch happened."""
        return self.connection.set_practice(practice)

    def connection_config(self) -> ConnectionConfig:
        return self.connection.config()

    def test_connection(self, typed_key: str, region: str, subuser: str) -> None:
        self.connection.test(typed_key, region, subuser)

    # -- fetch ---------------------------------------------------------------------------

    def fetch_is_running(self) -> bool:
        return self._fetch_job is not None

    def is_busy(self) -> bool:
        """A fetch, an export or a delete/retry/reconcile runs: the other actions wait (one at
        a time). AI refinement does not count: it runs beside them and a new fetch stops it."""
        built = self.parts.built
        deletion, export = built("deletion"), built("export")  # one not built yet is idle
        return (
            self._fetch_job is not None
            or (deletion is not None and deletion.is_running())
            or (export is not None and export.is_running())
        )

    def cancel_running(self) -> None:
        """キャンセル: stops the fetch, the export or the deletion that is running."""
        self.cancel_fetch()
        self._cancel_built("export", "deletion")

    def start_fetch(self, date_range: DateRange, lists: tuple[ListKind, ...]) -> bool:
        from app.core.services import fetch_and_classify, sendgrid_factory
        from app.ui.workers import Job

        if self.is_busy():
            return False
        try:
            date_range = validate_range(date_range, today_jst())
            config = self.connection_config()
        except TodokuError as error:
            self.error_raised.emit(error)
            return False
        self._pending.clear()
        self._fetched_pages = []
        self._fetch_range = date_range
        self._fetch_config = config
        self._last_progress = None
        self._cancel_built("delivery", "llm")
        self.model.clear()
        self.fetched_range, self.fetched_lists = date_range, tuple(lists)
        self.last_connection = config
        work = functools.partial(
            fetch_and_classify, sendgrid_factory(config), date_range, lists, self.classify
        )
        job = Job("fetch", work)
        job.signals.progress.connect(self._on_fetch_progress)
        job.signals.page.connect(self._on_fetch_page)
        job.signals.succeeded.connect(self._on_fetch_succeeded)
        job.signals.failed.connect(self._on_fetch_failed)
        job.signals.finished.connect(self._on_fetch_finished)
        self._fetch_job = job
        log.info(
            "fetch %s..%s lists=%s practice=%s",
            date_range.start,
            date_range.end,
            ",".join(lists),
            config.practice,
        )
        self.runner.start(job)
        self.fetch_running.emit(True)
        self.fetch_progress.emit(texts.FETCHING.format(entries=0, pages=0))
        return True

    def cancel_fetch(self) -> None:
        if self._fetch_job is not None:
            self._fetch_job.cancel.cancel()
            self.fetch_progress.emit(texts.CANCELLING)

    @Slot(object)
    def _on_fetch_progress(self, progress: Any) -> None:
        from app.core.types import FetchProgress  # loaded already: a fetch is running

        if isinstance(progress, FetchProgress):
            self._last_progress = progress
        if self._fetch_job is not None and self._fetch_job.cancel.cancelled:
            return
        self.fetch_progress.emit(self._progress_text())

    def _progress_text(self) -> str:
        progress = self._last_progress
        entries = max(self.model.total, progress.entries_so_far if progress else 0)
        pages = progress.pages_done if progress else 0
        return texts.FETCHING.format(entries=entries, pages=pages)

    @Slot(object)
    def _on_fetch_page(self, page: ClassifiedPage) -> None:
        self._pending.append(page)
        if not self._flush_timer.isActive():
            self._flush_timer.start()

    @Slot()
    def _flush_pages(self) -> None:
        if not self._pending:
            return
        pages, self._pending = self._pending, []
        self._fetched_pages.extend(pages)
        entries = [entry for page in pages for entry in page.entries]
        explanations = [explanation for page in pages for explanation in page.explanations]
        self.model.append(entries, explanations)
        self.model_grew.emit()

    @Slot(object)
    def _on_fetch_succeeded(self, outcome: FetchOutcome) -> None:
        self._flush_pages()
        if self.model.total != len(outcome.result.entries):
            log.warning(
                "streamed %d rows but the fetch returned %d",
                self.model.total,
                len(outcome.result.entries),
            )
        self.fetch_done.emit(texts.FETCH_DONE.format(entries=self.model.total))
        if self._fetch_config is not None and self._fetch_range is not None:
            # Same range and account as the fetch; each job builds its own client.
            self.delivery.refresh(self._fetch_config, self._fetch_range, self._fetched_pages)
            # Optional AI refinement of the explanations (only if the operator enabled it).
            self.llm.start(tuple(self._fetched_pages), self._fetch_config.practice)

    @Slot(object)
    def _on_fetch_failed(self, error: TodokuError) -> None:
        self._flush_pages()
        if isinstance(error, CancelledError):
            self.fetch_done.emit(texts.FETCH_CANCELLED.format(entries=self.model.total))
            return
        log.warning("fetch failed: %s: %s", type(error).__name__, error.message_ja)
        self.fetch_done.emit("")
        self.error_raised.emit(error)

    @Slot()
    def _on_fetch_finished(self) -> None:
        self._flush_timer.stop()
        self._flush_pages()
        self._fetch_job = None
        self.model.resort()
        self.fetch_running.emit(False)

    # -- deletion ------------------------------------------------------------------------

    def start_delete(
        self,
        items: Iterable[tuple[SuppressionEntry, Explanation | None]] | None = None,
        parent: QWidget | None = None,
    ) -> bool:
        """Confirm and delete ``items`` ((entry, explanation) pairs; default: the checked rows)."""
        chosen = self.model.checked_items() if items is None else items
        return self.deletion.start(chosen, parent)

    def remove_rows(self, keys: list[tuple[ListKind, str]]) -> None:
        """Rows whose addresses are off their list now (deleted, or already gone)."""
        removed = self.model.remove_entries(keys)
        log.info("removed %d deleted rows from the grid", removed)
        self.rows_deleted.emit(removed)

    def set_delivery_threshold(self, threshold: float) -> None:
        if threshold != self.settings.delivery_threshold:
            self.store_settings(self.settings.replace(delivery_threshold=threshold))

    # -- settings and keys ---------------------------------------------------------------

    def save_settings(
        self, settings: AppSettings, sendgrid_key: str | None, llm_key: str | None
    ) -> None:
        """Store what the settings dialog returned (keys: None = unchanged, "" = remove)."""
        if sendgrid_key is not None:
            self.secrets.set(SENDGRID_KEY, sendgrid_key)
            self.connection.key_saved(sendgrid_key)
        if llm_key is not None:
            self.secrets.set(LLM_KEY, llm_key)
        self.store_settings(settings)
        if sendgrid_key == "" and not self.practice:
            self.set_practice(True)

    def store_settings(self, settings: AppSettings) -> None:
        """Make ``settings`` current and write them; a write failure is shown, not raised."""
        self.settings = settings
        try:
            self.settings_store.save(settings)
        except OSError as error:
            self.error_raised.emit(
                TodokuError(
                    "設定を保存できませんでした。",
                    next_step_ja="保存先のフォルダーの空き容量や権限を確認してください。",
                    detail=f"{type(error).__name__}: {error}",
                )
            )

    # -- shutdown ------------------------------------------------------------------------

    def shutdown(self, timeout_ms: int = 5000) -> bool:
        """Cancel every job, wait (bounded) for the pool, stop the sandbox."""
        self._flush_timer.stop()
        deletion, llm = self.parts.built("deletion"), self.parts.built("llm")
        if deletion is not None:
            deletion.closing()
        if llm is not None:
            llm.cancel()
        idle = self._runner.shutdown(timeout_ms) if self._runner is not None else True
        if llm is not None:
            llm.shutdown()
        self.connection.stop_sandbox()
        return idle

    def close_storage(self) -> None:
        """At exit, after ``shutdown``: close the deletion journal (if it was opened)."""
        deletion = self.parts.built("deletion")
        journal = deletion.journal if deletion is not None else None
        if journal is not None:
            journal.close()
