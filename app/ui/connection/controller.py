"""ConnectionController: practice or live account, the practice sandbox, the saved keys and
the settings every job's connection is built from; the 接続テスト job."""

from __future__ import annotations

import contextlib
import dataclasses
import logging
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import QObject, Signal, Slot

from app.core.cancel import CancelToken
from app.core.dates import today_jst, unix_bounds
from app.core.errors import InvalidInputError, TodokuError, UnexpectedError
from app.core.storage.secrets import (
    LLM_KEY,
    SENDGRID_KEY,
    SecretStore,
    SecretsUnreadableError,
    mask_secret,
)
from app.core.storage.settings import AppSettings
from app.core.types import DateRange
from app.ui import texts
from app.ui.feature import FeatureController
from app.ui.persist import SettingsKeeper
from app.ui.workers import Job, JobRunner, ReadAhead

if TYPE_CHECKING:
    from app.core.services import ConnectionConfig
    from app.core.types import ListPermissions
    from app.sandbox.sendgrid_server import SendGridSandbox

log = logging.getLogger(__name__)

PRACTICE_ENTRIES = 3000
PRACTICE_DAYS = 60
PRACTICE_SEED = 20240601
PRACTICE_INCIDENT_DAYS_AGO = 3  # practice data shows what a bad delivery day looks like
PRACTICE_INCIDENT_RATIO = 0.88


class SandboxHandle(Protocol):
    def start(self) -> str: ...

    def stop(self) -> None: ...


SandboxFactory = Callable[[], SandboxHandle]


def practice_sandbox() -> SandboxHandle:
    """The built-in SendGrid imitation with ~60 days of generated data (imported lazily).

    It runs as a child process where possible: in the app's process its HTTP threads and
    records would compete with the GUI thread for the GIL and the garbage collector.
    """
    from app.sandbox.sendgrid_server import SANDBOX_API_KEY
    from app.ui.connection.practice_server import ChildSandbox, cli_command

    if cli_command() is not None:
        return ChildSandbox(
            entries=PRACTICE_ENTRIES,
            seed=PRACTICE_SEED,
            api_key=SANDBOX_API_KEY,
            incident_days_ago=PRACTICE_INCIDENT_DAYS_AGO,
        )
    # A frozen build has no interpreter to run `-m app.cli` with: serve in-process instead.
    return in_process_practice_sandbox()


def provider_practice_sandbox(provider: str) -> SandboxHandle:
    """Practice mode's CMC, Infobip or SES imitation, as a child process like SendGrid's
    (``todoku-cli sandbox --provider``); in a frozen build, served in-process."""
    from app.ui.connection.practice_server import ChildSandbox, cli_command

    if cli_command() is not None:
        return ChildSandbox(
            entries=PRACTICE_ENTRIES, seed=PRACTICE_SEED, api_key=None, provider=str(provider)
        )
    from app.paths import resources_dir
    from app.sandbox.practice import practice_sandbox as imitation

    reasons = resources_dir() / "sandbox" / "bounce-reasons.jsonl"
    sandbox: SandboxHandle = imitation(
        str(provider), entries=PRACTICE_ENTRIES, seed=PRACTICE_SEED, reasons_path=reasons
    )
    return sandbox


def in_process_practice_sandbox() -> SendGridSandbox:
    """The same practice data served from this process (frozen builds; the screenshots)."""
    from app.sandbox.scenarios import generate_records
    from app.sandbox.sendgrid_server import SANDBOX_API_KEY, SendGridSandbox

    today = today_jst()
    start, _ = unix_bounds(DateRange(today - timedelta(days=PRACTICE_DAYS), today))
    _, end = unix_bounds(DateRange(today, today))
    records = generate_records(PRACTICE_ENTRIES, seed=PRACTICE_SEED, start=start, end=end)
    sandbox = SendGridSandbox(records=records, api_keys={SANDBOX_API_KEY: None})
    sandbox.set_bad_day(
        today - timedelta(days=PRACTICE_INCIDENT_DAYS_AGO),
        delivered_ratio=PRACTICE_INCIDENT_RATIO,
    )
    return sandbox


def _sandbox_key() -> str:
    from app.sandbox.sendgrid_server import SANDBOX_API_KEY

    return SANDBOX_API_KEY


