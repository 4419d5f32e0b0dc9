"""Thread safety of the job runner: Qt objects are freed on the GUI thread only, whatever the
jobs allocate, and a finished job lets go of its work (docs/ui.md, Threads)."""

from __future__ import annotations

import gc
import threading
import time
import weakref

from PySide6.QtCore import QObject, Slot

from app.core.storage.secrets import SENDGRID_KEY, MemorySecretStore, mask_secret
from app.core.storage.settings import SettingsStore
from app.ui.connection.controller import ConnectionController
from app.ui.feature import FeatureController
from app.ui.gui_thread_collector import GuiThreadCollector
from app.ui.persist import SettingsKeeper
from app.ui.workers import Job, JobRunner


def _allocating_work(progress, on_page, cancel):
    """Allocates like a page parse or the rules' load: far past the collector's threshold."""
    for _ in range(200_000):
        cycle: list[object] = []
        cycle.append(cycle)
    return None


def test_garbage_qt_objects_are_freed_on_the_gui_thread_while_a_job_allocates(qtbot) -> None:
    gui = threading.get_ident()
    freed_on: list[int] = []
    runner = JobRunner()
    try:
        orphan = QObject()  # a closed dialog whose wrapper sits in a reference cycle
        orphan.me = orphan  # type: ignore[attr-defined]
        weakref.finalize(orphan, lambda: freed_on.append(threading.get_ident()))
        del orphan
        assert runner.start(Job("allocate", _allocating_work))
        # The GUI thread waits in Qt, allocating nothing: only the job can start a collection.
        assert runner.wait_idle(30_000)
        assert freed_on == [], "a collection ran on the job's thread"
        qtbot.waitUntil(lambda: bool(freed_on), timeout=5_000)  # the GUI thread's timer
        assert freed_on == [gui]
    finally:
        runner.shutdown()


def test_the_collector_gives_collection_back_when_the_last_runner_shuts_down(qtbot) -> None:
    first, second = JobRunner(), JobRunner()
    assert not gc.isenabled()
    gc.enable()  # as a sandbox's bulk-load pause that began before the runners ends
    qtbot.waitUntil(lambda: not gc.isenabled(), timeout=10_000)  # the next tick turns it off
    first.shutdown()
    assert not gc.isenabled()  # the second runner's threads may still allocate
    del second  # never shut down: its end counts as well
    assert gc.isenabled()
    assert GuiThreadCollector._instance is not None
    assert GuiThreadCollector._instance.holders == 0


class _SlowToReturn(Job):
    """A job whose pool thread is descheduled just after ``finished`` (two busy cores)."""

    def run(self) -> None:
        super().run()
        time.sleep(0.3)


def test_a_finished_job_and_its_work_are_freed_on_the_gui_thread(qtbot) -> None:
    gui = threading.get_ident()
    freed: dict[str, int] = {}

    class Pages(list):  # what a breakdown job binds: every page of a fetch
        pass

    pages = Pages(range(1000))
    weakref.finalize(pages, lambda: freed.setdefault("work", threading.get_ident()))
    runner = JobRunner()
    try:
        job = _SlowToReturn("breakdown", lambda progress, on_page, cancel, p=pages: len(p))
        weakref.finalize(job, lambda: freed.setdefault("job", threading.get_ident()))
        weakref.finalize(job.signals, lambda: freed.setdefault("signals", threading.get_ident()))
        del pages
        with qtbot.waitSignal(job.signals.finished, timeout=5_000):
            runner.start(job)
        del job
        # Before the fix PySide6's reference for the pool kept every job, and what its work
        # bound, for the life of the process.
        qtbot.waitUntil(lambda: len(freed) == 3, timeout=5_000)
        assert freed == {"work": freed["work"], "job": gui, "signals": gui}
        assert runner.active_jobs == () and runner.pool_active_threads == 0
    finally:
        runner.shutdown()


