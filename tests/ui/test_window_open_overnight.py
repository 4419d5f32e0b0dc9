"""The window left open overnight (a PC that is never shut down, an operator who starts it in the
evening): the range bar's idea of 「今日」 is fixed when the window is built. The next morning
「直近7日間」 still ends yesterday, so 取得 misses today's bounces while the preset claims the last
seven days; and typing today's date is refused as a day in the future."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.core.dates import Preset, today_jst
from app.ui import texts
from app.ui.fetch import date_range as range_bar_module
from tests.helpers.ui import fetch


@pytest.fixture
def window_opened_yesterday(make_window, monkeypatch):
    """A window built while the JST calendar still showed yesterday; the clock then moves on
    (only the clock reading at construction is set back, nothing of the window's code)."""
    yesterday = today_jst() - timedelta(days=1)
    with monkeypatch.context() as clock:
        clock.setattr(range_bar_module, "today_jst", lambda: yesterday)
        window = make_window()
    return window


def test_the_last_seven_days_end_today_after_midnight(qtbot, window_opened_yesterday) -> None:
    window = window_opened_yesterday
    bar = window.range_bar
    bar.apply_preset(Preset.LAST_7_DAYS)  # the operator picks 直近7日間 again, this morning
    fetch(qtbot, window)

    # Found: the range ends yesterday (DateRangeBar._today is read once, in __init__), so
    # today's entries are left out under a preset that says 直近7日間.
    assert window.controller.fetch.fetched_range.end == today_jst()


def test_today_is_not_refused_as_the_future_after_midnight(window_opened_yesterday) -> None:
    bar = window_opened_yesterday.range_bar
    today = today_jst()
    bar.set_range(today, today)  # just today's entries

    # Found: 「開始日が未来の日付です」 (texts.RANGE_FUTURE) and 取得 disabled, for the real
    # today.
    assert bar.problem() != texts.RANGE_FUTURE
    assert bar.fetch_button.isEnabled()
