"""AccountsController: the accounts of every provider, which one the window is on, saving them
(secrets only in the SecretStore), 接続テスト per account, practice imitations of CMC, Infobip and
SES, and the hand-cleaning guide where a provider has no delete API."""

from __future__ import annotations

import contextlib
import dataclasses
import logging
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QWidget

from app.core.accounts import (
    Account,
    ProviderName,
    credential_changes,
    forget_changes,
    load_credentials,
)
from app.core.errors import InvalidInputError, TodokuError, UnexpectedError
from app.core.journal_region import journal_region
from app.core.storage.secrets import SecretStore, SecretsUnreadableError, SecretsUnwritableError
from app.ui.accounts import account_facts as facts
from app.ui.accounts import account_texts as texts
from app.ui.accounts.credential_reads import CredentialReads
from app.ui.accounts.delete_routing import Item, split_by_mode
from app.ui.accounts.practice_sandboxes import (
    ProviderSandboxFactory,
    SandboxHandle,
    practice_credentials,
    practice_region,
)
from app.ui.feature import FeatureController
from app.ui.persist import SettingsKeeper
from app.ui.secret_writes import write_while_waiting
from app.ui.workers import Job, JobRunner, ReadAhead

if TYPE_CHECKING:
    from app.core.services import ConnectionConfig
    from app.core.storage.settings import AppSettings
    from app.core.types import DeletionGuidance, ListKind, ListPermissions

log = logging.getLogger(__name__)

T = TypeVar("T")

PRACTICE_TIMEOUT_S = 10.0

# show_guidance(guides, history, provider_label, api_count, parent): the guide for the rows a
# provider cannot delete by API (nothing is sent).
GuidanceRunner = Callable[
    [tuple["DeletionGuidance", ...], dict["ListKind", int], str, int, QWidget | None], None
]

# A keyring write (in a job, returning the keyring's refusal or None) as something runs it: the
# dialog that waits for it (saying so, and showing a refusal) returns True once it is written.
KeyringWrite = Callable[[], TodokuError | None]
WriteShower = Callable[[KeyringWrite], bool]


def run_guidance_dialog(
    guides: tuple[DeletionGuidance, ...],
    history: dict[ListKind, int],
    provider_label: str,
    api_count: int,
    parent: QWidget | None,
) -> None:
    from app.ui.accounts.guidance_dialog import GuidanceDialog

    dialog = GuidanceDialog(guides, history, provider_label, api_count, parent)
    try:
        dialog.exec()
    finally:
        dialog.deleteLater()


def live_config(
    account: Account,
    credentials: Mapping[str, str],
    settings: AppSettings,
    *,
    live_base_url: str | None,
    max_retries: int,
    label: str = "",
) -> ConnectionConfig:
    """The live connection of ``account`` with its credentials (no keyring: any thread)."""
    from app.core.services import ConnectionConfig

    base_url = account.base_url or None
    sendgrid = account.provider is ProviderName.SENDGRID
    if sendgrid:
        base_url = base_url or live_base_url
    return ConnectionConfig(
        api_key=credentials.get("api_key", "") if sendgrid else "",
        region=journal_region(account),  # as todoku-cli records it: claims coincide
        subuser=account.subuser,
        base_url=base_url,
        timeout_s=settings.timeout_s,
        max_concurrency=settings.max_concurrency,
        max_retries=max_retries,
        account=account,
        credentials=dict(credentials),
        account_label=label,
    )


