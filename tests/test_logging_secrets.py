"""API keys never reach the log files or the crash dialog; the log rotates instead of growing."""

from __future__ import annotations

import logging
import logging.handlers
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import keyring
import pytest
from jaraco.classes.properties import classproperty
from keyring.backend import KeyringBackend
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from app.core.classify.cache import ExplanationCache
from app.core.classify.llm import LlmRefiner, LlmSettings
from app.core.errors import AuthError
from app.core.providers.sendgrid import SendGridProvider
from app.core.storage.secrets import SENDGRID_KEY, KeyringSecretStore, MemorySecretStore
from app.core.types import DateRange, Explanation, ListKind
from app.main import install_excepthook, setup_logging
from app.paths import AppPaths, paths_under
from app.sandbox.openai_server import OpenAISandbox
from app.sandbox.sendgrid_server import SendGridSandbox
from app.ui.dialogs.error_details import ErrorDetailsDialog

# Distinctive enough that any appearance in a log is a leak, not a coincidence.
LEAKY_KEY = "SG.leak-canary-7Rq2xWv9.ZmFrZS1rZXktZm9yLXRlc3Rz"
LEAKY_LLM_KEY = "sk-leak-canary-Lm4pQ8zT0vNc"
RANGE = DateRange(date(2024, 1, 1), date(2024, 1, 31))


@pytest.fixture
def app_log(tmp_path: Path) -> Iterator[AppPaths]:
    """The app's own logging set-up, at DEBUG so every library's chatter is checked too."""
    paths = paths_under(tmp_path).ensure()
    root = logging.getLogger()
    handlers_before, level_before = list(root.handlers), root.level
    httpx_level = logging.getLogger("httpx").level
    setup_logging(paths, level=logging.DEBUG)
    yield paths
    for handler in root.handlers[:]:
        if handler not in handlers_before:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level_before)
    logging.getLogger("httpx").setLevel(httpx_level)


def log_text(paths: AppPaths) -> str:
    for handler in logging.getLogger().handlers:
        handler.flush()
    files = sorted(paths.log_dir.glob("todoku.log*"))
    assert files, "setup_logging wrote no log file"
    return "\n".join(path.read_text(encoding="utf-8") for path in files)


@pytest.fixture
def sendgrid() -> Iterator[SendGridSandbox]:
    with SendGridSandbox(api_keys={"SG.the-only-valid-key": None}) as sandbox:
        yield sandbox


def crash_dialog_text(qapp: QApplication, error: BaseException, log_file: Path) -> str:
    """Send ``error`` through the app's excepthook; return what the dialog shows and copies."""
    seen: list[str] = []

    def read_and_close(attempts: int = 50) -> None:
        dialogs = [w for w in qapp.topLevelWidgets() if isinstance(w, ErrorDetailsDialog)]
        visible = [d for d in dialogs if d.isVisible()]
        if not visible:
            if attempts:
                QTimer.singleShot(20, lambda: read_and_close(attempts - 1))
            return
        dialog = visible[0]
        dialog.copy_button.click()
        seen.append(dialog.detail_text.toPlainText())
        seen.append(qapp.clipboard().text())
        dialog.accept()

    install_excepthook(log_file)
    QTimer.singleShot(0, read_and_close)
    sys.excepthook(type(error), error, error.__traceback__)
    assert seen, "the excepthook showed no error dialog"
    return "\n".join(seen)


def test_sendgrid_wrong_key_and_crash_dialog_never_show_the_key(
    app_log, sendgrid, qapp, monkeypatch
):
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # restored after the test
    provider = SendGridProvider(LEAKY_KEY, base_url=sendgrid.base_url, max_retries=0)
    try:
        with pytest.raises(AuthError) as caught:
            provider.fetch(RANGE, [ListKind.BOUNCES])
        # A programming error while a provider holding the key is in scope, naming it.
        try:
            raise ValueError(f"unexpected state in {provider!r}")
        except ValueError as error:
            bug = error
    finally:
        provider.close()

    shown = crash_dialog_text(qapp, caught.value, app_log.log_file)
    shown += crash_dialog_text(qapp, bug, app_log.log_file)
    logged = log_text(app_log)

    # The paths really ran: the request reached the sandbox and both crashes were reported.
    sent = [
        value
        for request in sendgrid.request_log
        for name, value in request.headers.items()
        if name.lower() == "authorization"
    ]
    assert f"Bearer {LEAKY_KEY}" in sent, "the key was never used, so its absence proves nothing"
    assert "AuthError" in shown and "SendGridProvider(base_url=" in shown
    assert logged.count("unhandled exception") == 2 and "AuthError" in logged
    assert LEAKY_KEY not in shown
    assert LEAKY_KEY not in logged
    assert LEAKY_KEY[-12:] not in logged  # not even a long tail (masking keeps the last four)


