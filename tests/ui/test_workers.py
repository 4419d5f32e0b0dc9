"""JobRunner and GuiPacer: jobs step back while the GUI thread is behind, never when it waits."""

from __future__ import annotations

import threading
import time

from app.core.cancel import CancelToken
from app.core.errors import CancelledError
from app.ui.workers import GuiPacer, Job, JobRunner


def test_pacer_does_not_wait_while_the_gui_keeps_beating() -> None:
    pacer = GuiPacer(lag_s=10.0)
    pacer.beat()
    assert pacer.pause_if_lagging(CancelToken()) == 0.0
    assert pacer.pauses == 0


def on_worker_thread(function):
    """Run ``function`` on another thread (as a job would) and return its result."""
    result = []
    worker = threading.Thread(target=lambda: result.append(function()))
    worker.start()
    worker.join(60)
    return result[0]


def test_pacer_waits_for_the_next_beat() -> None:
    pacer = GuiPacer(lag_s=0.02, max_pause_s=30.0)
    time.sleep(0.05)  # the GUI thread has not beaten for longer than lag_s
    beaten = threading.Event()

    def job() -> float:
        threading.Timer(0.1, lambda: (beaten.set(), pacer.beat())).start()
        return pacer.pause_if_lagging(CancelToken())

    waited = on_worker_thread(job)
    assert beaten.is_set()  # returned only after the beat
    assert 0.0 < waited < 30.0 and pacer.pauses == 1


def test_pacer_gives_up_after_max_pause_and_on_cancel() -> None:
    pacer = GuiPacer(lag_s=0.0, max_pause_s=0.05)
    waited = on_worker_thread(lambda: pacer.pause_if_lagging(CancelToken()))
    assert 0.05 <= waited < 5.0  # nobody beats: bounded
    cancelled = CancelToken()
    cancelled.cancel()
    slow = GuiPacer(lag_s=0.0, max_pause_s=30.0)
    assert on_worker_thread(lambda: slow.pause_if_lagging(cancelled)) < 5.0


def _paged_work(emitted: list[int], pages: int = 20, seconds_per_page: float = 0.01):
    def work(progress, on_page, cancel):
        for page in range(pages):
            time.sleep(seconds_per_page)  # stands in for parsing a page
            on_page(page)
            emitted.append(page)
        return pages

    return work


def _silent_work(done: list[int], batches: int = 20, seconds_per_batch: float = 0.01):
    def work(progress, on_page, cancel):
        for batch in range(batches):
            cancel.raise_if_cancelled()  # the only yield point: emits nothing
            time.sleep(seconds_per_batch)
            done.append(batch)
        return batches

    return work


def test_job_pauses_while_the_gui_thread_is_busy_then_delivers_everything(qtbot) -> None:
    runner = JobRunner(pacer=GuiPacer(lag_s=0.05, max_pause_s=30.0))
    emitted: list[int] = []
    received: list[int] = []
    job = Job("paged", _paged_work(emitted))
    job.signals.page.connect(received.append)
    runner.start(job)
    time.sleep(0.6)  # the GUI thread is busy: no heartbeat (unpaced, all 20 pages take ~0.2 s)
    during_block = len(emitted)
    with qtbot.waitSignal(job.signals.finished, timeout=10_000):
        pass
    assert during_block < 15
    assert received == list(range(20))
    assert runner.pacer.pauses >= 1
    assert runner.wait_idle(5000)


def test_a_job_that_only_checks_for_cancel_also_pauses(qtbot) -> None:
    runner = JobRunner(pacer=GuiPacer(lag_s=0.05, max_pause_s=30.0))
    done: list[int] = []
    job = Job("silent", _silent_work(done))
    runner.start(job)
    time.sleep(0.6)  # no heartbeat: unpaced, all 20 batches take ~0.2 s
    during_block = len(done)
    with qtbot.waitSignal(job.signals.finished, timeout=10_000):
        pass
    assert during_block < 15
    assert done == list(range(20))
    assert runner.wait_idle(5000)


def test_cancel_still_stops_a_paused_job(qtbot) -> None:
    runner = JobRunner(pacer=GuiPacer(lag_s=0.0, max_pause_s=30.0))
    done: list[int] = []
    failures: list[object] = []
    job = Job("silent", _silent_work(done))
    job.signals.failed.connect(failures.append)
    runner.start(job)
    time.sleep(0.2)  # the job is paused at its first check (the GUI never beats in time)
    # Armed before the cancel: a queued signal reaches only receivers connected when it is sent.
    with qtbot.waitSignal(job.signals.finished, timeout=5000):
        job.cancel.cancel()
    assert len(done) < 20 and isinstance(failures[0], CancelledError)
    assert runner.wait_idle(5000)


def test_waiting_for_the_pool_on_the_gui_thread_does_not_stall_jobs(qtbot) -> None:
    runner = JobRunner(pacer=GuiPacer(lag_s=0.0, max_pause_s=30.0))
    emitted: list[int] = []
    job = Job("paged", _paged_work(emitted))
    runner.start(job)
    assert runner.wait_idle(10_000)  # paced emits would wait 30 s each here
    assert emitted == list(range(20))
    assert runner.pacer.active
    qtbot.waitUntil(lambda: not runner.active_jobs)


def test_the_gui_thread_itself_never_waits_for_its_heartbeat() -> None:
    pacer = GuiPacer(lag_s=0.0, max_pause_s=30.0)  # made on this (the GUI) thread
    assert pacer.pause_if_lagging(CancelToken()) == 0.0
