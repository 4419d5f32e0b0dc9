"""Closing the window while a fetch waits on a slow server (a proxy holding the connection, an
overloaded API): MainWindow.closeEvent cancels the job and then blocks the GUI thread in
JobRunner.shutdown (QThreadPool.waitForDone, up to 5 s) until the request in flight returns.
The window stays on screen without repainting or answering for those seconds (Windows marks
it 「応答なし」), and after them the process exits with the job still running anyway."""

from __future__ import annotations

from PySide6.QtCore import Qt

from tests.helpers.ui import SandboxFactory, recent_records


def test_closing_during_a_slow_request_does_not_hang_the_window(qtbot, make_window) -> None:
    factory = SandboxFactory(recent_records(500), latency_ms=4000)  # every answer takes 4 s
    window = make_window(sandbox_factory=factory)
    qtbot.mouseClick(window.range_bar.fetch_button, Qt.MouseButton.LeftButton)
    qtbot.wait(300)  # the first requests are on their way
    assert window.controller.fetch.is_running()

    window.close()  # the operator gives up and closes the app

    # Found: closeEvent → MainController.shutdown → JobRunner.shutdown(5000) held the event loop
    # until the answer came (up to 5 s, then the process exited with the job still running).
    # Judged by order, not seconds: close() returned before the server had answered anything,
    # and the job was still waiting for that answer. A live request may wait up to its 30 s
    # timeout.
    sandbox = factory.sandbox
    assert sandbox is not None and sandbox.request_log == []
    assert window.controller.runner.active_jobs

    # The window is gone at once; the bounded wait goes on without it: the request in flight
    # returns, the cancelled job ends and the practice server is stopped after it.
    assert not window.isVisible()
    runner = window.controller.runner
    qtbot.waitUntil(
        lambda: not runner.active_jobs and not runner.pool_active_threads, timeout=20_000
    )
    qtbot.waitUntil(lambda: window.controller.connection.sandbox is None, timeout=20_000)