class _DictKeyring(KeyringBackend):
    """A working OS keyring stand-in (third-party boundary); never chosen automatically."""

    @classproperty
    def priority(cls) -> float:
        raise RuntimeError("test backend: only used through keyring.set_keyring")

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.values.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.values[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.values.pop((service, username), None)


class _ChattyFailingKeyring(_DictKeyring):
    """Fails the way some backends do: with the secret in the exception message."""

    def set_password(self, service: str, username: str, password: str) -> None:
        raise RuntimeError(f"D-Bus refused to store {password!r} for {service}/{username}")


@pytest.fixture
def keyring_backend() -> Iterator[None]:
    previous = keyring.get_keyring()
    yield
    keyring.set_keyring(previous)


def test_secret_stores_never_log_the_key(app_log, keyring_backend):
    memory = MemorySecretStore()
    memory.set(SENDGRID_KEY, LEAKY_KEY)
    assert memory.get(SENDGRID_KEY) == LEAKY_KEY

    working = _DictKeyring()
    keyring.set_keyring(working)
    store = KeyringSecretStore()
    store.set(SENDGRID_KEY, LEAKY_KEY)
    assert store.persistent and store.get(SENDGRID_KEY) == LEAKY_KEY
    assert LEAKY_KEY in working.values.values()  # it went to the keyring, not elsewhere

    keyring.set_keyring(_ChattyFailingKeyring())
    failing = KeyringSecretStore()
    failing.set(SENDGRID_KEY, LEAKY_KEY)
    assert not failing.persistent and failing.get(SENDGRID_KEY) == LEAKY_KEY  # kept in memory

    logged = log_text(app_log)
    assert "keyring failed (RuntimeError)" in logged  # the fallback was logged...
    assert LEAKY_KEY not in logged  # ...without the backend's secret-bearing message


def test_llm_wrong_key_never_logged(app_log, tmp_path):
    rule = Explanation(
        "onhold", "Unclassified", False, "判定保留", "説明", "対処", needs_review=True
    )
    items = [("550 5.7.1 policy refused <tama@example.jp>", "5.7.1", ListKind.BOUNCES, rule)]
    with (
        OpenAISandbox(api_key="sk-the-only-valid-key") as server,
        ExplanationCache(tmp_path / "cache.sqlite3") as cache,
    ):
        settings = LlmSettings(
            server.base_url, "sandbox-model", LEAKY_LLM_KEY, timeout_s=5.0, enabled=True
        )
        result = LlmRefiner(settings, cache).refine(items)
    logged = log_text(app_log)
    assert result.requests_made == 1 and result.explanations == [rule]  # 401: rules kept
    assert "LLM refinement" in logged  # the failure was logged...
    assert LEAKY_LLM_KEY not in logged  # ...without the key
    assert LEAKY_LLM_KEY not in "".join(result.failures)


def test_log_rotates_at_its_size_limit(app_log):
    handlers = [
        handler
        for handler in logging.getLogger().handlers
        if isinstance(handler, logging.handlers.RotatingFileHandler)
        and Path(handler.baseFilename) == app_log.log_file
    ]
    assert len(handlers) == 1, "setup_logging should add one rotating handler for the log file"
    handler = handlers[0]
    assert handler.maxBytes > 0 and handler.backupCount > 0

    line = "x" * 200
    writes = (handler.backupCount + 2) * handler.maxBytes // len(line) + 1
    logger = logging.getLogger("tests.rotation")
    for index in range(writes):
        logger.info("%06d %s", index, line)
    handler.flush()

    files = sorted(app_log.log_dir.glob("todoku.log*"))
    names = {path.name for path in files}
    expected = {"todoku.log"} | {f"todoku.log.{n}" for n in range(1, handler.backupCount + 1)}
    assert names == expected  # oldest files were dropped, never more than backupCount
    slack = 400  # one record may cross the limit before the handler rolls over
    assert all(path.stat().st_size <= handler.maxBytes + slack for path in files)
    assert f"{writes - 1:06d}" in app_log.log_file.read_text(encoding="utf-8")
