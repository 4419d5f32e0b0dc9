"""キャンセル clicked once the last page has arrived (the job finished, its result still on its
way to the window): the line says the fetch had already finished, instead of 「キャンセルして
います…」 followed by the usual summary, as if the click had been lost."""

from __future__ import annotations

import threading
import time

import pytest
from PySide6.QtCore import Qt

from app.core.types import ListKind
from app.sandbox.scenarios import SandboxRecord
from app.ui import texts
from tests.helpers.ui import FETCH_TIMEOUT_MS, SandboxFactory

NOW = int(time.time()) - 3600


@pytest.fixture
def sandbox_factory() -> SandboxFactory:
    records = [
        SandboxRecord("bounces", f"user{i}@example.jp", NOW - i, "550 5.1.1 unknown", "5.1.1")
        for i in range(3)
    ]
    return SandboxFactory(records, latency_ms=300)  # time to connect before the job ends


def test_a_cancel_after_the_last_page_says_the_fetch_had_finished(qtbot, make_window) -> None:
    window = make_window()
    qtbot.waitUntil(lambda: window.list_page.has_grid)
    window.range_bar.set_lists((ListKind.BOUNCES,))
    fetch = window.controller.fetch
    qtbot.mouseClick(window.range_bar.fetch_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: fetch.job is not None and fetch.job.name == "fetch", timeout=10_000)
    job = fetch.job
    ended = threading.Event()
    job.signals.released.connect(ended.set, Qt.ConnectionType.DirectConnection)
    # The GUI thread does not run its event loop here: the job's result waits in the queue,
    # as it does when the click lands between the last page and the result.
    assert ended.wait(30), "the fetch did not end"
    window.range_bar.cancel_button.click()
    assert job.cancel.cancelled
    with qtbot.waitSignal(fetch.running, timeout=FETCH_TIMEOUT_MS, check_params_cb=lambda r: not r):
        pass
    line = window.range_bar.progress_label.text()
    assert line.startswith(texts.FETCH_CANCEL_TOO_LATE), line
    assert window.model.total == 3  # every row is there
