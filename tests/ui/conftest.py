"""UI fixtures: tmp data dir, redirected QSettings, in-memory keys, a loopback sandbox, and a
guard that fails any test leaving a job running or the pool busy."""

from __future__ import annotations

import gc
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from app.core.classify import LazyClassifier
from app.core.storage.journal import DeletionJournal
from app.core.storage.secrets import MemorySecretStore
from app.core.storage.settings import SettingsStore
from app.paths import resources_dir
from app.sandbox.sendgrid_server import SendGridSandbox
from app.ui.controller import MainController
from app.ui.main_window import MainWindow
from app.ui.persist import UiState
from tests.helpers.ui import TEST_KEY, SandboxFactory, recent_records


@pytest.fixture(autouse=True)
def qsettings_in_tmp(tmp_path: Path) -> Iterator[Path]:
    """Every QSettings the code creates lands in this test's tmp dir, in INI format."""
    folder = tmp_path / "qsettings"
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    for settings_format in (QSettings.Format.IniFormat, QSettings.Format.NativeFormat):
        QSettings.setPath(settings_format, QSettings.Scope.UserScope, str(folder))
    yield folder


@pytest.fixture(scope="session")
def classify() -> LazyClassifier:
    """The real rule classifier, loaded once for the session."""
    return LazyClassifier(rules_dir=resources_dir() / "rules")


@pytest.fixture
def sandbox_factory() -> SandboxFactory:
    return SandboxFactory(recent_records(1200))


@pytest.fixture
def secrets() -> MemorySecretStore:
    return MemorySecretStore()


@pytest.fixture
def make_window(qtbot, tmp_path: Path, secrets, classify, sandbox_factory):
    """Build a window (practice mode unless a key is stored); fails the test if a job is still
    running or the pool is busy at teardown."""
    built: list[MainWindow] = []

    def make(run_settings_dialog=None, **controller_options) -> MainWindow:
        options = {"max_retries": 1, "sandbox_factory": sandbox_factory}
        options.update(controller_options)
        window_options = {"run_settings_dialog": run_settings_dialog} if run_settings_dialog else {}
        controller = MainController(
            settings_store=SettingsStore(tmp_path / "data" / "settings.json"),
            secrets=secrets,
            classify=classify,
            **options,
        )
        window = MainWindow(
            controller, UiState(), log_path=str(tmp_path / "todoku.log"), **window_options
        )
        # Not qtbot.addWidget: pytest-qt would close the window (and so finish its jobs) before
        # this fixture's teardown could notice a test that left a job running.
        window.show()
        built.append(window)
        return window

    yield make

    # A job's `finished` is emitted just before its pool thread returns: give jobs that have
    # just ended a moment to wind down, so only a job really left running fails the test.
    deadline = time.monotonic() + 3.0
    while time.monotonic() < deadline and any(
        w.controller.runner.active_jobs or w.controller.runner.pool_active_threads for w in built
    ):
        QApplication.processEvents()
        time.sleep(0.01)
    leftovers = []
    for window in built:
        runner = window.controller.runner
        if runner.active_jobs or runner.pool_active_threads:
            leftovers.append([job.name for job in runner.active_jobs])
        window.close()  # cancels, waits (bounded), stops the sandbox
        window.deleteLater()
    QApplication.processEvents()
    built.clear()
    # The windows' objects caught in reference cycles are freed now, on the GUI thread. Left to
    # the next automatic collection, they would be freed on whichever thread allocates next
    # (a later test's fetch or provider page threads, with no window holding collection on
    # the GUI thread: app/ui/gui_thread_collector.py), and Qt objects must not be destroyed off
    # their thread.
    gc.collect()
    if leftovers:
        pytest.fail(f"test left jobs running: {leftovers}")


@pytest.fixture
def live_sandbox():
    sandbox = SendGridSandbox(
        records=recent_records(600),
        api_keys={TEST_KEY: None, "SG.bounces-only": {"suppression.bounces.read"}},
    )
    sandbox.start()
    yield sandbox
    sandbox.stop()


@pytest.fixture
def two_servers() -> Iterator[tuple[SendGridSandbox, SendGridSandbox]]:
    """Two live SendGrid imitations with different rows: a connection change between them."""
    first = SendGridSandbox(records=recent_records(300, seed=1), api_keys={TEST_KEY: None})
    second = SendGridSandbox(records=recent_records(300, seed=2), api_keys={TEST_KEY: None})
    first.start()
    second.start()
    yield first, second
    first.stop()
    second.stop()


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[DeletionJournal]:
    """A deletion journal in the test's data folder (where the window would open it)."""
    opened = DeletionJournal(tmp_path / "data" / "journal.sqlite3")
    yield opened
    opened.close()
