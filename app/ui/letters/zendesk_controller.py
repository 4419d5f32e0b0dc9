"""ZendeskController: selected entries → Zendesk tickets in a job (progress, cancel), the
connection test, the practice imitation (started lazily on loopback) and the ticket links.

Practice mode never touches a real Zendesk: the imitation (``app.sandbox.zendesk_server``) runs
in this process on 127.0.0.1, started the first time practice mode needs it, like the AI
refinement's imitation. The API token is read from the keyring on the job thread.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QDialog, QWidget

from app.core.cancel import CancelToken
from app.core.dates import JST
from app.core.errors import CancelledError, TodokuError, UnexpectedError
from app.core.storage.secrets import ZENDESK_TOKEN, SecretStore
from app.core.types import Explanation, SuppressionEntry
from app.ui.feature import FeatureController
from app.ui.letters import letter_texts as texts
from app.ui.letters.lazy_sandbox import LazySandbox, SandboxHandle
from app.ui.persist import SettingsKeeper
from app.ui.workers import Job, JobRunner

if TYPE_CHECKING:
    from app.core.letters.compose import Letter
    from app.core.zendesk import EscalationItem, TicketOutcome, ZendeskAccount
    from app.core.zendesk.links import TicketLinks

log = logging.getLogger(__name__)

Pairs = Sequence[tuple[SuppressionEntry, Explanation]]


ZendeskSandboxFactory = Callable[[], SandboxHandle]
# ask(recipient count, practice, parent) -> None (cancelled), False (per recipient), True (batch)
AskFunction = Callable[[int, bool, QWidget | None], bool | None]
# show(outcomes, cancelled, parent)
ResultRunner = Callable[[list["TicketOutcome"], bool, QWidget | None], None]
# letters(pairs) -> the customer letters to attach as drafts
LettersFunction = Callable[[Pairs], list["Letter"]]


def practice_zendesk_sandbox() -> SandboxHandle:
    from app.sandbox.zendesk_server import ZendeskSandbox

    return ZendeskSandbox()


def ask_ticket_mode(recipients: int, practice: bool, parent: QWidget | None) -> bool | None:
    from app.ui.letters.ticket_dialogs import TicketAskDialog

    dialog = TicketAskDialog(recipients, practice=practice, parent=parent)
    try:
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.batch
    finally:
        dialog.deleteLater()


def show_ticket_result(
    outcomes: list[TicketOutcome], cancelled: bool, parent: QWidget | None
) -> None:
    from PySide6.QtCore import Qt

    from app.ui.letters.ticket_dialogs import TicketResultDialog

    dialog = TicketResultDialog(outcomes, cancelled=cancelled, parent=parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
    dialog.open()  # not modal to the app: the operator may keep it beside the grid


@dataclass(frozen=True)
class UnitProgress:
    done: int
    total: int
    waiting_s: float = 0.0


def escalate_units(
    units: list[list[EscalationItem]],
    make_account: Callable[[], ZendeskAccount],
    *,
    requester_is_recipient: bool,
    progress: Callable[[Any], None],
    on_page: Callable[[Any], None],
    cancel: CancelToken,
) -> list[TicketOutcome]:
    """The job: sign in (fails fast on a bad token), then one ticket (or note) per unit.

    Waits for 429 / back-off go through ``cancel.wait`` so キャンセル ends them at once, and
    are reported as progress. Each outcome is streamed (``on_page``) as soon as it exists, so a
    cancel or an error later keeps the links of what was already done.
    """
    from app.core.zendesk import Escalator, ZendeskClient

    done = 0
    total = len(units)

    def sleep(seconds: float) -> None:
        progress(UnitProgress(done, total, seconds))
        if cancel.wait(seconds):
            raise CancelledError()

    outcomes: list[TicketOutcome] = []
    with ZendeskClient(make_account(), sleep=sleep) as client:
        client.me()
        escalator = Escalator(client, requester_is_recipient=requester_is_recipient)
        for unit in units:
            cancel.raise_if_cancelled()
            progress(UnitProgress(done + 1, total))
            outcome = escalator.escalate_unit(unit)
            outcomes.append(outcome)
            done += 1
            on_page(outcome)
    return outcomes


def sign_in(make_account: Callable[[], ZendeskAccount], **_: Any) -> dict[str, Any]:
    """The connection test's job: ``users/me`` (retries are the client's, without waits)."""
    from app.core.zendesk import ZendeskClient

    with ZendeskClient(make_account(), max_attempts=2, max_wait_s=2.0) as client:
        return client.me()


class ZendeskController(FeatureController):
    """Creates tickets for selected entries; the window shows progress in the range bar.

    Signals (besides running / progress / done / failed):
        tickets_made: list[TicketOutcome], after a run (also a cancelled or failed one that
            made some): the details pane shows the new links.
        tested: dict (the agent) or TodokuError, the answer of ``test``.
    """

    tickets_made = Signal(object)
    tested = Signal(object)
    CANCELLING = texts.TICKETS_CANCELLING

    def __init__(
        self,
        runner: JobRunner,
        settings: SettingsKeeper,
        secrets: SecretStore,
        *,
        practice: Callable[[], bool],
        letters: LettersFunction,
        links_path: Path | None,
        sandbox_factory: ZendeskSandboxFactory = practice_zendesk_sandbox,
        ask: AskFunction = ask_ticket_mode,
        show_result: ResultRunner = show_ticket_result,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(runner, parent)
        self._settings = settings
        self.secrets = secrets
        self._practice = practice
        self._letters = letters
        self._links_path = links_path
        self._links: TicketLinks | None = None
        self.sandbox = LazySandbox(sandbox_factory, "Zendesk")
        self.ask = ask
        self.show_result = show_result
        self._outcomes: list[TicketOutcome] = []
        self._cancelled = False
        self._parent_widget: QWidget | None = None
        self._test_jobs: dict[int, Job] = {}
        self._closing = False

    @property
    def practice(self) -> bool:
        return self._practice()

    @property
    def links(self) -> TicketLinks:
        if self._links is None:
            from app.core.zendesk.links import LINKS_FILE, TicketLinks

            path = self._links_path / LINKS_FILE if self._links_path is not None else None
            self._links = TicketLinks(path)
        return self._links

    def details_text(self, entry: SuppressionEntry) -> str:
        """The details pane's Zendesk line for ``entry`` ("" when Todoku made no ticket)."""
        link = self.links.get(entry.email)
        if link is None:
            return ""
        try:
            when = datetime.fromisoformat(link.when).astimezone(JST).strftime("%Y/%m/%d %H:%M")
        except ValueError:
            when = link.when
        action = texts.ACTION_CREATED if link.created else texts.ACTION_APPENDED
        from app.core.zendesk.links import is_practice_link

        shown = (
            texts.DETAILS_TICKET_PRACTICE if is_practice_link(link.url) else texts.DETAILS_TICKET
        )
        return shown.format(when=when, action=action, url=link.url)

    # -- accounts ------------------------------------------------------------------------

    def account_maker(
        self, subdomain: str | None = None, email: str | None = None, token: str = ""
    ) -> Callable[[], ZendeskAccount]:
        """A function for the job thread that builds the account (and reads the keyring
        there). Practice mode: the imitation's own practice credentials."""
        from app.core.zendesk import ZendeskAccount

        if self.practice:
            from app.sandbox.zendesk_server import SANDBOX_ZENDESK_EMAIL, SANDBOX_ZENDESK_TOKEN

            base_url = self.sandbox.start()
            return lambda: ZendeskAccount.create(
                "", SANDBOX_ZENDESK_EMAIL, SANDBOX_ZENDESK_TOKEN, base_url
            )
        settings = self._settings.current
        sub = settings.zendesk_subdomain if subdomain is None else subdomain
        agent = settings.zendesk_email if email is None else email
        secrets = self.secrets
        return lambda: ZendeskAccount.create(sub, agent, token or secrets.get(ZENDESK_TOKEN))

    # -- connection test -----------------------------------------------------------------

    @Slot(str, str, str)
    def test(self, subdomain: str, email: str, token: str) -> None:
        """接続テスト with the values typed in the settings page (token "" = the saved one)."""
        try:
            maker = self.account_maker(subdomain, email, token)
        except Exception as error:  # the imitation did not start
            self.tested.emit(UnexpectedError.from_exception(error))
            return
        job = Job("zendesk-test", lambda **kw: sign_in(maker, **kw))
        job.signals.succeeded.connect(self._on_test_job_succeeded)
        job.signals.failed.connect(self._on_test_job_failed)
        job.signals.finished.connect(self._on_test_job_finished)
        self._test_jobs[id(job.signals)] = job
        self.runner.start(job, exclusive=False)

    @Slot(object)
    def _on_test_job_succeeded(self, user: dict[str, Any]) -> None:
        self.tested.emit(user)

    @Slot(object)
    def _on_test_job_failed(self, error: TodokuError) -> None:
        self.tested.emit(error)

    @Slot()
    def _on_test_job_finished(self) -> None:
        self._test_jobs.pop(id(self.sender()), None)

    # -- tickets -------------------------------------------------------------------------

    def start(self, pairs: Pairs, parent: QWidget | None = None) -> bool:
        """Ask how many tickets, then create them in a job; False when nothing started."""
        from app.core.zendesk import EscalationItem

        if not pairs or self.is_running():
            return False
        recipients = len({entry.email.lower() for entry, _ in pairs})
        batch = self.ask(recipients, self.practice, parent)
        if batch is None:
            return False
        letters = self._letters(pairs)
        by_address: dict[str, Letter] = {}
        for letter in letters:
            for email in letter.recipients:
                by_address.setdefault(email.lower(), letter)
        units: dict[str, list[EscalationItem]] = {}
        for entry, explanation in pairs:
            item = EscalationItem(entry, explanation, by_address.get(entry.email.lower()))
            units.setdefault("batch" if batch else entry.email.lower(), []).append(item)
        try:
            maker = self.account_maker()
        except TodokuError as error:
            self.failed.emit(error)
            return False
        requester = self._settings.current.zendesk_requester_is_recipient
        unit_list = list(units.values())
        self._outcomes = []
        self._cancelled = False
        self._parent_widget = parent

        def work(**kwargs: Any) -> list[TicketOutcome]:
            return escalate_units(unit_list, maker, requester_is_recipient=requester, **kwargs)

        log.info("zendesk: %d ticket(s) for %d recipient(s)", len(unit_list), recipients)
        return self.run("zendesk", work, texts.TICKETS_STARTING)

    def on_progress(self, progress: Any) -> None:
        if not isinstance(progress, UnitProgress):
            return
        if progress.waiting_s > 0:
            self.progress.emit(
                texts.TICKETS_WAITING.format(
                    seconds=progress.waiting_s, done=progress.done, total=progress.total
                )
            )
        else:
            self.progress.emit(
                texts.TICKETS_PROGRESS.format(done=progress.done, total=progress.total)
            )

    def on_page(self, outcome: Any) -> None:
        self._outcomes.append(outcome)
        self.links.remember([outcome], datetime.now(tz=JST))

    def on_succeeded(self, outcomes: Any) -> None:
        self._report()

    def on_failed(self, error: Any) -> None:
        if isinstance(error, CancelledError):
            self._cancelled = True
            self.done.emit(texts.TICKETS_CANCELLED.format(done=len(self._outcomes)))
            return
        super().on_failed(error)

    def _report(self) -> None:
        created = sum(1 for o in self._outcomes if o.created)
        self.done.emit(
            texts.TICKETS_DONE.format(created=created, appended=len(self._outcomes) - created)
        )

    def on_finished(self) -> None:
        outcomes = list(self._outcomes)
        if outcomes:
            self.tickets_made.emit(outcomes)
            if not self._closing:  # no dialog over a window that is gone
                self.show_result(outcomes, self._cancelled, self._parent_widget)

    def closing(self) -> None:
        """The window is closing: a ticket job ending now opens no result dialog (the tickets
        made so far are already in the links file, which the details pane reads)."""
        self._closing = True

    def shutdown(self) -> None:
        """After the pool is idle: stop the practice imitation."""
        self.sandbox.stop()
