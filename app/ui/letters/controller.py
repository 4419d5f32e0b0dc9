"""LettersController: the 連絡文 dialog for selected entries, the optional AI polish as a job,
and the 送信元の情報 / Zendesk settings dialog.

Letters are composed on the GUI thread (a few templates and string joins; the selection is
capped), the AI polish runs as a job beside the exclusive lane. Practice mode polishes with
the built-in OpenAI-compatible imitation, started the first time it is needed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import QObject, Slot
from PySide6.QtWidgets import QDialog, QWidget

from app.core.dates import JST
from app.core.errors import TodokuError
from app.core.storage.secrets import (
    LLM_KEY,
    ZENDESK_TOKEN,
    SecretStore,
    SecretsUnreadableError,
    mask_secret,
)
from app.core.types import Explanation, SuppressionEntry
from app.ui.feature import FeatureController
from app.ui.letters import letter_texts as texts
from app.ui.letters.lazy_sandbox import LazySandbox
from app.ui.persist import SettingsKeeper
from app.ui.secret_writes import write_while_waiting
from app.ui.workers import Job, JobRunner

if TYPE_CHECKING:
    from app.core.letters.compose import Letter
    from app.core.letters.polish import PolishResult
    from app.ui.letters.letter_dialog import LetterDialog
    from app.ui.letters.letter_sets import LetterChoices
    from app.ui.letters.settings_pages import ContactSettingsDialog
    from app.ui.letters.zendesk_controller import ZendeskController

log = logging.getLogger(__name__)

Pairs = Sequence[tuple[SuppressionEntry, Explanation]]
MAX_ENTRIES = 500  # one letter dialog; beyond this the operator filters first
PRACTICE_TIMEOUT_S = 20.0
USER_LETTERS_FOLDER = "letters"


class LlmSandboxHandle(Protocol):
    api_key: str

    def start(self) -> str: ...

    def stop(self) -> None: ...


LlmSandboxFactory = Callable[[], LlmSandboxHandle]
LetterDialogRunner = Callable[["LetterDialog"], None]
ContactSettingsRunner = Callable[["ContactSettingsDialog"], bool]


def practice_llm_sandbox() -> LlmSandboxHandle:
    from app.sandbox.openai_server import OpenAISandbox

    return OpenAISandbox()


def exec_letter_dialog(dialog: LetterDialog) -> None:
    dialog.exec()


def exec_contact_settings(dialog: ContactSettingsDialog) -> bool:
    return dialog.exec() == QDialog.DialogCode.Accepted


class LettersController(FeatureController):
    """Opens the letter dialog; polishes a letter on request (a job); opens the settings.

    ``run_dialog`` and ``run_settings`` default to modal ``exec``; tests and the screenshot
    script pass their own. Signals: the four of ``FeatureController`` (the polish job's lines).
    """

    def __init__(
        self,
        runner: JobRunner,
        settings: SettingsKeeper,
        secrets: SecretStore,
        *,
        practice: Callable[[], bool],
        user_letters_dir: Path | None,
        zendesk: ZendeskController | None = None,
        run_dialog: LetterDialogRunner = exec_letter_dialog,
        run_settings: ContactSettingsRunner = exec_contact_settings,
        llm_sandbox_factory: LlmSandboxFactory = practice_llm_sandbox,
        clock: Callable[[], datetime] = lambda: datetime.now(tz=JST),
        parent: QObject | None = None,
    ) -> None:
        super().__init__(runner, parent)
        self._settings = settings
        self._secrets = secrets
        self._practice = practice
        self._user_letters_dir = user_letters_dir
        self._zendesk = zendesk
        self.run_dialog = run_dialog
        self.run_settings = run_settings
        self.llm_sandbox = LazySandbox(llm_sandbox_factory, "OpenAI")
        self._clock = clock
        self.dialog: LetterDialog | None = None
        self.settings_dialog: ContactSettingsDialog | None = None
        self._settings_opened = 0  # which dialog a token read belongs to
        self._pairs: list[tuple[SuppressionEntry, Explanation]] = []
        self._polishing: Letter | None = None

    # -- composing -----------------------------------------------------------------------

    def compose(self, pairs: Pairs) -> LetterChoices:
        from app.core.letters import SenderFacts, load_templates
        from app.ui.letters.letter_sets import compose_sets

        templates = load_templates(user_dir=self._user_letters_dir)
        facts = SenderFacts.from_settings(self._settings.current)
        return compose_sets(pairs, templates, facts, self._clock())

    def letters_for(self, pairs: Pairs) -> list[Letter]:
        """The chooser's letters (the drafts a Zendesk ticket carries)."""
        return list(self.compose(pairs).sets[None].letters)

    def ai_available(self) -> bool:
        settings = self._settings.current
        if not settings.llm_enabled:
            return False
        return self._practice() or bool(
            settings.llm_base_url.strip() and settings.llm_model.strip()
        )

    def open(self, pairs: Pairs, parent: QWidget | None = None) -> LetterDialog | None:
        """The letter dialog for ``pairs`` (at most ``MAX_ENTRIES``); None if none given."""
        from app.ui.letters.letter_dialog import LetterDialog

        if not pairs:
            return None
        self._pairs = list(pairs)[:MAX_ENTRIES]
        try:
            choices = self.compose(self._pairs)
        except (TodokuError, ValueError) as error:  # a shipped template broke: a packaging bug
            self.failed.emit(
                error
                if isinstance(error, TodokuError)
                else TodokuError("連絡文のテンプレートを読み込めませんでした。", detail=str(error))
            )
            return None
        dialog = LetterDialog(choices, ai_available=self.ai_available(), parent=parent)
        dialog.fill_in_requested.connect(self._on_dialog_fill_in_requested)
        dialog.polish_requested.connect(self._on_dialog_polish_requested)
        dialog.finished.connect(self._on_dialog_finished)
        self.close_dialog()
        self.dialog = dialog
        self.run_dialog(dialog)
        return dialog

    @Slot(int)
    def _on_dialog_finished(self, _: int) -> None:
        if self.sender() is self.dialog:
            self.close_dialog()

    def close_dialog(self) -> None:
        """Forget the dialog (after it closed); a polish still running is dropped."""
        if self.dialog is not None:
            self.cancel()
            self.dialog.deleteLater()
            self.dialog = None

    # -- settings ------------------------------------------------------------------------

    def open_settings(self, parent: QWidget | None = None, page: int = 0) -> bool:
        """送信元の情報 / Zendesk; True when saved (the token goes to the keyring only)."""
        from app.ui.letters.settings_pages import ContactSettingsDialog

        secrets = self._secrets
        # The keyring may take seconds: the dialog opens at once, the token (masked) follows.
        dialog = ContactSettingsDialog(
            self._settings.current,
            saved_token="",
            key_store_where_ja="",
            practice=self._practice(),
            page=page,
            token_loading=True,
            parent=parent,
        )
        self._settings_opened += 1
        opened = self._settings_opened
        job = Job("contact-token", lambda **_: (opened, _masked_token(secrets), secrets.where_ja))
        job.signals.succeeded.connect(self._on_token_read)
        self.runner.start(job)
        if self._zendesk is not None:
            dialog.zendesk_page.test_requested.connect(self._zendesk.test)
            self._zendesk.tested.connect(dialog.zendesk_page.show_test_result)
        self.settings_dialog = dialog
        runner = self.runner
        # The token is written in a job when 保存 is clicked, the dialog waiting (and saying
        # why) until the keyring has answered: a slow keyring froze the window.
        dialog.write_token = lambda changes: write_while_waiting(runner, secrets, changes)
        try:
            saved = self.run_settings(dialog)
            if saved and not dialog.token_written:
                # Accepted without 保存 (a driver of the dialog): the token is written now.
                error = write_while_waiting(runner, secrets, dialog.token_changes())
                if error is not None:
                    self.failed.emit(error)
                    saved = False
            if saved:
                self._settings.store(dialog.result_settings())
                token = dialog.new_token()
                log.info(
                    "contact settings saved (token %s)",
                    "changed" if token is not None else "unchanged",
                )
        finally:
            if self._zendesk is not None:
                self._zendesk.tested.disconnect(dialog.zendesk_page.show_test_result)
            self.settings_dialog = None
            dialog.deleteLater()
        return saved

    @Slot(object)
    def _on_token_read(self, read: tuple[int, str | None, str]) -> None:
        opened, masked, where_ja = read
        if self.settings_dialog is not None and opened == self._settings_opened:
            self.settings_dialog.zendesk_page.show_saved_token(masked, where_ja)

    @Slot()
    def _on_dialog_fill_in_requested(self) -> None:
        dialog = self.dialog
        if dialog is not None and self.open_settings(dialog) and self.dialog is dialog:
            dialog.set_choices(self.compose(self._pairs))

    # -- AI polish -----------------------------------------------------------------------

    @Slot(object)
    def _on_dialog_polish_requested(self, letter: Letter) -> None:
        self.polish(letter)

    def polish(self, letter: Letter) -> bool:
        """Run ``polish_letter`` as a job; the dialog gets the result (applied or refused)."""
        if self.is_running() or not self.ai_available():
            return False
        settings = self._settings.current
        try:
            if self._practice():
                from app.sandbox.openai_server import SANDBOX_MODEL

                base_url, model = self.llm_sandbox.start(), SANDBOX_MODEL
                api_key = self.llm_sandbox.handle.api_key if self.llm_sandbox.handle else ""
                timeout_s = PRACTICE_TIMEOUT_S
            else:
                base_url, model = settings.llm_base_url.strip(), settings.llm_model.strip()
                api_key, timeout_s = "", settings.timeout_s
        except Exception as error:  # the imitation did not start: say so in the dialog
            # The exception's text is English: it goes to the log, the dialog says it in Japanese.
            log.warning("letter polish not started: %s: %s", type(error).__name__, error)
            if self.dialog is not None:
                self.dialog.show_polish_failed(
                    texts.POLISH_REFUSED.format(problems=texts.POLISH_SANDBOX_FAILED)
                )
            return False
        secrets = self._secrets

        def work(**_: Any) -> PolishResult:
            from app.core.classify.llm import LlmSettings
            from app.core.letters.polish import polish_letter

            key = api_key or secrets.get(LLM_KEY)
            llm = LlmSettings(base_url, model, key, timeout_s=timeout_s, enabled=bool(key))
            return polish_letter(letter, llm)

        self._polishing = letter
        return self.run("polish-letter", work, texts.POLISHING, exclusive=False)

    def on_succeeded(self, result: Any) -> None:
        letter, self._polishing = self._polishing, None
        if self.dialog is not None and letter is not None:
            self.dialog.show_polish(result, letter)
        self.done.emit(texts.POLISH_APPLIED if result.applied else "")

    def on_failed(self, error: Any) -> None:
        self._polishing = None
        if self.dialog is not None:
            message = error.message_ja if isinstance(error, TodokuError) else str(error)
            self.dialog.show_polish_failed(message)
        self.done.emit("")

    def shutdown(self) -> None:
        """After the pool is idle: stop the practice AI imitation."""
        self.llm_sandbox.stop()


def _masked_token(secrets: SecretStore) -> str | None:
    """On a job thread: the saved Zendesk token masked ("" none; None the keyring could not
    be read). Only the mask leaves the job."""
    try:
        return mask_secret(secrets.get(ZENDESK_TOKEN))
    except SecretsUnreadableError:
        return None
