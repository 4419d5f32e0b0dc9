"""DeletionController: confirm → delete with a journal record → drop deleted rows → result/retry;
opening the journal after the first paint, then reconciling unfinished deletions; 削除履歴."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal, Slot
from PySide6.QtWidgets import QWidget

from app.core.errors import InvalidInputError, TodokuError
from app.core.storage.secrets import mask_secret
from app.core.types import DeleteOutcome, DeleteStatus, Explanation, ListKind, SuppressionEntry
from app.ui import texts
from app.ui.delete import deletion_texts
from app.ui.delete.journal_link import JournalLink, ServerNamed, StoreOpener
from app.ui.feature import FeatureController
from app.ui.models.entry_table import EntryTableModel
from app.ui.safe_text import single_line
from app.ui.workers import JobRunner, ReadAhead

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

# confirm(plan, parent, *, practice) -> note ("" = none) when confirmed, None when cancelled
ConfirmFunction = Callable[..., str | None]
# recurrence_lines(addresses) -> address -> the 再発 sentence and one line per return (history)
RecurrenceLines = Callable[[list[str]], dict[str, list[str]]]
# show_result(report, parent) -> True when the operator asked to retry the failures
ResultRunner = Callable[["DeletionReport", QWidget | None], bool]
# run_history(dialog) -> the dialog's exec() code (HistoryDialog.RETRY to retry)
HistoryRunner = Callable[["HistoryDialog"], int]
# guide(items, parent) -> the items that go through the confirmation (the rest get the
# provider's console guide: CMC's blocks)
DeletionGuide = Callable[[list[Any], QWidget | None], list[Any]]


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
        fetched_connection: Callable[[], ConnectionConfig | None] | None = None,
        journal: JournalStore | None = None,
        journal_path: Path | None = None,
        open_store: StoreOpener | None = None,
        server_named: ServerNamed | None = None,
        confirm: ConfirmFunction = ask_confirmation,
        show_result: ResultRunner = show_result_dialog,
        run_history: HistoryRunner = exec_history_dialog,
        recurrence_lines: RecurrenceLines | None = None,
        read_ahead: Callable[[], ReadAhead | None] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(runner, parent)
        self._recurrence_lines = recurrence_lines
        # What ``connect`` would read slowly (the live key in the OS keyring): read by a job
        # first, so 削除, a retry and the reconcile never hold the event loop.
        self._read_ahead = read_ahead
        self._model = model
        self._connect = connect
        self._fetched_connection = fetched_connection  # what the grid's rows came through
        self._link = JournalLink(
            runner,
            journal=journal,
            journal_path=journal_path,
            open_store=open_store,
            server_named=server_named,
            on_unfinished=self._reconcile,
            parent=self,
        )
        self._link.available_changed.connect(self.available_changed)
        self._link.store_changed.connect(self.store_changed)
        self._link.failed.connect(self.failed)
        # 削除履歴 asked for while the shared store was away: a click starts a new connect, and
        # the history opens when it succeeds or says why it cannot (after the link's message,
        # which names deleting only, so that this one stays on screen).
        self._history_waits: tuple[QWidget | None] | None = None
        self._link.available_changed.connect(self._on_available_for_history)
        self._link.failed.connect(self._on_failed_for_history)
        self._who_runs: dict[int, str] = {}  # unfinished operation → the operator's name
        self._confirm = confirm
        self._show_result = show_result
        self._run_history = run_history
        self._closing = False
        self._reconcile_when_idle = False
        self._parent: QWidget | None = None
        self._report: DeletionReport | None = None
        self._snapshot: HistorySnapshot | None = None  # 削除履歴 read by the job, to show
        self._removed: list[tuple[ListKind, str]] = []
        self._removal_timer = QTimer(self)
        self._removal_timer.setSingleShot(True)
        self._removal_timer.setInterval(ROW_REMOVAL_MS)
        self._removal_timer.timeout.connect(self._flush_removed_rows)

    # -- the journal (JournalLink): what the window and the deletes read --------------------

    @property
    def journal(self) -> JournalStore | None:
        return self._link.journal

    @property
    def available(self) -> bool:
        """A journal is open, or will be (a journal that failed to open disables deleting)."""
        return self._link.available

    @property
    def connecting(self) -> bool:
        """A job is opening the shared store."""
        return self._link.connecting

    @property
    def unreachable(self) -> TodokuError | None:
        """Why the shared store could not be opened last time (tried again by a timer)."""
        return self._link.unreachable

    @property
    def operator(self) -> Operator | None:
        """Who this login is in the shared store."""
        return self._link.operator

    @property
    def outbox_waiting(self) -> int:
        """Results kept on this PC while the shared store was away."""
        return self._link.outbox_waiting

    @property
    def shared(self) -> bool:
        """The shared store is in use, or being connected to."""
        return self._link.shared

    @property
    def refusal(self) -> str:
        """Why this operator may not delete ("" = may): see ``JournalLink.refusal``."""
        return self._link.refusal

    def open_journal(self) -> JournalStore | None:
        """The open journal; None if there is none, or not yet (a pending journal is opened
        by a job, started here if none runs: see ``JournalLink.open_journal``)."""
        return self._link.open_journal()

    def resend_kept(self) -> bool:
        """Send the rows kept on this PC in a job (a delete's own writes send them too)."""
        return self._link.resend_kept()

    def reopen(self) -> bool:
        """The settings changed: close the journal; the next use opens what they name now.
        Refused (False) while a delete runs."""
        return self._link.reopen()

    def cancel(self) -> None:
        job = self.job
        if job is not None and job.name == "history" and not job.cancel.cancelled:
            job.cancel.cancel()  # a read already sent still waits for its answer
            self.progress.emit(deletion_texts.HISTORY_CANCELLING)
            return
        super().cancel()

    def _no_journal(self) -> None:
        from app.core.storage.journal import JournalError
        from app.core.storage.journal_records import SharedStoreUnavailableError

        if self.connecting:
            self.failed.emit(JournalError(deletion_texts.CONNECTING_WAIT))
        elif self.unreachable is not None:
            self.failed.emit(SharedStoreUnavailableError(deletion_texts.UNREACHABLE))
        elif self._link.in_use is not None:
            self.failed.emit(self._link.in_use)
        elif self._link.opening:
            self.failed.emit(JournalError(deletion_texts.OPENING_WAIT))
        else:
            self.failed.emit(JournalError(texts.DELETE_NO_JOURNAL))

    def closing(self) -> None:
        """The window is closing: a job ending now opens no dialog and starts no retry."""
        self._closing = True
        self._removal_timer.stop()
        self._link.closing()

    # -- delete ----------------------------------------------------------------------------

    def start(
        self,
        items: Iterable[tuple[SuppressionEntry, Explanation | None]],
        parent: QWidget | None = None,
        guide: DeletionGuide | None = None,
    ) -> bool:
        """Read the connection's keys in a job, then (``guide`` first: rows the provider cannot
        delete by API) confirm and delete ``items``. False when nothing was started (busy,
        error, nothing chosen); a confirmation cancelled after the read ends ``running``."""
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
        return self.read_first(
            "delete",
            self._keys_ahead(),
            lambda using: self._confirm_and_start(journal, chosen, parent, guide, using),
            texts.READING_KEY,
        )

    def _keys_ahead(self) -> ReadAhead | None:
        return self._read_ahead() if self._read_ahead is not None else None

    def _confirm_and_start(
        self,
        journal: JournalStore,
        chosen: tuple[tuple[SuppressionEntry, Explanation | None], ...],
        parent: QWidget | None,
        guide: DeletionGuide | None,
        using: AbstractContextManager[None],
    ) -> bool:
        with using:
            if guide is not None:
                chosen = tuple(guide(list(chosen), parent))
                if not chosen:
                    return False
            config = self._connection_config()
        if config is None or not self._rows_fetched_through(config):
            return False
        from app.core.deletion.plan import plan_deletion
        from app.core.deletion.run import delete_with_record, run_with_provider
        from app.core.services import provider_factory

        account = config.account  # None: the default SendGrid account
        plan = plan_deletion(chosen, provider=account.provider.value if account else "sendgrid")
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
        return self.read_first(
            "delete",
            self._keys_ahead(),
            lambda using: self._retry_with(journal, operation_id, parent, using),
            texts.READING_KEY,
        )

    def _retry_with(
        self,
        journal: JournalStore,
        operation_id: int,
        parent: QWidget | None,
        using: AbstractContextManager[None],
    ) -> bool:
        with using:
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

    def _rows_fetched_through(self, config: ConnectionConfig) -> bool:
        """Whether the grid's rows came through ``config``'s connection; if not, say so and
        delete nothing. A switch clears the grid, but a row must never reach a list it was not
        read from (another account's, where the same address may be listed for a reason the
        operator never saw)."""
        from app.core.services import same_lists

        fetched = None if self._fetched_connection is None else self._fetched_connection()
        if fetched is None or same_lists(fetched, config):
            return True
        log.warning("delete refused: the rows were fetched through %r, now %r", fetched, config)
        self.failed.emit(
            InvalidInputError(
                deletion_texts.OTHER_CONNECTION, next_step_ja=deletion_texts.OTHER_CONNECTION_NEXT
            )
        )
        return False

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
            # Operations another PC (or, on this PC's journal, another process) is running now
            # were left alone; say whose.
            elsewhere = result.running_elsewhere_ids
            names = "、".join(
                deletion_texts.RUNNING_ELSEWHERE_ONE.format(
                    name=self._who_runs.get(i, ""), operation_id=i
                )
                for i in elsewhere
            )
            where = deletion_texts.RUNNING_ELSEWHERE
            if not self.shared:
                where = deletion_texts.RUNNING_ON_THIS_PC
            line = where.format(names=names) if elsewhere else ""
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
            self._link.count_outbox()
            self.store_changed.emit()

    def after_running(self) -> None:
        report, self._report = self._report, None
        parent, self._parent = self._parent, None
        snapshot, self._snapshot = self._snapshot, None
        if snapshot is not None and self.journal is not None and not self._closing:
            self._show_history(self.journal, parent, snapshot)
        if report is None or self._closing:
            return
        # The job has fully ended before the dialog opens, so a retry can start right away.
        if self._show_result(report, parent):
            self.retry(report.operation_id, parent)
        elif self._held_by_an_unfinished_deletion(report):
            # A deletion still holds some addresses. If it is a dead one (a todoku-cli run
            # killed while this window was open), settle it now, not at the next start; a live
            # one is left alone and named.
            self.check_unfinished()

    @staticmethod
    def _held_by_an_unfinished_deletion(report: DeletionReport) -> bool:
        from app.core.storage.journal_records import ClaimState

        return any(c.state is ClaimState.IN_PROGRESS for c in report.conflicts)

    # -- start-up reconciliation -----------------------------------------------------------

    def check_unfinished(self) -> bool:
        """If a crash left deletions unfinished, check them against the list in a job."""
        from app.core.storage.journal import JournalError

        if self.journal is None:
            # The job that opens the journal reads the unfinished operations; reconcile follows.
            self._link.reconcile_when_open = True
            self.open_journal()
            return False
        journal = self.journal
        if self.runner.exclusive_busy:
            return False
        try:
            unfinished = journal.unfinished_operations()
        except JournalError as error:
            self.failed.emit(error)
            return False
        return self._reconcile(journal, unfinished)

    def _reconcile(self, journal: JournalStore, unfinished: tuple[Any, ...]) -> bool:
        if not unfinished or self._closing:
            return False
        if self.runner.exclusive_busy:
            # The journal opened late (another writer held it) and a fetch or an export took
            # the lane meanwhile: reconcile once every job has ended, not at the next start.
            if not self._reconcile_when_idle:
                self._reconcile_when_idle = True
                self.runner.busy_changed.connect(self._on_runner_busy)
            return False
        # Written by another PC into the shared journal: one bounded line, hidden characters
        # shown, before it goes into a message.
        self._who_runs = {
            op.id: single_line(op.display_name or op.os_user, 80) for op in unfinished
        }
        return self.read_first(
            "reconcile",
            self._keys_ahead(),
            lambda using: self._reconcile_with(journal, len(unfinished), using),
            texts.RECONCILING,
        )

    def _reconcile_with(
        self, journal: JournalStore, unfinished: int, using: AbstractContextManager[None]
    ) -> bool:
        if self._closing:
            return False
        with using:
            config = self._connection_config()
        if config is None:
            return False
        log.info("%d unfinished delete operations: reconciling", unfinished)
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

    @Slot(bool)
    def _on_runner_busy(self, busy: bool) -> None:
        if busy or not self._reconcile_when_idle:
            return
        self._reconcile_when_idle = False
        self.runner.busy_changed.disconnect(self._on_runner_busy)
        if not self._closing:
            self.check_unfinished()

    # -- history ---------------------------------------------------------------------------

    def open_history(self, parent: QWidget | None = None) -> bool:
        """削除履歴. The shared store's is read by a job first (progress line, キャンセル) and
        the dialog opens with the data when it ends. While a fetch, export or delete holds the
        lane, the dialog opens at once and reads beside it (its status line says so).
        False when nothing was opened or started."""
        journal = self.open_journal()
        if journal is None:
            if self.connecting and self._link.wants_server():
                from app.core.storage.journal import JournalError

                self._history_waits = (parent,)
                self.failed.emit(JournalError(deletion_texts.HISTORY_CONNECTING))
            else:
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

    @Slot(bool)
    def _on_available_for_history(self, available: bool) -> None:
        waits, self._history_waits = self._history_waits, None
        if waits is not None and available and self.journal is not None and not self._closing:
            self.open_history(waits[0])

    @Slot(object)
    def _on_failed_for_history(self, _: TodokuError) -> None:
        if self._history_waits is None or self.connecting or self.unreachable is None:
            return
        self._history_waits = None
        from app.core.storage.journal_records import SharedStoreUnavailableError

        self.failed.emit(
            SharedStoreUnavailableError(
                deletion_texts.HISTORY_UNREACHABLE,
                next_step_ja=deletion_texts.HISTORY_UNREACHABLE_NEXT,
            )
        )

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
        self._link.side_job("history-read", lambda **_: read(), on_done, on_failed)
