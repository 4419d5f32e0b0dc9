"""MainController: builds every feature controller from the narrow parts it uses and wires
them to each other through signals. It holds no state of its own besides those parts.

The features the first paint shows nothing of (AI refinement, 連絡文 and Zendesk, DMARC, 共有
データベース) are built together by ``build_later_features``: by the window just after its first
paint, or earlier by the first use of one of them. Importing their modules costs about 10 ms
that the first paint need not wait for.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal, Slot

from app.core.storage.secrets import SecretStore
from app.core.storage.settings import AppSettings, SettingsStore
from app.ui.accounts import controller as accounts
from app.ui.accounts.practice_sandboxes import ProviderSandboxFactory
from app.ui.ai import CACHE_FILE as EXPLANATION_CACHE_FILE
from app.ui.connection.controller import (
    ConnectionController,
    SandboxFactory,
    practice_sandbox,
    provider_practice_sandbox,
)
from app.ui.delete import controller as delete
from app.ui.delivery.controller import DeliveryController
from app.ui.export import controller as export
from app.ui.feature import FeatureController
from app.ui.fetch.controller import FetchController
from app.ui.history.controller import HistoryController
from app.ui.history.session import HistorySession
from app.ui.models.entry_table import EntryTableModel
from app.ui.persist import SettingsKeeper
from app.ui.workers import JobRunner, ReadAhead

if TYPE_CHECKING:
    from app.core.classify import ClassifyFunction
    from app.core.storage.history import HistoryStorage
    from app.core.storage.journal import DeletionJournal
    from app.core.storage.journal_store import JournalStore
    from app.ui.ai import controller as ai
    from app.ui.dmarc.controller import DmarcController, ResolverFactory
    from app.ui.letters import controller as letters
    from app.ui.letters import zendesk_controller as zendesk
    from app.ui.shutdown_wait import ShutdownWait
    from app.ui.team import controller as team


log = logging.getLogger(__name__)

# Closing the window: how long the GUI thread waits for cancelled jobs to stop at their next
# check before the rest of the bounded wait moves to a timer (a request in flight waits for its
# answer, up to its timeout).
SETTLE_MS = 200


class MainController(QObject):
    """The shared parts (job runner, entry model, settings, secrets) and the features built
    from them: ``connection``, ``accounts``, ``fetch``, ``deletion``, ``delivery``, ``export``,
    ``history``; and, built by ``build_later_features`` (or by the first access to one of
    them), ``llm``, ``letters``, ``zendesk``, ``dmarc``, ``team``.

    Only ``MainController`` knows all of them; a feature knows only the parts it was given and
    reports through its signals. The dialog runners and the sandbox factories default to the
    real ones (tests pass their own; ``None`` means the feature's own default).

    Signals:
        later_features_built: ``build_later_features`` has built the later features; the
            window wires them.
        switched: where jobs connect changed (practice or live, the account, or 設定's key,
            server, subuser or region): the grid, its history marks and the delivery overview
            were cleared, since they belong to the old connection.
    """

    later_features_built = Signal()
    switched = Signal()

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
        confirm: delete.ConfirmFunction = delete.ask_confirmation,
        show_delete_result: delete.ResultRunner = delete.show_result_dialog,
        run_history_dialog: delete.HistoryRunner = delete.exec_history_dialog,
        run_export_dialog: export.ExportDialogRunner = export.exec_export_dialog,
        llm_sandbox_factory: ai.LlmSandboxFactory | None = None,
        provider_sandbox_factory: ProviderSandboxFactory = provider_practice_sandbox,
        show_guidance: accounts.GuidanceRunner = accounts.run_guidance_dialog,
        data_dir: Path | None = None,
        run_letter_dialog: letters.LetterDialogRunner | None = None,
        run_contact_settings: letters.ContactSettingsRunner | None = None,
        zendesk_sandbox_factory: zendesk.ZendeskSandboxFactory | None = None,
        ask_ticket_mode: zendesk.AskFunction | None = None,
        show_ticket_result: zendesk.ResultRunner | None = None,
        run_team_dialog: team.TeamDialogRunner | None = None,
        dmarc_resolver: ResolverFactory | None = None,
        history_path: Path | None = None,
        history_store: HistoryStorage | None = None,
        parent: QObject | None = None,
    ) -> None:
        """``journal``: an open deletion journal; or ``journal_path``: the file to open after
        the first paint (``deletion.open_journal``); neither: deleting is unavailable.
        ``history_store`` or ``history_path`` (opened by the first job that needs it): the
        fetch history; neither: fetches are not recorded (no 新着, 再発, 推移)."""
        super().__init__(parent)
        self.settings_keeper = SettingsKeeper(settings_store, self)
        self.secrets = secrets
        self.model = EntryTableModel(self)
        self.runner = JobRunner(self)
        runner, model = self.runner, self.model
        self.connection = ConnectionController(
            runner,
            self.settings_keeper,
            secrets,
            sandbox_factory=sandbox_factory,
            live_base_url=live_base_url,
            max_retries=max_retries,
            parent=self,
        )
        # Accounts of every provider: the default SendGrid account is the connection's.
        self.accounts = accounts.AccountsController(
            runner,
            self.settings_keeper,
            secrets,
            is_practice=lambda: self.connection.practice,
            sendgrid_config=self.connection.config,
            sandbox_factory=provider_sandbox_factory,
            show_guidance=show_guidance,
            live_base_url=live_base_url,
            max_retries=max_retries,
            parent=self,
        )
        self.connection.live_problem = self.accounts.live_problem
        self.connection.live_read_ahead = self.accounts.read_ahead
        connect = self.accounts.config
        self.fetch = FetchController(
            runner,
            model,
            connect=connect,
            classify=classify,
            history_work=lambda *fetch: self.history.fetch_work(*fetch),
            read_ahead=self._read_ahead,
            parent=self,
        )
        data_dir = settings_store.path.parent if data_dir is None else data_dir
        self.deletion = delete.DeletionController(
            runner,
            model,
            connect=connect,
            fetched_connection=lambda: self.fetch.last_connection,
            journal=journal,
            journal_path=journal_path,
            # Team mode: the shared store when the settings name one (docs/team-mode.md).
            open_store=None if journal_path is None else self._store_opener(data_dir, journal_path),
            server_named=self._server_named,
            confirm=confirm,
            show_result=show_delete_result,
            run_history=run_history_dialog,
            recurrence_lines=lambda emails: self.history.recurrence_lines(emails),
            read_ahead=self._read_ahead,
            parent=self,
        )
        self.delivery = DeliveryController(runner, self)
        self.export = export.ExportController(
            runner,
            model,
            fetched_connection=lambda: self.fetch.last_connection,
            fetch_incomplete=lambda: self.fetch.incomplete,
            run_dialog=run_export_dialog,
            parent=self,
        )
        self.history = HistoryController(
            runner,
            model,
            session=HistorySession(
                history_path,
                store=history_store,
                open_store=None if history_path is None else self._history_opener(history_path),
            ),
            connect=connect,
            classify=classify,
            retention_days=lambda: self.settings.history_retention_days,
            journal=self.deletion.open_journal,
            cache_path=data_dir / EXPLANATION_CACHE_FILE,
            read_ahead=self._read_ahead,
            parent=self,
        )
        # What build_later_features gives the later features (None: their own default).
        self._later_options: dict[str, Any] = dict(
            data_dir=data_dir,
            journal_path=journal_path or data_dir / "journal.sqlite3",
            llm_sandbox_factory=llm_sandbox_factory,
            run_letter_dialog=run_letter_dialog,
            run_contact_settings=run_contact_settings,
            zendesk_sandbox_factory=zendesk_sandbox_factory,
            ask_ticket_mode=ask_ticket_mode,
            show_ticket_result=show_ticket_result,
            run_team_dialog=run_team_dialog,
            dmarc_resolver=dmarc_resolver,
        )
        self.later_built = False
        self._shutdown_wait: ShutdownWait | None = None  # closing: the bounded wait, by timer
        self.connection.switched.connect(model.clear)
        self.connection.switched.connect(self.history.clear)
        self.fetch.whole_range_fetched.connect(self.history.show_fetched)
        self.accounts.switched.connect(model.clear)
        self.accounts.live_unavailable.connect(self._on_accounts_live_unavailable)
        self.accounts.switched.connect(self.history.clear)
        self.connection.switched.connect(self._on_switched)
        self.accounts.switched.connect(self._on_switched)
        self.fetch.running.connect(self._on_fetch_running)
        self.fetch.fetched.connect(self._on_fetch_fetched)
        self.deletion.rows_removed.connect(self._on_rows_changed)

    def _read_ahead(self) -> ReadAhead | None:
        """What ``accounts.config`` reads from the OS keyring, for a job to read first: the
        default account's live key, or another live account's credentials."""
        if self.accounts.current.is_default:
            return self.connection.read_ahead()
        return self.accounts.config_read_ahead()

    def build_later_features(self) -> None:
        """Build AI refinement, 連絡文, Zendesk, DMARC and 共有データベース (once), then emit
        ``later_features_built``."""
        if self.later_built:
            return
        self.later_built = True  # first: the window's wiring reads the properties below
        from app.ui.ai import controller as ai
        from app.ui.dmarc.controller import DmarcController
        from app.ui.letters import controller as letters
        from app.ui.letters import zendesk_controller as zendesk
        from app.ui.team import controller as team

        runner, model, keeper, secrets = self.runner, self.model, self.settings_keeper, self.secrets
        options = self._later_options
        data_dir = options["data_dir"]
        practice = lambda: self.connection.practice  # noqa: E731
        self._llm = ai.LlmController(
            runner,
            model,
            keeper,
            secrets,
            cache_path=data_dir / EXPLANATION_CACHE_FILE,
            **_given(sandbox_factory=options["llm_sandbox_factory"]),
            parent=self,
        )
        # 連絡文 and Zendesk (app/ui/letters): the letters are the tickets' drafts.
        self._zendesk = zendesk.ZendeskController(
            runner,
            keeper,
            secrets,
            practice=practice,
            letters=lambda pairs: self._letters.letters_for(pairs),
            links_path=data_dir,
            **_given(
                sandbox_factory=options["zendesk_sandbox_factory"],
                ask=options["ask_ticket_mode"],
                show_result=options["show_ticket_result"],
            ),
            parent=self,
        )
        self._letters = letters.LettersController(
            runner,
            keeper,
            secrets,
            practice=practice,
            user_letters_dir=data_dir / letters.USER_LETTERS_FOLDER,
            zendesk=self._zendesk,
            **_given(
                run_dialog=options["run_letter_dialog"],
                run_settings=options["run_contact_settings"],
                llm_sandbox_factory=options["llm_sandbox_factory"],
            ),
            parent=self,
        )
        self._dmarc = DmarcController(
            runner,
            secrets,
            is_practice=practice,
            **_given(live_resolver=options["dmarc_resolver"]),
            parent=self,
        )
        # 共有データベース (app/ui/team): settings, 接続テスト, moving this PC's records.
        self._team = team.TeamController(
            runner,
            keeper,
            secrets,
            data_dir=data_dir,
            journal_path=options["journal_path"],
            **_given(run_dialog=options["run_team_dialog"]),
            parent=self,
        )
        self._team.saved.connect(self.deletion.reopen)
        self._team.saved.connect(self.history.session.reset)
        self._llm.refined.connect(self._on_rows_changed)
        self.later_features_built.emit()

    @property
    def llm(self) -> ai.LlmController:
        self.build_later_features()
        return self._llm

    @property
    def letters(self) -> letters.LettersController:
        self.build_later_features()
        return self._letters

    @property
    def zendesk(self) -> zendesk.ZendeskController:
        self.build_later_features()
        return self._zendesk

    @property
    def dmarc(self) -> DmarcController:
        self.build_later_features()
        return self._dmarc

    @property
    def team(self) -> team.TeamController:
        self.build_later_features()
        return self._team

    def _store_opener(self, data_dir: Path, journal_path: Path) -> delete.StoreOpener:
        def open_store() -> JournalStore:
            from app.core.storage.team.open import open_journal

            return open_journal(
                self.settings, data_dir, secrets=self.secrets, local_path=journal_path
            )

        return open_store

    def _history_opener(self, history_path: Path) -> Callable[[], HistoryStorage]:
        """Team mode: the history on the shared server (its 再発 flags are the team's); else
        the SQLite file. Called on a job's thread (the first job that needs history)."""

        def open_history() -> HistoryStorage:
            from app.core.storage.team.connection import database_from_settings, with_password

            database = database_from_settings(self.settings)
            if database is None:
                from app.core.storage.history.sqlite_store import SqliteHistoryStore

                return SqliteHistoryStore(history_path)
            from app.core.storage.team.history_pg import PostgresHistoryStore

            return PostgresHistoryStore(with_password(database, self.secrets))

        return open_history

    def _server_named(self) -> bool:
        return bool(self.settings.shared_db_enabled and self.settings.shared_db_host)

    @property
    def features(self) -> tuple[FeatureController, ...]:
        """The features whose lines go to the range bar (AI refinement has its own, in the
        status bar); Zendesk's go there too, wired when it is built."""
        return (self.connection, self.accounts, self.fetch, self.deletion, self.export)

    @property
    def settings(self) -> AppSettings:
        return self.settings_keeper.current

    def is_busy(self) -> bool:
        """A fetch, an export or a delete/retry/reconcile runs: the others wait (the runner's
        exclusive lane). AI refinement and the statistics run beside them."""
        return self.runner.exclusive_busy

    def cancel_running(self) -> None:
        """キャンセル: stops the fetch, the export or the deletion that is running."""
        later = (self._zendesk, self._dmarc, self._team) if self.later_built else ()
        for feature in (self.fetch, self.export, self.deletion, *later):
            feature.cancel()
        self.history.cancel_erase()

    def set_delivery_threshold(self, threshold: float) -> None:
        if threshold != self.settings.delivery_threshold:
            self.settings_keeper.store(self.settings.replace(delivery_threshold=threshold))

    @Slot()
    def _on_accounts_live_unavailable(self) -> None:
        self.connection.set_practice(True)

    @Slot()
    def _on_switched(self) -> None:
        # The old connection's statistics and refinements must not land on the new one.
        self.delivery.clear()
        if self.later_built:
            self._llm.cancel()
        self.switched.emit()

    @Slot(bool)
    def _on_fetch_running(self, running: bool) -> None:
        if running:  # the new rows replace the old: so do their statistics and refinements
            self.delivery.cancel()
            if self.later_built:
                self._llm.cancel()

    @Slot(object, object, object)
    def _on_fetch_fetched(self, config, date_range, pages) -> None:
        # Same range and account as the fetch; each job builds its own client.
        self.delivery.refresh(config, date_range, pages)
        # Optional AI refinement of the explanations (only if the operator enabled it).
        self.llm.start(pages, config.practice)

    @Slot()
    def _on_rows_changed(self, *_: object) -> None:
        # Deleted rows or refined categories: 配信状況's breakdown follows the grid.
        entries, explanations, _view = self.model.snapshot(shown_only=False)
        self.delivery.recount(entries, explanations)

    # -- shutdown ------------------------------------------------------------------------

    def shutdown(self, timeout_ms: int = 5000) -> bool:
        """Cancel every job, wait (bounded) for the pool, stop the sandboxes."""
        self.begin_shutdown()
        return self.finish_shutdown(timeout_ms)

    def close_without_waiting(self, timeout_ms: int = 5000) -> bool:
        """The window closes: cancel every job, give them ``SETTLE_MS`` to stop at their next
        check, and make the rest of the bounded wait from a timer (``ShutdownWait``), so the
        event loop never blocks on a request in flight. True when the pool was idle at once."""
        self.begin_shutdown()
        if self.runner.wait_idle(SETTLE_MS):
            self.finish_shutdown(0)
            return True
        from app.ui.shutdown_wait import ShutdownWait

        if self._shutdown_wait is None or not self._shutdown_wait.waiting:
            finish = functools.partial(self.finish_shutdown, 0)
            self._shutdown_wait = ShutdownWait(
                self.runner, finish, timeout_ms - SETTLE_MS, parent=self
            )
        return False

    def begin_shutdown(self) -> None:
        """Cancel every job and stop what would start one (timers, dialogs at a job's end);
        returns at once."""
        self.fetch.stop_timers()
        self.deletion.closing()
        if self.later_built:
            self._zendesk.closing()
            self._llm.cancel()
        self.history.cancel()
        self.runner.begin_shutdown()

    def finish_shutdown(self, timeout_ms: int = 5000) -> bool:
        """After ``begin_shutdown``: wait (bounded) for the pool, stop the sandboxes; True when
        no job runs any more. Safe to call again (``app.main`` calls it after the event loop)."""
        if self._shutdown_wait is not None:
            self._shutdown_wait.stop()
        idle = self.runner.finish_shutdown(timeout_ms)
        if self.later_built:
            self._llm.shutdown()
            self._letters.shutdown()
            self._zendesk.shutdown()
        self.connection.stop_sandbox()
        self.accounts.stop_sandboxes()
        return idle

    def close_storage(self) -> None:
        """At exit, after ``shutdown``: close the deletion journal (if it was opened).

        Not while a job outlived shutdown's bounded wait: closing the connection its pool thread
        is using would lose what it was recording (a deletion batch's results). The process
        ends next and SQLite keeps what was committed.
        """
        if self.runner.pool_active_threads:
            log.warning("storage left open: a job is still running at exit")
            return
        if self.deletion.journal is not None:
            self.deletion.journal.close()
        self.history.shutdown()


def _given(**options: Any) -> dict[str, Any]:
    """The options a caller gave (not None); the others keep the feature's own defaults."""
    return {name: value for name, value in options.items() if value is not None}
