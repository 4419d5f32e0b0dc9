"""DeletionController: confirm → delete with a journal record → drop deleted rows → result/retry;
opening the journal after the first paint, then reconciling unfinished deletions; 削除履歴."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal, Slot
from PySide6.QtWidgets import QWidget

from app.core.errors import TodokuError
from app.core.storage.secrets import mask_secret
from app.core.types import DeleteOutcome, DeleteStatus, Explanation, ListKind, SuppressionEntry
from app.ui import texts
from app.ui.delete import deletion_texts
from app.ui.feature import FeatureController
from app.ui.models.entry_table import EntryTableModel
from app.ui.workers import JobRunner

if TYPE_CHECKING:
    # Imported where used: the deletion use cases and the SQLite journal (~15 ms with their
    # dependencies) are not needed for the first paint.
    from app.core.deletion.plan import DeletionContext, DeletionPlan
    from app.core.deletion.run import DeletionReport
    from app.core.services import ConnectionConfig
    from app.core.storage.journal_records import Operator
    from app.core.storage.journal_store import JournalStore
    from app.ui.delete.history_dialog import HistoryDialog
    from app.ui.delete.history_loading import HistorySnapshot

log = logging.getLogger(__name__)

ROW_REMOVAL_MS = 150  # batches finishing faster than this leave the grid together
# Team mode: how often an unreachable shared store is tried again, and kept rows resent.
SERVER_RETRY_MS = 30_000

# confirm(plan, parent, *, practice) -> note ("" = none) when confirmed, None when cancelled
ConfirmFunction = Callable[..., str | None]
# recurrence_lines(addresses) -> address -> the 再発 sentence and one line per return (history)
RecurrenceLines = Callable[[list[str]], dict[str, list[str]]]
# show_result(report, parent) -> True when the operator asked to retry the failures
ResultRunner = Callable[["DeletionReport", QWidget | None], bool]
# run_history(dialog) -> the dialog's exec() code (HistoryDialog.RETRY to retry)
HistoryRunner = Callable[["HistoryDialog"], int]
# open_store() -> the journal the settings name (SQLite here, or the team's shared store)
StoreOpener = Callable[[], "JournalStore"]
# server_named() -> True when the settings name a shared store (opened off the GUI thread)
ServerNamed = Callable[[], bool]


def ask_confirmation(
    plan: DeletionPlan,
    parent: QWidget | None,
    *,
    practice: bool,
    recurrences: dict[str, list[str]] | None = None,
) -> str | None:
    from app.ui.delete.confirm_delete import ask_delete_confirmation

    return ask_delete_confirmation(plan, parent, practice=practice, recurrences=recurrences)


def show_result_dialog(report: DeletionReport, parent: QWidget | None) -> bool:
    from app.ui.delete.delete_result import DeleteResultDialog

    dialog = DeleteResultDialog(report, parent)
    try:
        return dialog.exec() == DeleteResultDialog.RETRY
    finally:
        dialog.deleteLater()


def exec_history_dialog(dialog: HistoryDialog) -> int:
    return dialog.exec()


class DeletionController(FeatureController):
    """Runs delete, retry and reconcile jobs (in the runner's exclusive lane).

    Signals (besides running / progress / done / failed):
        notice: str, the "前回の削除が途中で終了しました" text after a reconcile.
        available_changed: bool, the journal could not be opened (False).
        rows_removed: int, rows of deleted addresses left the grid (counts changed).
        store_changed: the journal was (re)opened: shared or not, operator, unsent rows.
    """

    notice = Signal(str)
    available_changed = Signal(bool)
    rows_removed = Signal(int)
    store_changed = Signal()

    CANCELLING = texts.DELETE_CANCELLING

    def __init__(
        self,
        runner: JobRunner,
        model: EntryTableModel,
        *,
        connect: Callable[[], ConnectionConfig],
        journal: JournalStore | None = None,
        journal_path: Path | None = None,
        open_store: StoreOpener | None = None,
        server_named: ServerNamed | None = None,
        confirm: ConfirmFunction = ask_confirmation,
        show_result: ResultRunner = show_result_dialog,
        run_history: HistoryRunner = exec_history_dialog,
        recurrence_lines: RecurrenceLines | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(runner, parent)
        self._recurrence_lines = recurrence_lines
        self._model = model
        self._connect = connect
        self.journal: JournalStore | None = journal
        # Opened by ``open_journal`` after the first paint (or on first use), if not given.
        self._journal_path = journal_path if journal is None else None
        # Team mode (docs/team-mode.md): ``open_store`` opens what the settings name, the
        # SQLite file at ``journal_path`` by default; ``reopen`` after the settings change.
        self._open_store = open_store
        self._local_path = self._journal_path
        # A shared store is opened by a job (``_connect_store``): ``connecting`` while it runs;
        # ``unreachable`` the error of the last attempt, retried every SERVER_RETRY_MS.
        self._server_named = server_named
        self.connecting = False
        self.unreachable: TodokuError | None = None
        self._reconcile_when_open = False
        self._reopen_when_connected = False  # the settings changed while connecting
        self._server_timer = QTimer(self)
        self._server_timer.setInterval(SERVER_RETRY_MS)
        self._server_timer.timeout.connect(self._on_server_timer)
        self._jobs: set[Any] = set()  # connect / resend jobs (outside the feature's one job)
        self.operator: Operator | None = None  # who this login is in the shared store
        self.outbox_waiting = 0  # results kept on this PC while the shared store was away
        self._who_runs: dict[int, str] = {}  # unfinished operation → the operator's name
        self._confirm = confirm
        self._show_result = show_result
        self._run_history = run_history
        self._closing = False
        self._parent: QWidget | None = None
        self._report: DeletionReport | None = None
        self._snapshot: HistorySnapshot | None = None  # 削除履歴 read by the job, to show
        self._removed: list[tuple[ListKind, str]] = []
        self._removal_timer = QTimer(self)
        self._removal_timer.setSingleShot(True)
        self._removal_timer.setInterval(ROW_REMOVAL_MS)
        self._removal_timer.timeout.connect(self._flush_removed_rows)

    @property
    def available(self) -> bool:
        """A journal is open, or will be (a journal that failed to open disables deleting)."""
        return self.journal is not None or self._journal_path is not None

    def open_journal(self) -> JournalStore | None:
        """Open the journal file now if it is still pending; None if there is none.

        Opening imports sqlite3 and creates or migrates the file (~8 ms), so start-up calls
        this after the first paint; any use before that opens it here.
        """
        if self.connecting:
            return None  # the job hands the store over when it has connected
        if self._journal_path is not None and self._wants_server():
            self._connect_store()
            return None
        path, self._journal_path = self._journal_path, None
        if path is not None:
            from app.core.storage.journal import DeletionJournal, JournalError

            try:
                if self._open_store is not None:
                    self.journal = self._open_store()
                else:
                    self.journal = DeletionJournal(path)
                self._read_store_state()
            except JournalError as error:  # shown in the window; deleting stays disabled
                log.error("deletion journal unavailable: %s", type(error).__name__)
                if self.journal is not None:
                    self.journal.close()
                    self.journal = None
                self.available_changed.emit(False)
                self.failed.emit(error)
            self.store_changed.emit()
        return self.journal

    def _wants_server(self) -> bool:
        return self._open_store is not None and bool(self._server_named and self._server_named())

    # -- the shared store, off the GUI thread ------------------------------------------------

    def _connect_store(self) -> bool:
        """Open the shared store in a job; the window keeps working and says 接続中…"""
        from app.ui.delete.store_opening import open_store

        opener = self._open_store
        if self.connecting or opener is None or self._closing:
            return False
        work = functools.partial(open_store, opener)
        self._side_job("connect", work, self._on_connected, self._on_connect_failed)
        self.connecting = True
        self._server_timer.start()
        self.store_changed.emit()
        return True

    @Slot(object)
    def _on_connected(self, opened: Any) -> None:
        self.connecting = False
        if self._closing or self._journal_path is None or self._reopen_when_connected:
            opened.journal.close()  # the window is closing, or the settings changed meanwhile
            self._after_stale_connect()
            return
        self._journal_path = None
        self.journal, self.operator = opened.journal, opened.operator
        self.outbox_waiting, self.unreachable = opened.outbox_waiting, None
        log.info("shared journal opened (%d rows waiting on this PC)", self.outbox_waiting)
        self.available_changed.emit(True)
        self.store_changed.emit()
        reconcile, self._reconcile_when_open = self._reconcile_when_open, False
        if reconcile and opened.unfinished:
            self._reconcile(opened.journal, opened.unfinished)

    @Slot(object)
    def _on_connect_failed(self, error: TodokuError) -> None:
        """Deleting stays off (nothing is sent without a claim in the shared store); fetching
        and exports go on; the timer tries again."""
        self.connecting = False
        if self._closing or self._reopen_when_connected:
            self._after_stale_connect()
            return
        log.warning("shared journal unavailable: %s", type(error).__name__)
        from app.core.storage.journal_records import SharedStoreUnavailableError

        if type(error) is SharedStoreUnavailableError and (
            error.next_step_ja == SharedStoreUnavailableError.default_next_step_ja
        ):  # nothing was written yet: say what opening needs, not where unsent rows went
            error = SharedStoreUnavailableError(
                error.message_ja,
                next_step_ja=deletion_texts.CONNECT_FAILED_NEXT,
                detail=error.detail,
            )
        self.unreachable = error
        self.store_changed.emit()
        self.failed.emit(error)

    def _after_stale_connect(self) -> None:
        if self._reopen_when_connected and not self._closing:
            self._reopen_when_connected = False
            self.open_journal()  # what the settings name now
        self.store_changed.emit()

    @Slot()
    def _on_server_timer(self) -> None:
        if self._closing or self.connecting:
            return
        if self.journal is None:
            if self._journal_path is not None and self._wants_server():
                self._connect_store()
            else:
                self._server_timer.stop()
        elif not self.journal.shared:
            self._server_timer.stop()
        elif self.outbox_waiting and not self.runner.exclusive_busy:
            self.resend_kept()

    def resend_kept(self) -> bool:
        """Send the rows kept on this PC in a job (a delete's own writes send them too)."""
        from app.ui.delete.store_opening import resend_kept

        journal = self.journal
        if journal is None or not journal.shared or self.runner.is_running("resend"):
            return False
        work = functools.partial(resend_kept, journal)
        self._side_job("resend", work, self._on_resent, self._on_resend_failed)
        return True

    def cancel(self) -> None:
        job = self.job
        if job is not None and job.name == "history" and not job.cancel.cancelled:
            job.cancel.cancel()  # a read already sent still waits for its answer
            self.progress.emit(deletion_texts.HISTORY_CANCELLING)
            return
        super().cancel()

    def _side_job(
        self,
        name: str,
        work: Any,
        succeeded: Callable[[Any], None],
        failed: Callable[[Any], None],
    ) -> None:
        """A job beside the feature's one (delete/retry/reconcile), outside the exclusive lane:
        it neither shows as running nor blocks a fetch or an export."""
        from app.ui.workers import Job

        job = Job(name, work)
        job.signals.succeeded.connect(succeeded)
        job.signals.failed.connect(failed)
        job.signals.finished.connect(lambda: self._jobs.discard(job))
        self.runner.start(job)
        self._jobs.add(job)

    @Slot(object)
    def _on_resent(self, waiting: int) -> None:
        if waiting != self.outbox_waiting:
            log.info("shared journal: %d kept rows still waiting", waiting)
        self.outbox_waiting = int(waiting)
        self.store_changed.emit()

    @Slot(object)
    def _on_resend_failed(self, error: TodokuError) -> None:
        # Still away: the rows stay kept, the status bar keeps counting them; no new dialog.
        log.info("kept rows not sent yet: %s", type(error).__name__)

    def _read_store_state(self) -> None:
        """Who this operator is in the shared store (閲覧 / 削除可) and what waits to be sent."""
        journal = self.journal
        if journal is None or not journal.shared:
            self.operator, self.outbox_waiting = None, 0
            return
        self.operator = journal.current_operator()
        self._count_outbox()

    def _count_outbox(self) -> None:
        from app.ui.delete.store_opening import outbox_count

        self.outbox_waiting = 0 if self.journal is None else outbox_count(self.journal)
        if self.outbox_waiting and self._wants_server():
            self._server_timer.start()

    @property
    def shared(self) -> bool:
        """The shared store is in use, or being connected to."""
        if self.journal is not None:
            return self.journal.shared
        return self.connecting or self.unreachable is not None

    @property
    def refusal(self) -> str:
        """Why this operator may not delete ("" = may): still connecting to the shared store,
        the shared store unreachable, or a 閲覧 operator of it."""
        if self.journal is None and self.connecting:
            return deletion_texts.CONNECTING_WAIT
        if self.journal is None and self.unreachable is not None:
            return deletion_texts.UNREACHABLE
        if self.operator is not None and not self.operator.may_delete:
            return deletion_texts.VIEW_ONLY.format(name=self.operator.display_name)
        return ""

    def reopen(self) -> bool:
        """The settings changed: close the journal; the next use opens what they name now.
        Refused (False) while a delete runs."""
        if self.runner.exclusive_busy or self._local_path is None:
            return False
        if self.connecting:  # the job's store is for the old settings: opened again after it
            self._reopen_when_connected = True
            return True
        if self.journal is not None:
            self.journal.close()
        self.journal, self.operator, self.outbox_waiting = None, None, 0
        self.unreachable = None
        self._journal_path = self._local_path
        self.available_changed.emit(True)
        self.open_journal()
        return True

    def _no_journal(self) -> None:
        from app.core.storage.journal import JournalError
        from app.core.storage.journal_records import SharedStoreUnavailableError

        if self.connecting:
            self.failed.emit(JournalError(deletion_texts.CONNECTING_WAIT))
        elif self.unreachable is not None:
            self.failed.emit(SharedStoreUnavailableError(deletion_texts.UNREACHABLE))
        else:
            self.failed.emit(JournalError(texts.DELETE_NO_JOURNAL))

    def closing(self) -> None:
        """The window is closing: a job ending now opens no dialog and starts no retry."""
        self._closing = True
        self._removal_timer.stop()
        self._server_timer.stop()

    # -- delete ----------------------------------------------------------------------------

    def start(
        self,
        items: Iterable[tuple[SuppressionEntry, Explanation | None]],
        parent: QWidget | None = None,
    ) -> bool:
        """Confirm and delete ``items``; False when nothing was started (cancel, busy, error)."""
        journal = self.open_journal()
        if journal is None:
            self._no_journal()
            return False
        if self.refusal:  # the store refuses the claim too; say so before the confirmation
            from app.core.storage.journal_records import JournalPermissionError

            self.failed.emit(JournalPermissionError(self.refusal))
            return False
        if self.runner.exclusive_busy:
            return False
        chosen = tuple(items)
        if not chosen:
            return False
        config = self._connection_config()
        if config is None:
            return False
        from app.core.deletion.plan import plan_deletion
        from app.core.deletion.run import delete_with_record, run_with_provider
        from app.core.services import provider_factory

        plan = plan_deletion(chosen)
        # 再発 (from the fetch history): passed only when there is some, so a confirmation
        # function that knows nothing of history keeps working.
        returning = {}
        if self._recurrence_lines is not None:
            returning = self._recurrence_lines([entry.email for entry, _ in chosen])
        extra = {"recurrences": returning} if returning else {}
        note = self._confirm(plan, parent, practice=config.practice, **extra)
        if note is None:
            log.info("delete of %d addresses cancelled at confirmation", plan.total)
            return False
        context = self._context(config, note)
        work = functools.partial(
            run_with_provider,
            provider_factory(config),
            delete_with_record,
            journal,
            plan,
            context=context,
        )
        return self._start("delete", work, parent, texts.DELETE_STARTING.format(total=plan.total))

    def retry(self, operation_id: int, parent: QWidget | None = None) -> bool:
        """Delete again what failed in ``operation_id`` (a new journal operation)."""
        journal = self.open_journal()
        if journal is None or self.runner.exclusive_busy:
            return False
        config = self._connection_config()
        if config is None:
            return False
        from app.core.deletion.run import retry_failed, run_with_provider
        from app.core.services import provider_factory

        work = functools.partial(
            run_with_provider,
            provider_factory(config),
            retry_failed,
            journal,
            operation_id,
            context=self._context(config, ""),
        )
        return self._start("delete", work, parent, texts.RETRYING.format(operation_id=operation_id))

    def _connection_config(self) -> ConnectionConfig | None:
        """The current account's settings; None (and the error shown) when there are none."""
        try:
            return self._connect()
        except TodokuError as error:
            self.failed.emit(error)
            return None

    def _context(self, config: ConnectionConfig, note: str) -> DeletionContext:
        from app.core.deletion.plan import DeletionContext

        if config.account_label:  # another account: its provider and name ("練習モード cmc:本番")
            label = config.account_label
        elif config.practice:
            label = texts.ACCOUNT_PRACTICE
        else:
            label = texts.ACCOUNT_LIVE.format(masked=mask_secret(config.api_key))
        return DeletionContext(
            account_label=label,
            subuser=config.subuser,
            region=config.region,
            practice=config.practice,
            note=note,
            base_url=config.base_url or "",
        )

    def _start(self, name: str, work: Any, parent: QWidget | None, first_line: str) -> bool:
        self._report, self._snapshot = None, None
        if not self.run(name, work, first_line):
            return False
        self._parent = parent
        return True

    @Slot(object)
    def on_progress(self, progress: Any) -> None:
        from app.core.deletion.plan import DeleteProgress  # loaded already: a job is running

        if self.job is not None and self.job.cancel.cancelled:
            return
        if isinstance(progress, str):  # reading 削除履歴
            self.progress.emit(progress)
            return
        if not isinstance(progress, DeleteProgress):
            return
        if self.job is not None and self.job.name == "reconcile":
            return
        self.progress.emit(
            texts.DELETING.format(
                done=progress.done, total=progress.total, label=progress.list_kind.label_ja
            )
        )

    @Slot(object)
    def on_page(self, outcomes: tuple[DeleteOutcome, ...]) -> None:
        # Rows leave the grid only when the address is really off the list.
        self._removed.extend(
            (o.list_kind, o.email) for o in outcomes if o.status is not DeleteStatus.FAILED
        )
        if not self._removal_timer.isActive():
            # Removing rows compacts the model (~0.3 s at 1M rows): big grids flush less often.
            self._removal_timer.start(max(ROW_REMOVAL_MS, self._model.total // 1000))

    @Slot()
    def _flush_removed_rows(self) -> None:
        if not self._removed:
            return
        keys, self._removed = self._removed, []
        removed = self._model.remove_entries(keys)
        log.info("removed %d deleted rows from the grid", removed)
        self.rows_removed.emit(removed)

    @Slot(object)
    def on_succeeded(self, result: Any) -> None:
        from app.core.deletion.reconcile import ReconcileSummary
        from app.core.deletion.run import DeletionReport
        from app.ui.delete.history_loading import HistorySnapshot

        if isinstance(result, HistorySnapshot):
            self._snapshot = result  # the dialog opens once the job has ended
            self.done.emit("")
        elif isinstance(result, DeletionReport):
            self._report = result
            self._flush_removed_rows()
            ok, failed = len(result.succeeded), len(result.failed)
            if result.cancelled:
                line = texts.DELETE_DONE_CANCELLED.format(ok=ok, failed=failed)
            elif failed:
                line = texts.DELETE_DONE_PARTIAL.format(ok=ok, failed=failed)
            else:
                line = texts.DELETE_DONE.format(ok=ok)
            if result.conflicts:
                line += deletion_texts.DONE_CONFLICTS.format(count=len(result.conflicts))
            log.info("delete operation %d: %d ok, %d failed", result.operation_id, ok, failed)
            self.done.emit(line)
        elif isinstance(result, ReconcileSummary):
            # Shared store: operations another PC is running now were left alone; say whose.
            elsewhere = result.running_elsewhere_ids
            names = "、".join(
                deletion_texts.RUNNING_ELSEWHERE_ONE.format(
                    name=self._who_runs.get(i, ""), operation_id=i
                )
                for i in elsewhere
            )
            line = deletion_texts.RUNNING_ELSEWHERE.format(names=names) if elsewhere else ""
            self.done.emit(line)
            if result.notice_ja:
                self.notice.emit(result.notice_ja)
            elif result.error is not None:
                self.failed.emit(result.error)

    @Slot(object)
    def on_failed(self, error: TodokuError) -> None:
        job = self.job
        if job is not None and job.name == "history" and job.cancel.cancelled:
            # The operator asked for it (a read that failed meanwhile changes nothing): no panel.
            del error
            self.done.emit(deletion_texts.HISTORY_READ_CANCELLED)
            return
        self._flush_removed_rows()
        log.warning("deletion job failed: %s: %s", type(error).__name__, error.message_ja)
        super().on_failed(error)

    def on_finished(self) -> None:
        self._removal_timer.stop()
        self._flush_removed_rows()
        if self.shared:  # results the server missed wait in the outbox: the status bar says so
            self._count_outbox()
            self.store_changed.emit()

    def after_running(self) -> None:
        report, self._report = self._report, None
        parent, self._parent = self._parent, None
        snapshot, self._snapshot = self._snapshot, None
        if snapshot is not None and self.journal is not None and not self._closing:
            self._show_history(self.journal, parent, snapshot)
        # The job has fully ended before the dialog opens, so a retry can start right away.
        if report is not None and not self._closing and self._show_result(report, parent):
            self.retry(report.operation_id, parent)

    # -- start-up reconciliation -----------------------------------------------------------

    def check_unfinished(self) -> bool:
        """If a crash left deletions unfinished, check them against the list in a job."""
        from app.core.storage.journal import JournalError

        if self.journal is None and (self.connecting or self._wants_server()):
            # The shared store: the job reads the unfinished operations; reconcile follows.
            self._reconcile_when_open = True
            self.open_journal()
            return False
        journal = self.open_journal()
        if journal is None or self.runner.exclusive_busy:
            return False
        try:
            unfinished = journal.unfinished_operations()
        except JournalError as error:
            self.failed.emit(error)
            return False
        return self._reconcile(journal, unfinished)

    def _reconcile(self, journal: JournalStore, unfinished: tuple[Any, ...]) -> bool:
        if not unfinished or self.runner.exclusive_busy:
            return False
        self._who_runs = {op.id: op.display_name or op.os_user for op in unfinished}
        config = self._connection_config()
        if config is None:
            return False
        log.info("%d unfinished delete operations: reconciling", len(unfinished))
        from app.core.deletion.plan import DeletionContext
        from app.core.deletion.reconcile import reconcile_unfinished
        from app.core.deletion.run import run_with_provider
        from app.core.services import provider_factory

        context = DeletionContext(
            practice=config.practice,
            subuser=config.subuser,
            region=config.region,
            base_url=config.base_url or "",
        )
        work = functools.partial(
            run_with_provider,
            provider_factory(config),
            reconcile_unfinished,
            journal,
            context=context,
        )
        return self._start("reconcile", work, None, texts.RECONCILING)

    # -- history ---------------------------------------------------------------------------

    def open_history(self, parent: QWidget | None = None) -> bool:
        """削除履歴. The shared store's is read by a job first (progress line, キャンセル) and
        the dialog opens with the data when it ends. While a fetch, export or delete holds the
        lane, the dialog opens at once and reads beside it (its status line says so).
        False when nothing was opened or started."""
        journal = self.open_journal()
        if journal is None:
            self._no_journal()
            return False
        if not journal.shared or self.runner.exclusive_busy:
            # SQLite on this PC: a few milliseconds. The shared store beside a running job:
            # the dialog's reads are jobs of their own (``_read_beside``).
            self._show_history(journal, parent, None)
            return True
        from app.core.storage.journal_records import OperationQuery
        from app.ui.delete.history_loading import read_history

        work = functools.partial(read_history, journal, OperationQuery())
        return self._start("history", work, parent, deletion_texts.HISTORY_READING)

    def _show_history(
        self, journal: JournalStore, parent: QWidget | None, snapshot: HistorySnapshot | None
    ) -> None:
        from app.core.storage.journal_export import export_journal_xlsx
        from app.ui.delete.history_dialog import HistoryDialog

        dialog = HistoryDialog(
            journal,
            parent,
            exporter=lambda path, ids: export_journal_xlsx(journal, path, operation_ids=ids),
            snapshot=snapshot,
            reader=self._read_beside if journal.shared else None,
        )
        try:
            code = self._run_history(dialog)
            operation_id = dialog.retry_operation_id
        finally:
            dialog.deleteLater()
        if code == HistoryDialog.RETRY and operation_id is not None:
            self.retry(operation_id, parent)

    def _read_beside(
        self,
        read: Callable[[], Any],
        on_done: Callable[[Any], None],
        on_failed: Callable[[Any], None],
    ) -> None:
        """The open 削除履歴's further reads (a search, another operation's addresses) on a
        job beside the others, so a slow shared store never holds the window."""
        self._side_job("history-read", lambda **_: read(), on_done, on_failed)
