"""MainController: app state (practice/live, settings, keys), jobs, and the fetch stream."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterable
from datetime import timedelta
from pathlib import Path
from typing import Any, Protocol

from PySide6.QtCore import QObject, QTimer, Signal, Slot
from PySide6.QtWidgets import QWidget

from app.core.dates import today_jst, unix_bounds, validate_range
from app.core.errors import CancelledError, InvalidInputError, TodokuError, UnexpectedError
from app.core.services import (
    ClassifiedPage,
    ClassifyFunction,
    ConnectionConfig,
    FetchOutcome,
    check_permissions,
    fetch_and_classify,
    sendgrid_factory,
)
from app.core.storage.journal import DeletionJournal
from app.core.storage.secrets import LLM_KEY, SENDGRID_KEY, SecretStore, mask_secret
from app.core.storage.settings import AppSettings, SettingsStore
from app.core.types import (
    DateRange,
    Explanation,
    FetchProgress,
    ListKind,
    ListPermissions,
    SuppressionEntry,
)
from app.ui import texts
from app.ui.deletion_controller import (
    ConfirmFunction,
    DeletionController,
    HistoryRunner,
    ResultRunner,
    ask_confirmation,
    exec_history_dialog,
    show_result_dialog,
)
from app.ui.delivery_controller import DeliveryController
from app.ui.export_controller import ExportController, ExportDialogRunner, exec_export_dialog
from app.ui.llm_controller import CACHE_FILE, LlmController, LlmSandboxFactory, practice_llm_sandbox
from app.ui.models.entry_table import EntryTableModel
from app.ui.workers import Job, JobRunner

log = logging.getLogger(__name__)

PAGE_FLUSH_MS = 50  # pages arriving faster than ~20/s are inserted together
PRACTICE_ENTRIES = 3000
PRACTICE_DAYS = 60


class SandboxHandle(Protocol):
    def start(self) -> str: ...

    def stop(self) -> None: ...


SandboxFactory = Callable[[], SandboxHandle]


PRACTICE_INCIDENT_DAYS_AGO = 3  # practice data shows what a bad delivery day looks like


def practice_sandbox() -> SandboxHandle:
    """The built-in SendGrid imitation with ~60 days of generated data (imported lazily).

    It runs as a child process where possible: in the app's process its HTTP threads and
    records would compete with the GUI thread for the GIL and the garbage collector.
    """
    from app.sandbox.sendgrid_server import SANDBOX_API_KEY
    from app.ui.practice_server import ChildSandbox, cli_command

    if cli_command() is not None:
        return ChildSandbox(
            entries=PRACTICE_ENTRIES,
            seed=20240601,
            api_key=SANDBOX_API_KEY,
            incident_days_ago=PRACTICE_INCIDENT_DAYS_AGO,
        )
    # A frozen build has no interpreter to run `-m app.cli` with: serve in-process instead.
    from app.sandbox.scenarios import generate_records
    from app.sandbox.sendgrid_server import SendGridSandbox

    today = today_jst()
    start, _ = unix_bounds(DateRange(today - timedelta(days=PRACTICE_DAYS), today))
    _, end = unix_bounds(DateRange(today, today))
    records = generate_records(PRACTICE_ENTRIES, seed=20240601, start=start, end=end)
    sandbox = SendGridSandbox(records=records, api_keys={SANDBOX_API_KEY: None})
    sandbox.set_bad_day(today - timedelta(days=PRACTICE_INCIDENT_DAYS_AGO), delivered_ratio=0.88)
    return sandbox


def _sandbox_key() -> str:
    from app.sandbox.sendgrid_server import SANDBOX_API_KEY

    return SANDBOX_API_KEY


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

    Deletion lives in ``self.deletion`` (DeletionController), the delivery overview's jobs in
    ``self.delivery`` (DeliveryController), Excel/CSV export in ``self.export``
    (ExportController) and AI refinement in ``self.llm`` (LlmController); all share this
    controller's JobRunner.
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
        confirm: ConfirmFunction = ask_confirmation,
        show_delete_result: ResultRunner = show_result_dialog,
        run_history_dialog: HistoryRunner = exec_history_dialog,
        run_export_dialog: ExportDialogRunner = exec_export_dialog,
        llm_sandbox_factory: LlmSandboxFactory = practice_llm_sandbox,
        data_dir: Path | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.settings_store = settings_store
        self.secrets = secrets
        self.settings: AppSettings = settings_store.load()
        self.classify = classify
        self.model = EntryTableModel(self)
        self.runner = JobRunner(self)
        self._sandbox_factory = sandbox_factory
        self._live_base_url = live_base_url  # tests point "live" at a loopback sandbox
        self._max_retries = max_retries  # tests shorten the back-off sequence
        self.sandbox: SandboxHandle | None = None
        self._sandbox_url = ""
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
        self.deletion = DeletionController(
            self,
            journal,
            confirm=confirm,
            show_result=show_delete_result,
            run_history=run_history_dialog,
        )
        self.delivery = DeliveryController(self.runner, self)
        self.export = ExportController(self, run_dialog=run_export_dialog)
        data_dir = settings_store.path.parent if data_dir is None else data_dir
        self.llm = LlmController(
            self, cache_path=data_dir / CACHE_FILE, sandbox_factory=llm_sandbox_factory
        )
        # The mode comes from the settings file alone: reading the key would probe the OS
        # keyring (80–100 ms) before the first paint. practice_mode is False only after a switch
        # to live that found a key; a key removed since is reported at the next live fetch.
        self.practice = self.settings.practice_mode
        self.masked_key = ""  # "••••abcd" once the live key has been read

    # -- mode ----------------------------------------------------------------------------

    def has_live_key(self) -> bool:
        return bool(self._read_live_key())

    def _read_live_key(self) -> str:
        key = self.secrets.get(SENDGRID_KEY)
        self.masked_key = mask_secret(key)
        return key

    def load_key_later(self) -> None:
        """In live mode, read the saved key in a job (for the masked key in the title).

        Called after the first paint: the first keyring access may take 100 ms.
        """
        if self.practice or self.masked_key:
            return
        job = Job("key", lambda **_: self._read_live_key())
        job.signals.succeeded.connect(self._on_key_job_succeeded)
        self.runner.start(job)

    @Slot(object)
    def _on_key_job_succeeded(self, _: object) -> None:
        self.key_loaded.emit()

    def set_practice(self, practice: bool) -> bool:
        """Switch modes explicitly; live needs a saved key. Returns whether the switch happened."""
        if self.is_busy():
            return False
        if not practice and not self.has_live_key():
            self.error_raised.emit(
                InvalidInputError(texts.LIVE_NEEDS_KEY, next_step_ja=texts.LIVE_NEEDS_KEY)
            )
            return False
        if practice != self.practice:
            self.practice = practice
            self.model.clear()
            self._save_settings(self.settings.replace(practice_mode=practice))
            self.mode_changed.emit(practice)
        return True

    def connection_config(self) -> ConnectionConfig:
        if self.practice:
            return ConnectionConfig(
                api_key=_sandbox_key(),
                base_url=self._ensure_sandbox(),
                practice=True,
                timeout_s=10.0,
                max_retries=self._max_retries,
            )
        api_key = self._read_live_key()
        if not api_key:  # removed from the keyring since live mode was chosen
            self.practice = True
            self._save_settings(self.settings.replace(practice_mode=True))
            self.mode_changed.emit(True)
            raise InvalidInputError(texts.LIVE_NEEDS_KEY, next_step_ja=texts.LIVE_NEEDS_KEY)
        return self._live_config(api_key)

    def _live_config(
        self, api_key: str, region: str | None = None, subuser: str | None = None
    ) -> ConnectionConfig:
        return ConnectionConfig(
            api_key=api_key,
            region=region or self.settings.region,
            subuser=self.settings.subuser if subuser is None else subuser.strip(),
            base_url=self._live_base_url,
            timeout_s=self.settings.timeout_s,
            max_concurrency=self.settings.max_concurrency,
            max_retries=self._max_retries,
        )

    def _ensure_sandbox(self) -> str:
        if self.sandbox is None:
            try:
                sandbox = self._sandbox_factory()
                self._sandbox_url = sandbox.start()
            except Exception as error:
                raise TodokuError(
                    texts.SANDBOX_START_FAILED, detail=UnexpectedError.from_exception(error).detail
                ) from error
            self.sandbox = sandbox
            log.info("practice sandbox listening on %s", self._sandbox_url)
        return self._sandbox_url

    # -- fetch ---------------------------------------------------------------------------

    def fetch_is_running(self) -> bool:
        return self._fetch_job is not None

    def is_busy(self) -> bool:
        """A fetch, an export or a delete/retry/reconcile runs: the other actions wait (one at
        a time). AI refinement does not count: it runs beside them and a new fetch stops it."""
        return self._fetch_job is not None or self.deletion.is_running() or self.export.is_running()

    def cancel_running(self) -> None:
        """キャンセル: stops the fetch, the export or the deletion that is running."""
        self.cancel_fetch()
        self.export.cancel()
        self.deletion.cancel()

    def start_fetch(self, date_range: DateRange, lists: tuple[ListKind, ...]) -> bool:
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
        self.delivery.cancel()
        self.llm.cancel()
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
            self._save_settings(self.settings.replace(delivery_threshold=threshold))

    # -- settings and keys ---------------------------------------------------------------

    def save_settings(
        self, settings: AppSettings, sendgrid_key: str | None, llm_key: str | None
    ) -> None:
        """Store what the settings dialog returned (keys: None = unchanged, "" = remove)."""
        if sendgrid_key is not None:
            self.secrets.set(SENDGRID_KEY, sendgrid_key)
            self.masked_key = mask_secret(sendgrid_key)
        if llm_key is not None:
            self.secrets.set(LLM_KEY, llm_key)
        self._save_settings(settings)
        if sendgrid_key == "" and not self.practice:
            self.set_practice(True)

    def _save_settings(self, settings: AppSettings) -> None:
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

    def test_connection(self, typed_key: str, region: str, subuser: str) -> None:
        """Ask /v3/scopes with the typed key (or the saved one) in a job; reports through
        ``connection_tested``."""
        api_key = typed_key.strip() or self.secrets.get(SENDGRID_KEY)
        config = self._live_config(api_key, region, subuser)
        job = Job("connection_test", functools.partial(check_permissions, sendgrid_factory(config)))
        job.signals.succeeded.connect(self._on_test_succeeded)
        job.signals.failed.connect(self._on_test_failed)
        self.runner.start(job)

    @Slot(object)
    def _on_test_succeeded(self, permissions: tuple[ListPermissions, ...]) -> None:
        self.connection_tested.emit(permissions)

    @Slot(object)
    def _on_test_failed(self, error: TodokuError) -> None:
        self.connection_tested.emit(error)

    # -- shutdown ------------------------------------------------------------------------

    def shutdown(self, timeout_ms: int = 5000) -> bool:
        """Cancel every job, wait (bounded) for the pool, stop the sandbox."""
        self._flush_timer.stop()
        self.deletion.closing()
        self.llm.cancel()
        idle = self.runner.shutdown(timeout_ms)
        self.llm.shutdown()
        if self.sandbox is not None:
            try:
                self.sandbox.stop()
            except Exception:  # closing anyway; note it for support
                log.exception("sandbox did not stop cleanly")
            self.sandbox = None
        return idle

    def close_storage(self) -> None:
        """At exit, after ``shutdown``: close the deletion journal."""
        journal = self.deletion.journal
        if journal is not None:
            journal.close()
