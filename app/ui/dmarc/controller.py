"""DmarcController: DMARC report import (files, folders, IMAP, practice reports), the DNS check
of the published records and the xlsx export, each as a job with progress and cancel.

The DMARC package is imported inside the jobs only (it is not needed at start-up, see
docs/dmarc.md). DMARC jobs take the runner's shared lane, not the exclusive one: reading
reports conflicts with no fetch, deletion or export of the suppression lists; the controller
itself runs one DMARC job at a time.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal, Slot

from app import __version__
from app.core.cancel import CancelToken
from app.core.errors import CancelledError, TodokuError
from app.core.storage.secrets import (
    SecretStore,
    SecretsUnreadableError,
    SecretsUnwritableError,
    write_secrets,
)
from app.ui.dmarc import texts
from app.ui.feature import FeatureController
from app.ui.workers import Job, JobRunner

if TYPE_CHECKING:
    import dns.resolver

    from app.core.dmarc.analysis import DmarcResult
    from app.core.dmarc.imap_source import ImapSettings
    from app.core.dmarc.service import PublishedCheck

log = logging.getLogger(__name__)

# () -> the resolver for live mode, or None when DNS cannot be asked (tests pass their own).
ResolverFactory = Callable[[], "dns.resolver.Resolver | None"]
PRACTICE_REPORTS = 40  # eight days from each of the five reporters
# Named so that its red 「読み込めなかったファイル」 reads as part of the exercise, not as a fault.
PRACTICE_BROKEN_NAME = "練習用_わざと壊したレポート.xml.gz"
_CANCELLED = {
    "import": texts.IMPORT_CANCELLED,
    "check": texts.CHECK_CANCELLED,
    "export": texts.EXPORT_CANCELLED,
}


def system_resolver() -> dns.resolver.Resolver | None:
    from app.core.dmarc.dns_check import make_resolver
    from app.core.dmarc.errors import DnsUnavailableError

    try:
        return make_resolver()
    except DnsUnavailableError:
        return None


@contextmanager
def practice_resolver() -> Iterator[dns.resolver.Resolver]:
    """A resolver that asks only the loopback DNS imitation serving the practice domain."""
    from app.core.dmarc.dns_check import make_resolver
    from app.sandbox.dmarc_reports import practice_dns_records
    from app.sandbox.dns_server import DnsSandbox

    sandbox = DnsSandbox(practice_dns_records()).start()
    try:
        yield make_resolver("127.0.0.1", sandbox.port)
    finally:
        sandbox.stop()


@dataclass(frozen=True, slots=True)
class Imported:
    """An import's result and what it was read from (for the export's 条件 sheet)."""

    result: DmarcResult
    inputs: tuple[str, ...]
    practice: bool


@dataclass(frozen=True, slots=True)
class Checked:
    """The DNS check and the policy advice built from it and the reports."""

    published: PublishedCheck
    advice_ja: tuple[str, ...]


def write_practice_reports(folder: Path) -> list[Path]:
    """Generated reports as receivers send them, one resent (a duplicate) and one broken
    file, so the practice import shows every part of the tab."""
    from app.sandbox.dmarc_reports import generate_reports, pack, write_report_files

    reports = list(generate_reports(PRACTICE_REPORTS))
    paths = write_report_files(folder, reports)
    name, data = pack(reports[0], "xml")
    resent = folder / ("再送-" + name)
    resent.write_bytes(data)
    broken = folder / PRACTICE_BROKEN_NAME
    broken.write_bytes(b"\x1f\x8b\x08\x00" + b"\x00" * 20)  # a gzip cut off after its header
    return [*paths, resent, broken]


def analyse(
    paths: Sequence[Path],
    mailbox: Any,
    resolve: Callable[[], Any],
    *,
    progress: Callable[[Any], None] | None = None,
    on_page: Callable[[Any], None] | None = None,
    cancel: CancelToken | None = None,
) -> DmarcResult:
    """Import + aggregate, then reverse names (``resolve`` is a context manager factory)."""
    del on_page  # the job calling convention; the result comes at once
    from app.core.dmarc.dns_check import resolve_sources
    from app.core.dmarc.service import analyse_reports

    files = [0, 0]  # done, total (0 = not known)

    def files_done(done: int, total: int) -> None:
        files[:] = [done, total]
        if progress is not None and done:
            progress((done, total))

    def inside_file(read: int, size: int) -> None:
        if progress is not None and size:
            progress((files[0] + 1, files[1], read * 100 // size))

    result = analyse_reports(
        paths=paths,
        mailbox=mailbox,
        progress=files_done,
        cancel=cancel,
        document_progress=inside_file,
    )
    if cancel is not None:
        cancel.raise_if_cancelled()
    if progress is not None:
        progress(texts.RESOLVING)
    with resolve() as resolver:
        sources = resolve_sources(result.sources, resolver, cancel=cancel)
    return replace(result, sources=sources)


class DmarcController(FeatureController):
    """Signals:
    running / progress / done / failed: see FeatureController.
    imported(Imported): a new import replaces the shown one (not after cancel or error).
    checked(Checked): the DNS check ended (``published.offline_ja`` says when it could not).
    exported(Path): the workbook was written.
    """

    imported = Signal(object)
    checked = Signal(object)
    exported = Signal(object)

    CANCELLING = texts.CANCELLING

    def __init__(
        self,
        runner: JobRunner,
        secrets: SecretStore,
        *,
        is_practice: Callable[[], bool],
        live_resolver: ResolverFactory = system_resolver,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(runner, parent)
        self._secrets = secrets
        self._is_practice = is_practice
        self._live_resolver = live_resolver
        self.current: Imported | None = None
        self.last_check: Checked | None = None
        self._kind = ""  # "import", "check" or "export": what the running job does
        self._pending: tuple[tuple[str, ...], bool] = ((), False)  # the import's inputs
        # A typed password the keyring refused to store (the import itself went well).
        self._password_unsaved: list[SecretsUnwritableError] = []

    # -- intents ---------------------------------------------------------------------------

    def import_paths(self, paths: Sequence[Path]) -> bool:
        """Read files and folders (from the dialogs or a drop)."""
        paths = [Path(path) for path in paths]
        if not paths:
            return False
        inputs = tuple(str(path) for path in paths)
        resolve = self._resolver_context()
        return self._start_import(
            inputs, lambda **kw: analyse(paths, None, resolve, **kw), practice=False
        )

    def import_mailbox(self, settings: ImapSettings, password: str = "") -> bool:
        """Read an IMAP folder (read-only). A new ``password`` goes to the keyring once the
        import has succeeded; empty means the stored one."""
        from app.core.dmarc.imap_source import IMAP_PASSWORD_SECRET
        from app.core.dmarc.service import MailboxRequest

        secrets = self._secrets
        label = f"IMAP {settings.username}@{settings.host}:{settings.port}/{settings.folder}"
        resolve = self._resolver_context()
        unsaved = self._password_unsaved = []

        def work(**kw: Any) -> DmarcResult:
            # The stored password is read here, on the job's thread: a slow keyring holds the
            # import, never the window (a locked one fails it with SecretsUnreadableError).
            mailbox = MailboxRequest(settings, password or secrets.get(IMAP_PASSWORD_SECRET))
            result = analyse((), mailbox, resolve, **kw)
            if password:
                # Kept once the server has accepted it, so a typo is not stored; written here
                # too, for a slow keyring holds the window as much on a write as on a read.
                try:
                    write_secrets(secrets, {IMAP_PASSWORD_SECRET: password})
                except SecretsUnwritableError as error:
                    unsaved.append(error)
            return result

        return self._start_import((label,), work, practice=False)

    @Slot(object)
    def import_choice(self, choice: Any) -> bool:
        """The IMAP dialog's ``ImapChoice``."""
        return self.import_mailbox(imap_settings(choice), choice.password)

    def read_password_stored(self, answer: Callable[[bool], None]) -> None:
        """Whether an IMAP password is stored, read in a job (a slow keyring held the window
        while the dialog opened): ``answer(stored)`` on the GUI thread once it is known.
        Unreadable counts as stored: the import then says why it cannot read it."""
        from app.core.dmarc.imap_source import IMAP_PASSWORD_SECRET

        secrets = self._secrets

        def work(**_: Any) -> bool:
            try:
                return bool(secrets.get(IMAP_PASSWORD_SECRET))
            except SecretsUnreadableError:
                return True

        job = Job("dmarc-password-read", work)
        job.signals.succeeded.connect(answer)
        self.runner.start(job)

    def load_practice(self) -> bool:
        """Practice mode: generated reports for a made-up domain, DNS from the loopback
        imitation (so the reverse names and the record check work offline too)."""
        if not self._is_practice():
            return False

        def work(**kw: Any) -> DmarcResult:
            with tempfile.TemporaryDirectory(prefix="todoku-dmarc-practice-") as folder:
                write_practice_reports(Path(folder))
                result = analyse([Path(folder)], None, practice_resolver, **kw)
            return _renamed_origins(result, folder)

        return self._start_import((texts.LOAD_PRACTICE,), work, practice=True)

    def check_published(self, dkim_selectors: Sequence[str] = ()) -> bool:
        """Check the imported domains' DMARC/SPF/DKIM records over DNS, then advise."""
        current = self.current
        if current is None or self.job is not None:
            return False
        resolve = practice_resolver if current.practice else self._resolver_context()
        result = current.result
        selectors = tuple(s for s in dkim_selectors if s)

        def work(*, cancel: CancelToken | None = None, **_: Any) -> Checked:
            from app.core.dmarc.service import check_published_records

            with resolve() as resolver:
                published = check_published_records(
                    result.check_order, resolver, dkim_selectors=selectors, cancel=cancel
                )
            if cancel is not None:  # also after the last query
                cancel.raise_if_cancelled()
            return Checked(published, _advice(result, published))

        self._kind = "check"
        return self.run("dmarc-check", work, texts.CHECKING_DNS, exclusive=False)

    def export_to(self, path: Path) -> bool:
        """Write the shown result to ``path`` (xlsx)."""
        current = self.current
        if current is None or self.job is not None:
            return False
        check = self.last_check
        context_note = ""
        advice: tuple[str, ...] = ()
        if check is not None:
            context_note = check.published.offline_ja or texts.DNS_DONE
            if check.published.left_out_ja:
                context_note += f" {check.published.left_out_ja}"
            advice = check.advice_ja
        inputs, result = current.inputs, current.result

        def work(*, cancel: CancelToken | None = None, **_: Any) -> Path:
            from app.core.dmarc.export_xlsx import DmarcExportContext, export_dmarc_xlsx

            if cancel is not None:
                cancel.raise_if_cancelled()
            context = DmarcExportContext(
                inputs=inputs,
                exported_at=datetime.now().astimezone(),
                app_version=__version__,
                dns_note_ja=context_note,
                advice_ja=advice,
            )
            written = export_dmarc_xlsx(result, context, Path(path))
            if cancel is not None and cancel.cancelled:
                written.unlink(missing_ok=True)  # cancelled while saving: leave no file
                cancel.raise_if_cancelled()
            return written

        self._kind = "export"
        return self.run("dmarc-export", work, texts.EXPORTING, exclusive=False)

    # -- job results -----------------------------------------------------------------------

    def _start_import(
        self,
        inputs: tuple[str, ...],
        work: Callable[..., DmarcResult],
        *,
        practice: bool,
    ) -> bool:
        if self.job is not None:
            return False
        self._pending = (inputs, practice)
        self._kind = "import"
        log.info("dmarc import: %d input(s), practice=%s", len(inputs), practice)
        return self.run("dmarc-import", work, texts.IMPORTING, exclusive=False)

    def _resolver_context(self) -> Callable[[], Any]:
        factory = self._live_resolver

        @contextmanager
        def live() -> Iterator[Any]:
            yield factory()

        return live

    @Slot(object)
    def on_progress(self, progress: Any) -> None:
        if self.job is None or self.job.cancel.cancelled:
            return
        if isinstance(progress, str):
            self.progress.emit(progress)
            return
        if len(progress) == 3:  # inside a large report: (file reached, files, percent)
            current, total, percent = progress
            line = texts.IMPORTING_INSIDE if total else texts.IMPORTING_INSIDE_OPEN
            self.progress.emit(line.format(current=current, total=total, percent=percent))
            return
        done, total = progress
        line = texts.IMPORTING_PROGRESS if total else texts.IMPORTING_PROGRESS_OPEN
        self.progress.emit(line.format(done=done, total=total))

    @Slot(object)
    def on_succeeded(self, outcome: Any) -> None:
        from app.ui.dmarc.presentation import summary_line

        if self._kind == "import":
            inputs, practice = self._pending
            self.current = Imported(outcome, inputs, practice)
            self.last_check = None
            self.imported.emit(self.current)
            self.done.emit(summary_line(outcome))
            for error in self._password_unsaved:  # the reports are in; only the password is not
                self.failed.emit(
                    SecretsUnwritableError(
                        texts.IMAP_PASSWORD_UNSAVED,
                        next_step_ja=texts.IMAP_PASSWORD_UNSAVED_NEXT,
                        detail=error.detail,
                    )
                )
            self._password_unsaved = []
        elif self._kind == "check":
            self.last_check = outcome
            self.checked.emit(outcome)
            offline = bool(outcome.published.offline_ja)
            self.done.emit(texts.DNS_OFFLINE if offline else texts.DNS_DONE)
        elif self.job is not None and self.job.cancel.cancelled:
            # キャンセル was clicked while the window still said 書き出し中 (the file was already
            # written on the worker thread): the operator's last word wins, so no file stays.
            Path(outcome).unlink(missing_ok=True)
            self.done.emit(texts.EXPORT_CANCELLED)
        else:
            self.exported.emit(outcome)
            self.done.emit(texts.EXPORT_DONE.format(path=outcome))

    @Slot(object)
    def on_failed(self, error: TodokuError) -> None:
        self._password_unsaved = []
        if isinstance(error, CancelledError):
            self.done.emit(_CANCELLED[self._kind])
            return
        log.warning("dmarc %s failed: %s: %s", self._kind, type(error).__name__, error.message_ja)
        super().on_failed(error)