class _Operator(QObject):
    """Clicks 取得 again the moment the lane is free: a slot queued to the GUI thread, as a click
    handled between two events of the ending job would be."""

    def __init__(self, feature: FeatureController) -> None:
        super().__init__()
        self.feature = feature
        self.second: list[bool] = []

    @Slot()
    def start_again(self) -> None:
        self.second.append(self.feature.run("second", _waiting_work, "2"))


_first_may_end, _second_may_end = threading.Event(), threading.Event()


def _first_work(progress, on_page, cancel):
    _first_may_end.wait(10)
    return "first"


def _waiting_work(progress, on_page, cancel):
    _second_may_end.wait(10)
    return "second"


def test_a_job_started_as_the_previous_one_ends_stays_running_and_cancellable(qtbot) -> None:
    runner = JobRunner()
    feature = FeatureController(runner)
    operator = _Operator(feature)
    running: list[bool] = []
    feature.running.connect(running.append)
    _first_may_end.clear()
    _second_may_end.clear()
    try:
        assert feature.run("first", _first_work, "1")
        feature.job.signals.released.connect(operator.start_again)
        _first_may_end.set()
        qtbot.waitUntil(lambda: bool(operator.second), timeout=5_000)
        assert operator.second == [True]  # the lane was free
        qtbot.wait(50)  # whatever the first job still had to deliver
        assert feature.is_running() and feature.job.name == "second"
        assert running == [True, False, True]  # the first ended before the second began
        feature.cancel()  # the キャンセル button still reaches it
        assert feature.job.cancel.cancelled
    finally:
        _first_may_end.set()
        _second_may_end.set()
        runner.shutdown()
    qtbot.waitUntil(lambda: running == [True, False, True, False], timeout=5_000)


class _SlowKeyring(MemorySecretStore):
    """A keyring whose first read on a job thread waits until the test lets it answer."""

    def __init__(self) -> None:
        super().__init__()
        self.gui = threading.get_ident()
        self.reading, self.may_answer = threading.Event(), threading.Event()

    def get(self, name: str) -> str:
        value = super().get(name)
        if threading.get_ident() != self.gui:
            self.reading.set()
            self.may_answer.wait(10)
        return value


def test_a_key_saved_while_the_old_one_is_read_in_a_job_is_the_one_shown(qtbot, tmp_path) -> None:
    store = SettingsStore(tmp_path / "settings.json")
    store.save(store.load().replace(practice_mode=False))
    keyring = _SlowKeyring()
    keyring.set(SENDGRID_KEY, "SG.old-key-0000")
    runner = JobRunner()
    connection = ConnectionController(runner, SettingsKeeper(store), keyring)
    try:
        with qtbot.waitSignal(connection.key_loaded, timeout=5_000):
            connection.load_key_later()  # after the first paint, for the 本番 marker
            assert keyring.reading.wait(5)
            connection.save_settings(connection.settings.current, "SG.new-key-1111", None)
            keyring.may_answer.set()
        assert connection.masked_key == mask_secret("SG.new-key-1111")
    finally:
        keyring.may_answer.set()
        runner.shutdown()


def test_storage_stays_open_for_a_job_that_outlives_the_bounded_wait_at_exit(
    qtbot, make_window, journal
) -> None:
    controller = make_window(journal=journal).controller
    assert controller.deletion.open_journal() is journal
    writing, may_finish = threading.Event(), threading.Event()

    def record(connection):  # stands in for a deletion batch being recorded
        writing.set()
        may_finish.wait(10)
        return connection.execute("SELECT COUNT(*) FROM operations").fetchone()[0]

    job = Job("slow-record", lambda **_: journal._write(record))
    results: list[object] = []
    job.signals.succeeded.connect(results.append)
    job.signals.failed.connect(results.append)
    try:
        controller.runner.start(job)
        assert writing.wait(5)
        assert not controller.shutdown(timeout_ms=50)  # the window closed; the job runs on
        controller.close_storage()  # app.main, once the event loop has ended
    finally:
        may_finish.set()
    qtbot.waitUntil(lambda: bool(results), timeout=5_000)
    assert results == [0], "the job's connection was closed under it"
