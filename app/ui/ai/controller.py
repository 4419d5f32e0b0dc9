"""LlmController: after a fetch, optional AI refinement of the grid's explanations in a job.

Rules always answer first; the LLM only improves texts, on masked reasons, through a cache in
the per-user data dir. Every failure keeps the rule results, goes to the log and at most
leaves a short plain-text note in the status bar — never a dialog.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import QObject, Signal, Slot

from app.core.cancel import CancelToken
from app.core.errors import CancelledError, TodokuError, UnexpectedError
from app.core.storage.secrets import LLM_KEY, SecretStore
from app.core.types import Explanation, ListKind
from app.ui import texts
from app.ui.feature import FeatureController
from app.ui.persist import SettingsKeeper
from app.ui.workers import Job, JobRunner

if TYPE_CHECKING:
    from app.core.classify.cache import ExplanationCache
    from app.core.classify.llm import RefineResult
    from app.core.services import ClassifiedPage
    from app.ui.models.entry_table import EntryTableModel

log = logging.getLogger(__name__)

PRACTICE_TIMEOUT_S = 10.0

# (reason text, status, list, rule explanation): what the refiner explains, and the key the
# model uses to swap the refined explanation into every row that shares it.
RefineItem = tuple[str, str, ListKind, Explanation]


class LlmSandboxHandle(Protocol):
    api_key: str

    def start(self) -> str: ...

    def stop(self) -> None: ...


LlmSandboxFactory = Callable[[], LlmSandboxHandle]


def practice_llm_sandbox() -> LlmSandboxHandle:
    """The built-in OpenAI-compatible imitation (imported only when practice mode refines)."""
    from app.sandbox.openai_server import OpenAISandbox

    return OpenAISandbox()


def distinct_items(
    pages: Sequence[ClassifiedPage],
) -> tuple[tuple[RefineItem, ...], tuple[str, ...]]:
    """The fetched rows' distinct (reason, status, list, explanation) items, each with the
    address of one row that has it (so its local part is masked even where it appears
    without '@'). The refiner groups the items by masked template itself."""
    seen: dict[tuple[str, str, ListKind, int], tuple[RefineItem, str]] = {}
    for page in pages:
        for entry, explanation in zip(page.entries, page.explanations, strict=False):
            if explanation is None:
                continue
            # id(): hashing the dataclass by value for every row would cost ~1 µs each.
            key = (entry.reason, entry.status, entry.list_kind, id(explanation))
            if key not in seen:
                seen[key] = (
                    (entry.reason, entry.status, entry.list_kind, explanation),
                    entry.email,
                )
    return tuple(item for item, _ in seen.values()), tuple(email for _, email in seen.values())


@dataclass(frozen=True)
class RefineRequest:
    """What the job needs; the live key is read on the job thread (the keyring may be slow)."""

    pages: tuple[ClassifiedPage, ...]
    base_url: str
    model: str
    api_key: str  # "" = read the saved LLM key on the job thread
    timeout_s: float
    practice: bool


class LlmController(FeatureController):
    """Starts one refinement job per successful fetch; a newer fetch supersedes older results.

    Refinement runs beside the exclusive lane (a new fetch supersedes it) and never fails
    loudly: ``failed`` stays silent, ``done`` carries a short note instead.

    Signals (besides running / progress / done):
        running: bool, a refinement started (True) or ended (False).
        progress: str, "AI で説明を改善中… n/m".
        done: str, the summary or a short plain-text note ("" = nothing to say).
        refined: int, rows whose explanation the LLM improved (after they were swapped in).
    """

    refined = Signal(int)

    def __init__(
        self,
        runner: JobRunner,
        model: EntryTableModel,
        settings: SettingsKeeper,
        secrets: SecretStore,
        *,
        cache_path: Path,
        sandbox_factory: LlmSandboxFactory = practice_llm_sandbox,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(runner, parent)
        self._model = model
        self._settings = settings
        self._secrets = secrets
        self._cache_path = cache_path
        self._sandbox_factory = sandbox_factory
        self.sandbox: LlmSandboxHandle | None = None
        self._sandbox_url = ""
        self._cache: ExplanationCache | None = None
        self._cache_lock = threading.Lock()
        self._generation = 0  # results of a superseded or cancelled job are dropped
        # id(job.signals) -> (job, generation); kept until the job's `finished`
        self._jobs: dict[int, tuple[Job, int]] = {}
        self.last_result: RefineResult | None = None
        self.note_detail_ja = ""  # the tooltip of the last note ("" = none)

    def is_running(self) -> bool:
        return bool(self._jobs)

    def enabled(self, practice: bool) -> bool:
        """The operator switched AI refinement on and it can run (practice uses the built-in
        imitation)."""
        return self._settings.current.llm_enabled and not self.setup_problems(practice)

    def setup_problems(self, practice: bool) -> tuple[str, ...]:
        """Why the live endpoint cannot be asked (Japanese; the 設定 dialog's own checks):
        a settings file saved before them, or edited by hand, may hold anything."""
        if practice:
            return ()
        from app.core.classify.llm_setup import llm_setup_problems

        settings = self._settings.current
        return llm_setup_problems(settings.llm_base_url, settings.llm_model)

    def _say(self, note: str, detail: str = "") -> None:
        """``done`` with ``note``; its reason and next step (if any) are in ``note_detail_ja``
        for the status bar's tooltip. Every note of this feature goes through here."""
        self.note_detail_ja = detail
        self.done.emit(note)

    def cancel(self) -> None:
        """Stop the running refinement; its partial result is dropped with it."""
        self._generation += 1
        for job, _ in self._jobs.values():
            job.cancel.cancel()
        if self._jobs:
            self._say(texts.LLM_CANCELLED)

    def start(self, pages: tuple[ClassifiedPage, ...], practice: bool) -> bool:
        """Refine the explanations of the fetched ``pages`` in a job; False when AI refinement
        is off or there is nothing to refine."""
        self.cancel()
        self.note_detail_ja = ""  # the last fetch's reason must not explain this one's progress
        settings = self._settings.current
        if not pages or not settings.llm_enabled:
            # An earlier fetch's count would read as this one's (「AI への問い合わせ: 0 回」).
            self._say("")
            return False
        problems = self.setup_problems(practice)
        if problems:
            # Switched on but unusable: said once for this fetch, in the status bar and the
            # log; the rule explanations are already in the grid and stay.
            log.warning("LLM refinement is on but not run: %s", " ".join(problems))
            self._say(
                texts.LLM_NOT_SET_UP, texts.LLM_NOT_SET_UP_TIP.format(problems="".join(problems))
            )
            return False
        try:
            if practice:
                from app.sandbox.openai_server import SANDBOX_MODEL

                base_url = self._ensure_sandbox()
                model, api_key = SANDBOX_MODEL, self.sandbox.api_key if self.sandbox else ""
                timeout_s = PRACTICE_TIMEOUT_S
            else:
                base_url, model = settings.llm_base_url.strip(), settings.llm_model.strip()
                api_key, timeout_s = "", settings.timeout_s
            cache = self._open_cache()
        except Exception as error:  # the AI is optional: note it, keep the rule results
            log.warning("LLM refinement not started: %s", UnexpectedError.from_exception(error))
            self._say(texts.LLM_FAILED)
            return False
        request = RefineRequest(pages, base_url, model, api_key, timeout_s, practice)
        secrets = self._secrets

        def work(**kwargs: Any) -> RefineOutcome:
            return run_refinement(request, cache, lambda: secrets.get(LLM_KEY), **kwargs)

        job = Job("refine", work)
        job.signals.progress.connect(self._on_job_progress)
        job.signals.succeeded.connect(self._on_job_succeeded)
        job.signals.failed.connect(self._on_job_failed)
        job.signals.finished.connect(self._on_job_finished)
        was_running = bool(self._jobs)
        self._jobs[id(job.signals)] = (job, self._generation)
        self.last_result = None
        log.info("LLM refinement after a fetch of %d pages (practice=%s)", len(pages), practice)
        self.runner.start(job)
        if not was_running:
            self.running.emit(True)
        self.progress.emit(texts.LLM_REFINING.format(done=0, total="…"))
        return True

    def _ensure_sandbox(self) -> str:
        if self.sandbox is None:
            sandbox = self._sandbox_factory()
            self._sandbox_url = sandbox.start()
            self.sandbox = sandbox
            log.info("practice LLM sandbox listening on %s", self._sandbox_url)
        return self._sandbox_url

    def _open_cache(self) -> ExplanationCache:
        with self._cache_lock:
            if self._cache is None:
                from app.core.classify.cache import ExplanationCache

                self._cache = ExplanationCache(self._cache_path)
            return self._cache

    def _current(self) -> bool:
        """The job that sent the signal is the latest one and its results are still wanted."""
        known = self._jobs.get(id(self.sender()))
        return known is not None and known[1] == self._generation

    @Slot(object)
    def _on_job_progress(self, progress: Any) -> None:
        if not self._current():
            return
        done = getattr(progress, "templates_done", 0)
        total = getattr(progress, "templates_total", 0)
        self.progress.emit(texts.LLM_REFINING.format(done=done, total=total))

    @Slot(object)
    def _on_job_succeeded(self, outcome: RefineOutcome) -> None:
        if not self._current():
            return
        items, result = outcome.items, outcome.result
        self.last_result = result
        mapping = {
            item: new
            for item, new in zip(items, result.explanations, strict=True)
            if new is not item[3]
        }
        changed = self._model.replace_explanations(mapping) if mapping else 0
        summary = texts.LLM_DONE.format(
            requests=result.requests_made, cached=result.templates_from_cache
        )
        if result.cancelled:
            self._say(texts.LLM_CANCELLED)
        elif outcome.not_run_ja:
            log.warning("LLM refinement is on but not run: %s", outcome.not_run_ja)
            self._say(
                texts.LLM_NOT_SET_UP, texts.LLM_NOT_SET_UP_TIP.format(problems=outcome.not_run_ja)
            )
        elif result.templates_unanswered and not mapping:
            # The endpoint refused, failed or answered nonsense (the log has each batch's
            # reason): not 「AI の回答を使えませんでした」, which reads as answers turned down.
            self._say(
                texts.LLM_UNANSWERED.format(requests=result.requests_made),
                texts.LLM_UNANSWERED_TIP,
            )
        elif result.failures and not mapping and result.requests_made:
            self._say(texts.LLM_FAILED_SUMMARY.format(requests=result.requests_made))
        elif result.templates_unanswered:
            self._say(summary + texts.LLM_PARTLY_UNANSWERED, texts.LLM_UNANSWERED_TIP)
        else:
            self._say(summary)
        if changed:
            self.refined.emit(changed)

    @Slot(object)
    def _on_job_failed(self, error: TodokuError) -> None:
        if not self._current():
            return
        if isinstance(error, CancelledError):
            self._say(texts.LLM_CANCELLED)
            return
        log.warning("LLM refinement failed (rules kept): %s", error.detail or error.message_ja)
        self._say(texts.LLM_FAILED)

    @Slot()
    def _on_job_finished(self) -> None:
        self._jobs.pop(id(self.sender()), None)
        if not self._jobs:
            self.running.emit(False)

    def shutdown(self) -> None:
        """After the pool is idle: stop the practice imitation and close the cache."""
        if self.sandbox is not None:
            try:
                self.sandbox.stop()
            except Exception:  # closing anyway; note it for support
                log.exception("LLM sandbox did not stop cleanly")
            self.sandbox = None
        with self._cache_lock:
            if self._cache is not None:
                self._cache.close()
                self._cache = None


@dataclass(frozen=True)
class RefineOutcome:
    items: tuple[RefineItem, ...]
    result: RefineResult
    not_run_ja: str = ""  # why nothing was asked although AI is on ("" = it was asked)


def run_refinement(
    request: RefineRequest,
    cache: ExplanationCache,
    read_key: Callable[[], str],
    *,
    progress: Callable[[Any], None] | None = None,
    on_page: Callable[[Any], None] | None = None,
    cancel: CancelToken | None = None,
) -> RefineOutcome:
    """``LlmRefiner.refine`` with the job calling convention (the openai client loads here)."""
    del on_page
    from app.core.classify.llm import LlmRefiner, LlmSettings, RefineResult

    items, recipients = distinct_items(request.pages)

    api_key = request.api_key or read_key()
    settings = LlmSettings(
        request.base_url,
        request.model,
        api_key,
        timeout_s=request.timeout_s,
        enabled=bool(api_key),
    )
    if not settings.usable:
        log.info("LLM refinement skipped: endpoint, model or key missing")
        rules = [item[3] for item in items]
        why = texts.LLM_NO_KEY if not api_key else texts.LLM_SETTINGS_UNUSABLE
        return RefineOutcome(
            items, RefineResult(rules, 0, 0, 0, ["LLM settings incomplete"]), not_run_ja=why
        )
    refiner = LlmRefiner(settings, cache)
    result = refiner.refine(items, recipients=recipients, progress=progress, cancel=cancel)
    return RefineOutcome(items, result)