def _advice(result: DmarcResult, published: PublishedCheck) -> tuple[str, ...]:
    """Policy advice from the published record when DNS answered, else from the latest
    policy the reports carried."""
    from app.core.dmarc.dns_check import policy_from_tags
    from app.core.dmarc.policy_advice import policy_advice_ja

    advice: list[str] = []
    for domain in result.domains:
        check = next((c for c in published.checks if c.domain == domain.lower()), None)
        if check is not None:
            policy = policy_from_tags(domain, check.dmarc_tags)
        else:
            policy = next((p for p in result.policies if p.domain == domain), None)
        advice.extend(policy_advice_ja(policy, result))
    return tuple(advice)


def _renamed_origins(result: DmarcResult, folder: str) -> DmarcResult:
    """Practice problems name the file only (the temporary folder is gone)."""
    from app.core.dmarc.model import ImportProblem

    problems = tuple(
        ImportProblem(
            Path(p.origin).name if p.origin.startswith(folder) else p.origin, p.reason_ja, p.detail
        )
        for p in result.problems
    )
    return replace(result, problems=problems)


def imap_settings(choice: Any) -> ImapSettings:
    """The dialog's ``ImapChoice`` as the core's settings (always TLS)."""
    from app.core.dmarc.imap_source import ImapSettings

    return ImapSettings(
        host=choice.host,
        username=choice.username,
        folder=choice.folder,
        port=choice.port,
        cafile=Path(choice.cafile) if choice.cafile else None,
    )
