"""JournalLink: the deletion journal the delete controller writes to, and how it is reached.

The journal is opened by a job after the first paint (or on first use), never on the GUI
thread: the SQLite file waits up to 10 s for another writer's lock (a second Todoku or
todoku-cli deleting), and in team mode (docs/team-mode.md) the shared store connects over the
network. The window keeps working meanwhile, with deleting off until the journal is open. A
file still in use after the wait, or an unreachable store, is tried again every
SERVER_RETRY_MS; the results kept on this PC meanwhile are resent from the same timer.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from app.core.errors import TodokuError
from app.ui.delete import deletion_texts
from app.ui.safe_text import single_line
from app.ui.workers import JobRunner

if TYPE_CHECKING:
    from app.core.storage.journal_records import Operator
    from app.core.storage.journal_store import JournalStore

log = logging.getLogger(__name__)

# How often a journal file in use elsewhere or an unreachable shared store is tried again, and
# (team mode) kept rows resent.
SERVER_RETRY_MS = 30_000

# open_store() -> the journal the settings name (SQLite here, or the team's shared store)
StoreOpener = Callable[[], "JournalStore"]
# server_named() -> True when the settings name a shared store (opened off the GUI thread)
ServerNamed = Callable[[], bool]
# unfinished(journal, operations) -> reconcile what a crash left unfinished (the controller's job)
UnfinishedHandler = Callable[["JournalStore", tuple[Any, ...]], object]


class JournalLink(QObject):
    """Opens and keeps the journal; says who this operator is there and what waits to be sent.

    Signals:
        available_changed: bool, the journal could not be opened (False), or may be again.
        store_changed: the journal was (re)opened or its state changed: shared or not,
            connecting, operator, unsent rows.
        failed: TodokuError, opening failed (the window shows it).
    """

    available_changed = Signal(bool)
    store_changed = Signal()
    failed = Signal(object)

    def __init__(
        self,
        runner: JobRunner,
        *,
        journal: JournalStore | None,
        journal_path: Path | None,
        open_store: StoreOpener | None,
        server_named: ServerNamed | None,
        on_unfinished: UnfinishedHandler,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.runner = runner
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
        # The SQLite file is opened by a job too (``_open_file``): ``opening`` while it runs;
        # ``in_use`` when another program held it past the busy wait (retried by the timer).
        self.opening = False
        self.in_use: TodokuError | None = None
        self.reconcile_when_open = False  # check_unfinished asked before the store was open
        self._reopen_when_connected = False  # the settings changed while connecting
        self._on_unfinished = on_unfinished
        self.server_timer = QTimer(self)
        self.server_timer.setInterval(SERVER_RETRY_MS)
        self.server_timer.timeout.connect(self._on_server_timer)
        self._jobs: set[Any] = set()  # connect / resend jobs (outside the feature's one job)
        self.operator: Operator | None = None  # who this login is in the shared store
        self.outbox_waiting = 0  # results kept on this PC while the shared store was away
        self._closing = False

    @property
    def available(self) -> bool:
        """A journal is open, or will be (a journal that failed to open disables deleting)."""
        return self.journal is not None or self._journal_path is not None

    def open_journal(self) -> JournalStore | None:
        """The open journal; None if there is none, or not yet: a journal still pending is
        opened by a job (start-up calls this after the first paint), which hands it over."""
        if self.connecting or self.opening:
            return None  # the job hands the store over when it has opened it
        if self._journal_path is not None:
            if self.wants_server():
                self._connect_store()
            else:
                self._open_file()
            return None
        return self.journal

    def wants_server(self) -> bool:
        return self._open_store is not None and bool(self._server_named and self._server_named())

    # -- opening, off the GUI thread ---------------------------------------------------------
    def _open_file(self) -> bool:
        """Open the SQLite file in a job (creating or migrating it takes its write lock, which
        another writer may hold for seconds); deleting waits, the window does not."""
        from app.ui.delete.store_opening import open_store

        path = self._journal_path
        if self.opening or path is None or self._closing:
            return False
        opener = self._open_store or functools.partial(_sqlite_journal, path)
        work = functools.partial(open_store, opener)
        self.side_job("open", work, self._on_opened, self._on_open_failed)
        self.opening = True
        self.store_changed.emit()
        return True

    @Slot(object)
    def _on_opened(self, opened: Any) -> None:
        self.opening, self.in_use = False, None
        self._hand_over(opened)

    @Slot(object)
    def _on_open_failed(self, error: TodokuError) -> None:
        self.opening = False
        if self._closing or self._reopen_when_connected:
            self._after_stale_connect()
            return
        from app.core.storage.journal_errors import JournalInUseError

        if isinstance(error, JournalInUseError):
            # Another program's transaction: deleting waits for it; the timer tries again, and
            # says so once (not every 30 s over a panel the operator closed).
            log.warning("deletion journal in use by another program")
            first = self.in_use is None
            error = JournalInUseError(
                error.path, next_step_ja=deletion_texts.IN_USE_NEXT, detail=error.detail
            )
            self.in_use = error
            self.server_timer.start()
            self.store_changed.emit()
            if first:
                self.failed.emit(error)
            return
        # Damaged, too new, not a file…: deleting stays off until the window is opened again.
        log.error("deletion journal unavailable: %s", type(error).__name__)
        self._journal_path = None
        self.available_changed.emit(False)
        self.store_changed.emit()
        self.failed.emit(error)

    def _connect_store(self) -> bool:
        """Open the shared store in a job; the window keeps working and says 接続中…"""
        from app.ui.delete.store_opening import open_store

        opener = self._open_store
        if self.connecting or opener is None or self._closing:
            return False
        work = functools.partial(open_store, opener)
        self.side_job("connect", work, self._on_connected, self._on_connect_failed)
        self.connecting = True
        self.server_timer.start()
        self.store_changed.emit()
        return True

    @Slot(object)
    def _on_connected(self, opened: Any) -> None:
        self.connecting = False
        self._hand_over(opened)

    def _hand_over(self, opened: Any) -> None:
        """A job opened the journal (``OpenedStore``): keep it, then reconcile if asked."""
        if self._closing or self._journal_path is None or self._reopen_when_connected:
            opened.journal.close()  # the window is closing, or the settings changed meanwhile
            self._after_stale_connect()
            return
        self._journal_path = None
        self.journal, self.operator = opened.journal, opened.operator
        self.outbox_waiting, self.unreachable = opened.outbox_waiting, None
        if opened.journal.shared:
            log.info("shared journal opened (%d rows waiting on this PC)", self.outbox_waiting)
        else:
            self.server_timer.stop()  # was retrying a file in use
        self.available_changed.emit(True)
        self.store_changed.emit()
        reconcile, self.reconcile_when_open = self.reconcile_when_open, False
        if reconcile and opened.unfinished:
            self._on_unfinished(opened.journal, opened.unfinished)

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
        if self._closing or self.connecting or self.opening:
            return
        if self.journal is None:
            if self._journal_path is not None and self.wants_server():
                self._connect_store()
            elif self._journal_path is not None and self.in_use is not None:
                self._open_file()
            else:
                self.server_timer.stop()
        elif not self.journal.shared:
            self.server_timer.stop()
        elif self.outbox_waiting and not self.runner.exclusive_busy:
            self.resend_kept()

    def resend_kept(self) -> bool:
        """Send the rows kept on this PC in a job (a delete's own writes send them too)."""
        from app.ui.delete.store_opening import resend_kept

        journal = self.journal
        if journal is None or not journal.shared or self.runner.is_running("resend"):
            return False
        work = functools.partial(resend_kept, journal)
        self.side_job("resend", work, self._on_resent, self._on_resend_failed)
        return True

    def side_job(
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

    def count_outbox(self) -> None:
        from app.ui.delete.store_opening import outbox_count

        self.outbox_waiting = 0 if self.journal is None else outbox_count(self.journal)
        if self.outbox_waiting and self.wants_server():
            self.server_timer.start()

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
        # A retry after "in use" is also an opening: keep saying why it is retried.
        if self.journal is None and self.in_use is not None:
            return deletion_texts.IN_USE
        if self.journal is None and self.opening:
            return deletion_texts.OPENING_WAIT
        if self.operator is not None and not self.operator.may_delete:
            # The name is the team database's: one bounded line, hidden characters shown.
            return deletion_texts.VIEW_ONLY.format(name=single_line(self.operator.display_name, 80))
        return ""

    def reopen(self) -> bool:
        """The settings changed: close the journal; the next use opens what they name now.
        Refused (False) while a delete runs."""
        if self.runner.exclusive_busy or self._local_path is None:
            return False
        if self.connecting or self.opening:  # the job's store is for the old settings
            self._reopen_when_connected = True  # opened again after it
            return True
        if self.journal is not None:
            self.journal.close()
        self.journal, self.operator, self.outbox_waiting = None, None, 0
        self.unreachable, self.in_use = None, None
        self._journal_path = self._local_path
        self.available_changed.emit(True)
        self.open_journal()
        return True

    def closing(self) -> None:
        """The window is closing: no store is opened and no kept row resent any more."""
        self._closing = True
        self.server_timer.stop()


def _sqlite_journal(path: Path) -> JournalStore:
    """Job work's opener when no team store is configured: the SQLite file at ``path``."""
    from app.core.storage.journal import DeletionJournal

    return DeletionJournal(path)
