"""The range bar follows the JST calendar while the window stays open: a chosen preset moves to
the new day (at 取得, and once a minute when idle), and today is never refused as the future."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from PySide6.QtCore import QDate

from app.core.dates import Preset
from app.ui import texts
from app.ui.fetch import date_range as range_bar_module
from app.ui.fetch.date_range import DateRangeBar

EVENING = date(2026, 12, 6)


@pytest.fixture
def clock(monkeypatch):
    """The JST day the bar reads; the test turns it over."""
    day = [EVENING]
    monkeypatch.setattr(range_bar_module, "today_jst", lambda: day[0])
    return day


def test_fetch_after_midnight_uses_the_presets_new_range(qtbot, clock) -> None:
    bar = DateRangeBar()
    qtbot.addWidget(bar)
    assert bar.date_range().end == EVENING  # 直近7日間, the default
    clock[0] = EVENING + timedelta(days=1)
    with qtbot.waitSignal(bar.fetch_requested, timeout=10_000) as fetched:
        bar.fetch_button.click()
    chosen, _lists = fetched.args
    assert (chosen.start, chosen.end) == (EVENING - timedelta(days=5), EVENING + timedelta(days=1))
    assert bar.end_edit.date() == QDate(2026, 12, 7)  # the fields show what was fetched
    assert bar.preset is Preset.LAST_7_DAYS


def test_the_minute_tick_moves_an_idle_preset_but_not_a_running_fetchs(qtbot, clock) -> None:
    bar = DateRangeBar()
    qtbot.addWidget(bar)
    bar.set_busy(True)
    clock[0] = EVENING + timedelta(days=1)
    bar._day_timer.timeout.emit()
    assert bar.date_range().end == EVENING  # the running fetch's range stays on screen
    bar.set_busy(False)
    bar._day_timer.timeout.emit()
    assert bar.date_range().end == EVENING + timedelta(days=1)


def test_a_typed_range_stays_and_tomorrow_becomes_fetchable(qtbot, clock) -> None:
    bar = DateRangeBar()
    qtbot.addWidget(bar)
    tomorrow = EVENING + timedelta(days=1)
    bar.set_range(tomorrow, tomorrow)
    assert bar.problem() == texts.RANGE_FUTURE
    assert not bar.fetch_button.isEnabled()
    clock[0] = tomorrow
    bar._day_timer.timeout.emit()
    assert bar.date_range().start == tomorrow  # not a preset: the operator's dates stay
    assert bar.problem() == ""
    assert bar.fetch_button.isEnabled()