class AccountsController(FeatureController):
    """Accounts live in the settings (``AppSettings.accounts``, ``active_account``); the default
    SendGrid account is today's key, region and subuser, reached through ``sendgrid_config``
    (the connection feature: practice sandbox or the saved key).

    Signals (besides running / progress / done / failed):
        switched: the window moved to another account, or the live account it is on was edited
            to connect elsewhere: the grid's rows belong to the old one.
        account_changed: Account, the account the window is on (after a switch or an edit).
        accounts_changed: an account was added, edited or removed.
        live_unavailable: the window is live but the new account has no credentials: the
            window goes to practice mode.
        switch_refused: a switch the window asked for (``request_switch``) did not happen
            (busy, the read failed or was cancelled): the chooser shows the account again.
        connection_tested: (account name, tuple[ListPermissions, ...] or TodokuError).
    """

    switched = Signal()
    account_changed = Signal(object)
    accounts_changed = Signal()
    live_unavailable = Signal()
    switch_refused = Signal()
    connection_tested = Signal(object)

    def __init__(
        self,
        runner: JobRunner,
        settings: SettingsKeeper,
        secrets: SecretStore,
        *,
        is_practice: Callable[[], bool],
        sendgrid_config: Callable[[], ConnectionConfig],
        sandbox_factory: ProviderSandboxFactory,
        show_guidance: GuidanceRunner = run_guidance_dialog,
        live_base_url: str | None = None,
        max_retries: int = 5,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(runner, parent)
        self.settings = settings
        self.secrets = secrets
        # Reads go through ``reads.store``: the keyring, or what a job read just before.
        self.reads = CredentialReads(secrets)
        self._is_practice = is_practice
        self._sendgrid_config = sendgrid_config
        self._sandbox_factory = sandbox_factory
        self._show_guidance = show_guidance
        self._live_base_url = live_base_url  # tests point SendGrid's "live" at a sandbox
        self._max_retries = max_retries
        self.sandboxes: dict[ProviderName, tuple[SandboxHandle, str]] = {}
        self._testing = ""

    # -- reading -------------------------------------------------------------------------

    @property
    def current(self) -> Account:
        return self.settings.current.current_account()

    def accounts(self) -> tuple[Account, ...]:
        return self.settings.current.all_accounts()

    def has_credentials(self, account: Account) -> bool:
        try:
            return not facts.missing_fields(account, self.reads.store)
        except SecretsUnreadableError:  # unknown: not shown as missing, the job will say why
            return True

    def masked_secrets(self, account: Account) -> dict[str, str]:
        """Field → masked saved value (for the edit dialog's placeholders); never the value."""
        from app.core.storage.secrets import mask_secret

        saved = {}
        store = self.reads.store
        for name, key in account.secret_names().items():
            try:
                value = store.get(key)
            except SecretsUnreadableError:  # a locked keyring: the field stays blank (unchanged)
                continue
            if value:
                saved[name] = mask_secret(value)
        return saved

    def live_problem(self) -> str:
        """Why live mode cannot run on the current account ("" when it can)."""
        account = self.current
        if not facts.missing_fields(account, self.reads.store):
            return ""
        if account.is_default:
            from app.ui import texts as shell_texts

            return shell_texts.LIVE_NEEDS_KEY
        return texts.LIVE_NEEDS_CREDENTIALS.format(label=account.label_ja)

    # -- keyring reads in a job ----------------------------------------------------------

    def read_ahead(self, accounts: tuple[Account, ...] | None = None) -> ReadAhead | None:
        """The keyring reads the GUI-thread calls about ``accounts`` (default: the current
        one) would make, as a job's work (``FeatureController.read_first``)."""
        return self.reads.read_ahead(accounts if accounts is not None else (self.current,))

    def config_read_ahead(self) -> ReadAhead | None:
        """What ``config`` reads for a live account other than the default one (whose key the
        connection feature reads); None when it reads nothing."""
        if self.current.is_default or self._is_practice():
            return None
        return self.read_ahead()

    def with_credentials_read(
        self,
        accounts: tuple[Account, ...],
        compute: Callable[[], T],
        then: Callable[[T], object],
    ) -> None:
        """Read ``accounts``' secrets in a job beside the others; then, on the GUI thread,
        ``compute()`` with those reads in place and ``then(result)`` after (a dialog it opens
        reads the keyring itself again, so a secret saved there is seen)."""
        ahead = self.read_ahead(accounts)
        if ahead is None:
            then(compute())
            return
        job = Job("account-read", ahead.work)
        use = ahead.use

        def done(read: object) -> None:
            with use(read):
                result = compute()
            then(result)

        job.signals.succeeded.connect(done)
        job.signals.failed.connect(self.failed)
        self.runner.start(job)

    # -- where jobs connect --------------------------------------------------------------

    def config(self) -> ConnectionConfig:
        """Where the next job connects for the current account (practice imitation or live).

        The default SendGrid account is the connection feature's, unchanged; any other account
        carries itself, its credentials and its journal label. Raises TodokuError.
        """
        from app.core.services import ConnectionConfig

        account = self.current
        practice = self._is_practice()
        if account.is_default:
            return self._sendgrid_config()
        label = facts.journal_label(account, practice)
        if account.provider is ProviderName.SENDGRID and practice:
            base = self._sendgrid_config()  # SendGrid's own practice sandbox
            return dataclasses.replace(base, account=account, account_label=label)
        if practice:
            provider = account.provider
            imitated = facts.practice_account(account, practice_region(provider))
            return ConnectionConfig(
                api_key="",
                region=journal_region(imitated),
                base_url=self._ensure_sandbox(provider),
                practice=True,
                timeout_s=PRACTICE_TIMEOUT_S,
                max_retries=self._max_retries,
                account=imitated,
                credentials=practice_credentials(provider),
                account_label=label,
            )
        if facts.missing_fields(account, self.reads.store):
            problem = self.live_problem()
            raise InvalidInputError(problem, next_step_ja=problem)
        return self._live_config(account, {}, label)

    def _live_config(
        self, account: Account, typed: Mapping[str, str], label: str = ""
    ) -> ConnectionConfig:
        credentials = load_credentials(account, self.reads.store, use_environment=False)
        credentials.update({k: v for k, v in typed.items() if v})
        return live_config(
            account,
            credentials,
            self.settings.current,
            live_base_url=self._live_base_url,
            max_retries=self._max_retries,
            label=label,
        )

    def _ensure_sandbox(self, provider: ProviderName) -> str:
        known = self.sandboxes.get(provider)
        if known is not None and not getattr(known[0], "running", True):
            # Ended from outside (OOM killer, antivirus, a log-out): start another.
            log.warning("practice %s imitation is no longer running", provider.value)
            del self.sandboxes[provider]
            with contextlib.suppress(Exception):
                known[0].stop()
            known = None
        if known is not None:
            return known[1]
        try:
            sandbox = self._sandbox_factory(provider)
            url = sandbox.start()
        except Exception as error:
            from app.ui import texts as shell_texts

            raise TodokuError(
                shell_texts.SANDBOX_START_FAILED,
                detail=UnexpectedError.from_exception(error).detail,
            ) from error
        self.sandboxes[provider] = (sandbox, url)
        log.info("practice %s imitation listening on %s", provider.value, url)
        return url

    def stop_sandboxes(self) -> None:
        sandboxes, self.sandboxes = self.sandboxes, {}
        for provider, (sandbox, _) in sandboxes.items():
            try:
                sandbox.stop()
            except Exception:  # closing anyway; note it for support
                log.exception("%s practice imitation did not stop cleanly", provider.value)

    # -- switching -----------------------------------------------------------------------

    def switch(self, name: str) -> bool:
        """Make ``name`` the window's account; the grid is cleared (``switched``)."""
        settings = self.settings.current
        if name == settings.current_account().name:
            return True
        if self.runner.exclusive_busy:
            self.failed.emit(InvalidInputError(texts.BUSY, next_step_ja=texts.BUSY))
            return False
        account = next((a for a in settings.all_accounts() if a.name == name), None)
        if account is None:
            return False
        self.settings.store(settings.replace(active_account="" if account.is_default else name))
        log.info("switched to account %s:%s", account.provider.value, account.name)
        self.switched.emit()
        self.account_changed.emit(account)
        try:
            problem = "" if self._is_practice() else self.live_problem()
        except SecretsUnreadableError:  # unknown: stay live; the next job says why it cannot
            problem = ""
        if problem:
            self.live_unavailable.emit()
            self.done.emit(texts.SWITCHED_TO_PRACTICE.format(label=account.label_ja))
        else:
            self.done.emit(texts.SWITCHED.format(label=account.label_ja))
        return True

    def request_switch(self, name: str) -> None:
        """The window's chooser: like ``switch``, but a live window reads the new account's
        credentials in a job first (``switch_refused`` when it does not happen)."""
        if name == self.current.name:
            return
        if self.runner.exclusive_busy:
            self.failed.emit(InvalidInputError(texts.BUSY, next_step_ja=texts.BUSY))
            self.switch_refused.emit()
            return
        account = next((a for a in self.accounts() if a.name == name), None)
        if account is None:
            self.switch_refused.emit()
            return
        ahead = None if self._is_practice() else self.read_ahead((account,))

        def then(using: contextlib.AbstractContextManager[None]) -> bool:
            with using:
                if not self.switch(name):
                    self.switch_refused.emit()
            return False  # no job follows

        started = self.read_first("switch", ahead, then, texts.READING_CREDENTIALS)
        if not started and ahead is not None:  # the lane was taken meanwhile
            self.switch_refused.emit()

    def read_cancelled(self) -> None:
        super().read_cancelled()
        self.switch_refused.emit()

    def on_failed(self, error: object) -> None:
        super().on_failed(error)
        self.switch_refused.emit()  # only ``read_first``'s reads end here

    # -- saving --------------------------------------------------------------------------
    #
    # The keyring is written in a job while the caller waits in a local event loop
    # (``write_while_waiting``): a slow keyring never holds the window. The settings follow the
    # secrets, never the other way round: when the keyring refuses, the account is left as it
    # was (a new one is not added, an edited one keeps its settings, a removed one stays), so
    # settings.json never names an account whose secrets are not where it says.

    def write_credentials(
        self, account: Account, credentials: Mapping[str, str], previous: Account | None = None
    ) -> TodokuError | None:
        """Write the typed secrets of ``account`` (and remove those ``previous`` kept that it
        no longer has) in a job; None when all are in the keyring, else the refusal."""
        changes = credential_changes(account, credentials, previous)
        return self._write(changes, texts.SAVE_REFUSED.format(name=account.name))

    def save_account(
        self,
        account: Account,
        credentials: Mapping[str, str],
        previous: Account | None = None,
        *,
        written: bool = False,
    ) -> bool:
        """Add ``account`` or replace ``previous`` (same name); typed secrets go to the keyring
        only (an empty mapping keeps what is saved). The settings file never sees a secret.

        The secrets are written first (``write_credentials``), unless ``written`` says the edit
        dialog's 保存 already did. If the keyring refuses, ``failed`` says so, nothing of the
        account is stored, and False is returned."""
        if not written and not self._report_refusal(
            lambda: self.write_credentials(account, credentials, previous)
        ):
            return False
        settings = self.settings.current
        before = self.current
        if account.is_default:
            settings = settings.replace(region=account.region or "global", subuser=account.subuser)
        else:
            others = list(settings.accounts)
            names = [a.name for a in others]
            if account.name in names:
                others[names.index(account.name)] = account
            else:
                others.append(account)
            settings = settings.replace(accounts=tuple(others))
        self.settings.store(settings)
        log.info(
            "account %s:%s saved (%d secrets typed)",
            account.provider.value,
            account.name,
            len([v for v in credentials.values() if v]),
        )
        self.accounts_changed.emit()
        if account.name == self.current.name:
            typed = any(credentials.values())
            if not self._is_practice() and (typed or self.current != before):
                self.switched.emit()  # live jobs reach another server or account now
            self.account_changed.emit(self.current)
        return True

    def remove_account(self, name: str, show_write: WriteShower | None = None) -> bool:
        """Remove a (non-default) account and its secrets; the window returns to the default
        account if it was on this one. The secrets are removed first, in a job that
        ``show_write`` waits for (the アカウントの管理 dialog; by default a refusal goes to
        ``failed``); if the keyring refuses, the account stays, to be removed again later."""
        settings = self.settings.current
        account = next((a for a in settings.accounts if a.name == name), None)
        if account is None or account.is_default:
            return False
        active = account.name == settings.current_account().name
        if active and self.runner.exclusive_busy:
            self.failed.emit(InvalidInputError(texts.BUSY, next_step_ja=texts.BUSY))
            return False
        if not (show_write or self._report_refusal)(lambda: self._forget(account)):
            return False
        settings = self.settings.current  # as it is now, after the wait
        active = account.name == settings.current_account().name
        remaining = tuple(a for a in settings.accounts if a.name != name)
        self.settings.store(
            settings.replace(
                accounts=remaining, active_account="" if active else settings.active_account
            )
        )
        log.info("account %s:%s removed", account.provider.value, account.name)
        self.accounts_changed.emit()
        if active:
            self.switched.emit()
            self.account_changed.emit(self.current)
        return True

    def _forget(self, account: Account) -> TodokuError | None:
        refused = texts.REMOVE_REFUSED.format(name=account.name)
        return self._write(forget_changes(account), refused, texts.REMOVE_REFUSED_NEXT)

    def _write(
        self, changes: dict[str, str], refused_ja: str, next_step_ja: str | None = None
    ) -> TodokuError | None:
        """Write ``changes`` (keyring name: value, "" removes) in a job; None when all are
        written, else the refusal, worded for this account when the keyring refused."""
        error = write_while_waiting(self.runner, self.secrets, changes)
        if changes:
            self.reads.written()  # even a refused write may have written the ones before it
        if isinstance(error, SecretsUnwritableError):
            return SecretsUnwritableError(
                refused_ja, next_step_ja=next_step_ja, detail=error.detail
            )
        return error

    def _report_refusal(self, write: KeyringWrite) -> bool:
        """Run ``write`` with no dialog to show it: a refusal goes to ``failed``."""
        error = write()
        if error is not None:
            self.failed.emit(error)
        return error is None

    # -- 接続テスト -------------------------------------------------------------------------

    def test(self, account: Account, typed: Mapping[str, str]) -> None:
        """Ask the provider which lists the credentials (typed, else saved) may read and
        delete, in a job; reports through ``connection_tested``."""
        from app.core.services import check_permissions, provider_factory

        self._testing = account.name
        settings, secrets, typed = self.settings.current, self.secrets, dict(typed)
        live_base_url, max_retries = self._live_base_url, self._max_retries

        def work(**kwargs: Any) -> tuple[ListPermissions, ...]:
            # The saved credentials are read here, on the job's thread (a slow keyring).
            credentials = load_credentials(account, secrets, use_environment=False)
            credentials.update({k: v for k, v in typed.items() if v})
            config = live_config(
                account,
                credentials,
                settings,
                live_base_url=live_base_url,
                max_retries=max_retries,
            )
            return check_permissions(provider_factory(config), **kwargs)

        job = Job("account_test", work)
        job.signals.succeeded.connect(self._on_test_succeeded)
        job.signals.failed.connect(self._on_test_failed)
        self.runner.start(job)

    @Slot(object)
    def _on_test_succeeded(self, permissions: tuple[ListPermissions, ...]) -> None:
        self.connection_tested.emit((self._testing, permissions))

    @Slot(object)
    def _on_test_failed(self, error: TodokuError) -> None:
        self.connection_tested.emit((self._testing, error))

    # -- deletion where the API has none -------------------------------------------------

    def guide_deletion(self, items: Iterable[Item], parent: QWidget | None = None) -> list[Item]:
        """Show the provider's console guide for rows it cannot delete by API (CMC blocks) and
        say why history lists cannot be cleaned (CMC bounces); nothing is sent for them.
        Returns the rows that go through the usual confirmation and deletion."""
        chosen = list(items)
        account = self.current
        if account.provider is ProviderName.SENDGRID or not chosen:
            return chosen
        from app.core.providers.base import deletion_guidance, deletion_mode
        from app.core.services import provider_factory

        try:
            provider = provider_factory(self.config())()
        except TodokuError as error:
            self.failed.emit(error)
            return []
        try:
            split = split_by_mode(chosen, lambda kind: deletion_mode(provider, kind))
            guides = tuple(
                guide
                for kind, emails in split.guided.items()
                if (guide := deletion_guidance(provider, kind, emails)) is not None
            )
        finally:
            provider.close()
        if guides or split.history:
            log.info(
                "deletion guidance shown: %d addresses guided, %d history rows, nothing sent",
                sum(len(g.emails) for g in guides),
                sum(split.history.values()),
            )
            self._show_guidance(
                guides, split.history, account.provider.label_ja, len(split.api), parent
            )
        return split.api
