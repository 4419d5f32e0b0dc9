"""The 期間・リスト bar is put away on the DMARC tab (DMARC shows the reports it was given, whatever
their days; the bar's range and lists mean nothing there) and is back on every other tab. A
fetch running meanwhile keeps it, with its progress and キャンセル, until the fetch ends."""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import Qt

from app.core.types import ListKind
from app.sandbox.scenarios import SandboxRecord
from app.ui.dmarc import texts as dmarc_texts
from tests.helpers.ui import FETCH_TIMEOUT_MS, SandboxFactory

NOW = int(time.time()) - 3600


@pytest.fixture
def sandbox_factory() -> SandboxFactory:
    records = [
        SandboxRecord("bounces", f"user{i}@example.jp", NOW - i, "550 5.1.1 unknown", "5.1.1")
        for i in range(3)
    ]
    return SandboxFactory(records, latency_ms=1500)  # the fetch runs while the tab is changed


def _tab_titled(window, title: str) -> int:
    titles = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    return next(i for i, text in enumerate(titles) if title in text)


def test_the_range_bar_is_hidden_on_the_dmarc_tab_only(qtbot, make_window) -> None:
    window = make_window()
    bar = window.range_bar
    assert bar.isVisible()
    dmarc = _tab_titled(window, dmarc_texts.TAB_TITLE)
    for index in range(window.tabs.count()):
        window.tabs.setCurrentIndex(index)
        assert bar.isVisible() is (index != dmarc), window.tabs.tabText(index)
    window.tabs.setCurrentIndex(dmarc)
    assert window.tabs.currentWidget() is window.dmarc_tab  # built by now: still hidden
    assert not bar.isVisible()
    window.tabs.setCurrentIndex(0)
    assert bar.isVisible()


def test_a_fetch_running_keeps_the_bar_on_the_dmarc_tab_until_it_ends(qtbot, make_window) -> None:
    window = make_window()
    bar = window.range_bar
    qtbot.waitUntil(lambda: window.list_page.has_grid)
    bar.set_lists((ListKind.BOUNCES,))
    fetch = window.controller.fetch
    qtbot.mouseClick(bar.fetch_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: fetch.job is not None, timeout=10_000)
    window.tabs.setCurrentIndex(_tab_titled(window, dmarc_texts.TAB_TITLE))
    assert bar.isVisible() and bar.cancel_button.isVisible()  # its progress and キャンセル
    with qtbot.waitSignal(fetch.running, timeout=FETCH_TIMEOUT_MS, check_params_cb=lambda r: not r):
        pass
    qtbot.waitUntil(lambda: not bar.isVisible(), timeout=5_000)
    window.tabs.setCurrentIndex(0)
    assert bar.isVisible() and bar.fetch_button.isVisible()
    assert window.model.total == 3
