"""キャンセル in the DMARC tab while DNS is being asked about names from strangers' reports
(the reverse names during an import, the published records after 確認): the servers answering
for those names may answer slowly on purpose, each answer inside the timeout. The operator's
cancel must end the job at once. DNS goes to the loopback imitation, answering after a delay."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from app.core.dmarc.dns_check import make_resolver
from app.sandbox.dmarc_reports import generate_reports, write_report_files
from app.sandbox.dns_server import DnsSandbox
from app.ui.dmarc import texts
from tests.ui.test_dmarc_tab import JOB_TIMEOUT_MS, click_and_wait


@pytest.fixture
def slow_window(make_window) -> Iterator:
    server = DnsSandbox({}, delay=0.25).start()
    window = make_window(
        dmarc_resolver=lambda: make_resolver("127.0.0.1", server.port, lifetime=2.0)
    )
    window.tabs.setCurrentWidget(window.dmarc_tab)
    yield window
    server.stop()


def _cancel_when(qtbot, window, status: str) -> float:
    """Seconds from the click on キャンセル to the end of the job."""
    tab, dmarc = window.dmarc_tab, window.controller.dmarc
    qtbot.waitUntil(lambda: tab.status_label.text() == status, timeout=JOB_TIMEOUT_MS)
    started = time.monotonic()
    qtbot.mouseClick(tab.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dmarc.job is None, timeout=JOB_TIMEOUT_MS)
    return time.monotonic() - started


def test_cancel_during_the_reverse_lookups_ends_the_import(qtbot, slow_window, tmp_path: Path):
    folder = tmp_path / "spoofed"
    write_report_files(folder, generate_reports(1, extra_spoof_records=150))  # 150+ IPs
    tab = slow_window.dmarc_tab
    tab.choose_folder = lambda parent, start: [folder]
    qtbot.mouseClick(tab.folder_button, Qt.MouseButton.LeftButton)
    assert _cancel_when(qtbot, slow_window, texts.RESOLVING) < 1.5
    assert tab.status_label.text() == texts.IMPORT_CANCELLED


def test_cancel_during_the_record_check_ends_it(qtbot, slow_window, tmp_path: Path):
    folder = tmp_path / "domains"
    folder.mkdir()
    for index in range(20):
        write_report_files(folder, generate_reports(1, domain=f"d{index:03}.example", seed=index))
    tab = slow_window.dmarc_tab
    tab.choose_folder = lambda parent, start: [folder]
    click_and_wait(qtbot, slow_window, tab.folder_button)
    qtbot.mouseClick(tab.view.check_button, Qt.MouseButton.LeftButton)
    assert _cancel_when(qtbot, slow_window, texts.CHECKING_DNS) < 1.5
    assert tab.status_label.text() == texts.CHECK_CANCELLED
