"""キャンセル in the DMARC tab while DNS is being asked about names from strangers' reports
(the reverse names during an import, the published records after 確認): the servers answering
for those names may answer slowly on purpose, each answer inside the timeout. The operator's
cancel must end the job at once. DNS goes to the loopback imitation, answering after a delay.

Judged by the questions the imitation answered, not by seconds: from the click to the job's
end at most the question in flight (and one already sent) is answered; a cancel looked at only
between phases let every remaining name be asked first."""

from __future__ import annotations

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
def dns() -> Iterator[DnsSandbox]:
    server = DnsSandbox({}, delay=0.25).start()
    yield server
    server.stop()


@pytest.fixture
def slow_window(make_window, dns: DnsSandbox) -> Iterator:
    window = make_window(dmarc_resolver=lambda: make_resolver("127.0.0.1", dns.port, lifetime=2.0))
    window.tabs.setCurrentWidget(window.dmarc_tab)
    yield window


def _answered_after_cancel(qtbot, window, dns: DnsSandbox, status: str) -> tuple[int, int]:
    """(questions answered before the click on キャンセル, questions answered after it)."""
    tab, dmarc = window.dmarc_tab, window.controller.dmarc
    qtbot.waitUntil(lambda: tab.status_label.text() == status, timeout=JOB_TIMEOUT_MS)
    before = len(dns.questions)
    qtbot.mouseClick(tab.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dmarc.job is None, timeout=JOB_TIMEOUT_MS)
    return before, len(dns.questions) - before


def test_cancel_during_the_reverse_lookups_ends_the_import(
    qtbot, slow_window, dns: DnsSandbox, tmp_path: Path
):
    folder = tmp_path / "spoofed"
    write_report_files(folder, generate_reports(1, extra_spoof_records=150))  # 150+ IPs
    tab = slow_window.dmarc_tab
    tab.choose_folder = lambda parent, start: [folder]
    qtbot.mouseClick(tab.folder_button, Qt.MouseButton.LeftButton)
    before, after = _answered_after_cancel(qtbot, slow_window, dns, texts.RESOLVING)
    assert before < 150 and after <= 2, (before, after)
    assert tab.status_label.text() == texts.IMPORT_CANCELLED


def test_cancel_during_the_record_check_ends_it(
    qtbot, slow_window, dns: DnsSandbox, tmp_path: Path
):
    folder = tmp_path / "domains"
    folder.mkdir()
    for index in range(20):
        write_report_files(folder, generate_reports(1, domain=f"d{index:03}.example", seed=index))
    tab = slow_window.dmarc_tab
    tab.choose_folder = lambda parent, start: [folder]
    click_and_wait(qtbot, slow_window, tab.folder_button)
    qtbot.mouseClick(tab.view.check_button, Qt.MouseButton.LeftButton)
    before, after = _answered_after_cancel(qtbot, slow_window, dns, texts.CHECKING_DNS)
    assert after <= 2, (before, after)
    assert tab.status_label.text() == texts.CHECK_CANCELLED
