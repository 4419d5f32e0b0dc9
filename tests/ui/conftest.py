"""UI fixtures: tmp data dir, redirected QSettings, in-memory keys, a loopback sandbox, and a
guard that fails any test leaving a job running or the pool busy."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from app.core.classify import LazyClassifier
from app.core.dates import today_jst, unix_bounds
from app.core.storage.secrets import MemorySecretStore
from app.core.storage.settings import SettingsStore
from app.core.types import DateRange
from app.paths import resources_dir
from app.sandbox.scenarios import generate_records
from app.sandbox.sendgrid_server import SendGridSandbox
from app.ui.controller import MainController
from app.ui.main_window import MainWindow
from app.ui.persist import UiState

TEST_KEY = "SG.test-key-for-loopback-only"


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


def recent_records(count: int, seed: int = 7, days: int = 20):
    today = today_jst()
    start, _ = unix_bounds(DateRange(today - timedelta(days=days), today))
    _, end = unix_bounds(DateRange(today, today))
    return generate_records(count, seed=seed, start=start, end=end)


class SandboxFactory:
    """Builds the sandbox the controller starts in practice mode, and remembers it."""

    def __init__(self, records, latency_ms: float = 0, extra_keys=None) -> None:
        self.records = records
        self.latency_ms = latency_ms
        self.extra_keys = extra_keys or {}
        self.sandbox: SendGridSandbox | None = None

    def __call__(self) -> SendGridSandbox:
        from app.sandbox.sendgrid_server import SANDBOX_API_KEY

        keys = {SANDBOX_API_KEY: None, **self.extra_keys}
        self.sandbox = SendGridSandbox(
            records=self.records, api_keys=keys, latency_ms=self.latency_ms
        )
        return self.sandbox


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
    if leftovers:
        pytest.fail(f"test left jobs running: {leftovers}")