class ConnectionController(FeatureController):
    """Which account the app talks to, and how.

    Signals (besides running / progress / done / failed):
        mode_changed: bool, True in practice mode.
        switched: where jobs connect changed (the mode, or 設定's key, server, subuser or
            region for the live account): the grid's rows belong to the old connection.
        key_loaded: the saved SendGrid key was read (``masked_key`` is up to date).
        connection_tested: tuple[ListPermissions, ...] or TodokuError.
    """

    mode_changed = Signal(bool)
    switched = Signal()
    key_loaded = Signal()
    connection_tested = Signal(object)

    def __init__(
        self,
        runner: JobRunner,
        settings: SettingsKeeper,
        secrets: SecretStore,
        *,
        sandbox_factory: SandboxFactory = practice_sandbox,
        live_base_url: str | None = None,
        max_retries: int = 5,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(runner, parent)
        self.settings = settings
        self.secrets = secrets
        self._sandbox_factory = sandbox_factory
        self._live_base_url = live_base_url  # tests point "live" at a loopback sandbox
        self._max_retries = max_retries  # tests shorten the back-off sequence
        self.sandbox: SandboxHandle | None = None
        self._sandbox_url = ""
        # The mode comes from the settings file alone: reading the key would probe the OS
        # keyring (80–100 ms) before the first paint. practice_mode is False only after a switch
        # to live that found a key; a key removed from the keyring since is found by the key
        # read just after the first paint (load_key_later), which switches to practice.
        self.practice = settings.current.practice_mode
        # Why the window starts in practice mode although live was chosen, for the window to
        # show once (None: nothing to say).
        self.start_note: TodokuError | None = None
        if not self.practice and settings.current.live_keys_in_memory:
            # Live mode ran on keys held in memory (no OS keyring): they ended with that
            # session, and a 本番 banner over an account that cannot fetch misleads.
            self.practice = True
            settings.store(settings.current.replace(practice_mode=True, live_keys_in_memory=False))
            self.start_note = InvalidInputError(
                texts.KEYS_GONE_AT_START, next_step_ja=texts.KEYS_GONE_AT_START_NEXT
            )
        self.masked_key = ""  # "••••abcd" once the live key has been read
        self._keys_saved = 0  # a key read in a job before the last save is stale
        self._key_reads: dict[int, CancelToken] = {}  # running key reads, by their signals
        self._key_read_ahead: str | None = None  # read by a job for the config() being built
        # Set by the accounts feature: why live mode cannot run on the current account ("" when
        # it can). None: the default SendGrid account's key alone decides.
        self.live_problem: Callable[[], str] | None = None
        # Set by the accounts feature with ``live_problem``: the keyring reads it makes, done
        # in a job before a switch to live (None: the default account's key alone).
        self.live_read_ahead: Callable[[], ReadAhead | None] | None = None

    # -- the live key --------------------------------------------------------------------

    def has_live_key(self) -> bool:
        return bool(self._read_live_key())

    def _read_live_key(self) -> str:
        """The saved key ("" when none); raises SecretsUnreadableError when the keyring could
        not be read, which says nothing about whether a key is saved."""
        key = self._key_read_ahead
        if key is None:
            key = self.secrets.get(SENDGRID_KEY)
        self.masked_key = mask_secret(key)
        return key

    def read_ahead(self, *, live: bool = False) -> ReadAhead | None:
        """The keyring read ``config`` makes in live mode, as a job's work, so that a fetch
        reads the key off the GUI thread first (a slow keyring froze the window). None in
        practice mode (unless ``live``: about to switch): there is nothing slow to read."""
        if self.practice and not live:
            return None
        secrets, saved = self.secrets, self._keys_saved
        return ReadAhead(lambda **_: (saved, secrets.get(SENDGRID_KEY)), self._using_key_read)

    @contextlib.contextmanager
    def _using_key_read(self, read: tuple[int, str]) -> Iterator[None]:
        saved, key = read
        # A key saved while the job read the keyring makes its read stale: read again.
        self._key_read_ahead = key if saved == self._keys_saved else None
        try:
            yield
        finally:
            self._key_read_ahead = None

    def save_settings(
        self,
        settings: AppSettings,
        sendgrid_key: str | None,
        llm_key: str | None,
        *,
        keys_written: bool = False,
    ) -> None:
        """Store what the settings dialog returned (keys: None = unchanged, "" = remove).
        ``keys_written``: the dialog's job has already put the keys into the keyring (the
        settings flow does, off the GUI thread); only the rest is stored here."""
        if sendgrid_key is not None:
            if not keys_written:
                self.secrets.set(SENDGRID_KEY, sendgrid_key)
            self.masked_key = mask_secret(sendgrid_key)
            self._keys_saved += 1
        if llm_key is not None and not keys_written:
            self.secrets.set(LLM_KEY, llm_key)
        previous = self.settings.current
        self.settings.store(settings)
        if sendgrid_key == "" and not self.practice:
            self.set_practice(True)
        elif self._live_connection_changed(previous, settings, sendgrid_key is not None):
            self.switched.emit()

    def _live_connection_changed(
        self, previous: AppSettings, settings: AppSettings, key_typed: bool
    ) -> bool:
        """Whether live jobs now reach another account or server: the rows fetched before
        belong to the old one. Practice mode and the other providers' accounts are unaffected."""
        if self.practice or not settings.current_account().is_default:
            return False
        return key_typed or (
            (previous.sendgrid_base_url, previous.region, previous.subuser)
            != (settings.sendgrid_base_url, settings.region, settings.subuser)
        )

    def load_key_later(self) -> None:
        """In live mode, read the saved key in a job (for the masked key in the title).

        Called after the first paint: the first keyring access may take 100 ms.
        """
        if self.practice or self.masked_key:
            return
        # The job only reads; masked_key is set on the GUI thread (the slot), and not at all if
        # a key was saved meanwhile: the job's older key would hide the new one.
        secrets, saved = self.secrets, self._keys_saved
        job = Job("key", lambda **_: (saved, secrets.get(SENDGRID_KEY)))
        job.signals.succeeded.connect(self._on_key_job_succeeded)
        if self.runner.start(job):
            self._key_reads[id(job.signals)] = job.cancel

    @Slot(object)
    def _on_key_job_succeeded(self, read: tuple[int, str]) -> None:
        # The answer of a read cancelled meanwhile (the window closed while the keyring took
        # its time) is dropped: the window it would update may be gone.
        cancel = self._key_reads.pop(id(self.sender()), None)
        if cancel is None or cancel.cancelled:
            return
        saved, key = read
        if saved != self._keys_saved:
            self.key_loaded.emit()
            return
        self.masked_key = mask_secret(key)
        self.key_loaded.emit()
        # Live was chosen, but the keyring holds no key any more (removed by another tool or a
        # colleague): practice now, rather than a 本番 banner until the first 取得.
        default = self.settings.current.current_account().is_default
        if not key and not self.practice and default and self.set_practice(True):
            next_step = texts.LIVE_NEEDS_KEY_NEXT
            self.failed.emit(InvalidInputError(texts.KEY_MISSING_AT_START, next_step_ja=next_step))

    # -- mode ----------------------------------------------------------------------------

    def switch_mode(self, practice: bool) -> None:
        """The window's practice/live switch: going live reads the keyring in a job first
        (``running`` meanwhile, cancellable), then ``set_practice``; the keyring's refusal is
        reported through ``failed`` like any other reason live mode cannot run."""
        if practice or self.runner.exclusive_busy:
            self.set_practice(practice)
            return
        if self.live_read_ahead is not None:
            ahead = self.live_read_ahead()
        else:
            ahead = self.read_ahead(live=True)

        def then(using: contextlib.AbstractContextManager[None]) -> bool:
            with using:
                self.set_practice(False)
            return False  # no job follows

        self.read_first("mode", ahead, then, texts.READING_KEY)

    def set_practice(self, practice: bool) -> bool:
        """Switch modes explicitly; live needs a saved key. Returns whether the switch happened."""
        if self.runner.exclusive_busy:
            return False
        if not practice:
            try:
                problem = self.live_problem() if self.live_problem is not None else ""
                if self.live_problem is None and not self.has_live_key():
                    problem = texts.LIVE_NEEDS_KEY
            except SecretsUnreadableError as error:  # not "no key": say the keyring is locked
                self.failed.emit(error)
                return False
            if problem:
                next_step = (
                    texts.LIVE_NEEDS_KEY_NEXT if problem == texts.LIVE_NEEDS_KEY else problem
                )
                self.failed.emit(InvalidInputError(problem, next_step_ja=next_step))
                return False
        if practice != self.practice:
            self.practice = practice
            self.switched.emit()
            # Without an OS keyring the key lives in this session only: the next start must
            # know live mode cannot resume (the store was made by the key read just done).
            in_memory = not practice and not self.secrets.persistent
            self.settings.store(
                self.settings.current.replace(practice_mode=practice, live_keys_in_memory=in_memory)
            )
            self.mode_changed.emit(practice)
        return True

    def config(self) -> ConnectionConfig:
        """Where the next job connects: the practice sandbox (started on first use) or the
        live account with the saved key. Raises TodokuError when neither is possible."""
        from app.core.services import ConnectionConfig  # with the first job, not at start-up

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
            self.switched.emit()  # the rows shown are the live account's
            self.settings.store(
                self.settings.current.replace(practice_mode=True, live_keys_in_memory=False)
            )
            self.mode_changed.emit(True)
            raise InvalidInputError(texts.LIVE_NEEDS_KEY, next_step_ja=texts.LIVE_NEEDS_KEY_NEXT)
        return self._live_config(api_key)

    def _live_config(
        self,
        api_key: str,
        region: str | None = None,
        subuser: str | None = None,
        base_url: str | None = None,
    ) -> ConnectionConfig:
        """The live connection; ``base_url``: the one typed in the dialog (None: the saved
        setting). Raises InvalidInputError for a base URL the key must not go to."""
        from app.core.base_url import normalize_base_url
        from app.core.services import ConnectionConfig

        settings = self.settings.current
        typed = settings.sendgrid_base_url if base_url is None else base_url
        return ConnectionConfig(
            api_key=api_key,
            region=region or settings.region,
            subuser=settings.subuser if subuser is None else subuser.strip(),
            base_url=self._live_base_url or normalize_base_url(typed) or None,
            timeout_s=settings.timeout_s,
            max_concurrency=settings.max_concurrency,
            max_retries=self._max_retries,
        )

    def _ensure_sandbox(self) -> str:
        if self.sandbox is not None and not getattr(self.sandbox, "running", True):
            # The child was ended from outside (OOM killer, antivirus, a log-out): start
            # another rather than hand out a URL nothing listens on any more.
            log.warning("practice sandbox is no longer running; starting it again")
            self.stop_sandbox()
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

    def stop_sandbox(self) -> None:
        if self.sandbox is not None:
            try:
                self.sandbox.stop()
            except Exception:  # closing anyway; note it for support
                log.exception("sandbox did not stop cleanly")
            self.sandbox = None

    # -- connection test -----------------------------------------------------------------

    def test(self, typed_key: str, region: str, subuser: str, base_url: str | None = None) -> None:
        """Ask /v3/scopes with the typed key (or the saved one) in a job; reports through
        ``connection_tested``. ``base_url``: as typed in the dialog (None: the saved one)."""
        from app.core.services import check_permissions, sendgrid_factory

        try:  # checks the typed server before any key is read
            config = self._live_config(typed_key.strip(), region, subuser, base_url)
        except TodokuError as error:
            self.connection_tested.emit(error)
            return
        secrets = self.secrets

        def work(**kwargs: Any) -> tuple[ListPermissions, ...]:
            # The saved key is read here, on the job's thread: a slow or locked keyring holds
            # the job, never the settings dialog (SecretsUnreadableError says why).
            key = config.api_key or secrets.get(SENDGRID_KEY)
            return check_permissions(
                sendgrid_factory(dataclasses.replace(config, api_key=key)), **kwargs
            )

        job = Job("connection_test", work)
        job.signals.succeeded.connect(self._on_test_succeeded)
        job.signals.failed.connect(self._on_test_failed)
        self.runner.start(job)

    @Slot(object)
    def _on_test_succeeded(self, permissions: tuple[ListPermissions, ...]) -> None:
        self.connection_tested.emit(permissions)

    @Slot(object)
    def _on_test_failed(self, error: TodokuError) -> None:
        self.connection_tested.emit(error)
