"""配信状況: the chart models' values (Qt-free) and DeliveryView's warning, offscreen."""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication

from app.core.stats import DailyStats
from app.core.types import Explanation, ListKind, SuppressionEntry
from app.ui.delivery.view import DeliveryView
from app.ui.widgets.chart_model import build_breakdown, build_delivery_chart

START = date(2026, 11, 24)


def week(bad_index: int | None = 4) -> list[DailyStats]:
    days = [
        DailyStats(START + timedelta(days=i), requests=2000, delivered=1990, bounces=6, blocks=4)
        for i in range(7)
    ]
    if bad_index is not None:
        days[bad_index] = DailyStats(
            START + timedelta(days=bad_index), 2000, 1698, bounces=120, blocks=300
        )
    return days


# -- delivery chart model (pure) -------------------------------------------------------------


def test_delivery_chart_values() -> None:
    daily = week()
    daily[1] = DailyStats(daily[1].date, requests=0)  # 送信なし
    daily[2] = DailyStats(daily[2].date, has_data=False)  # データなし
    model = build_delivery_chart(daily, 0.97)
    assert [p.label for p in model.points] == [
        "11/24", "11/25", "11/26", "11/27", "11/28", "11/29", "11/30"
    ]  # fmt: skip
    assert model.highlighted == (4,)
    assert [p.rate_text for p in model.points[:5]] == [
        "99.5%", "送信なし", "データなし", "99.5%", "84.9%"
    ]  # fmt: skip
    # Rate axis: from a round 5% step under the lowest rate (84.9%) up to 100%.
    assert model.rate_min == pytest.approx(0.80)
    assert [t.label for t in model.rate_ticks] == ["80%", "85%", "90%", "95%", "100%"]
    assert model.rate_ticks[0].fraction == pytest.approx(0.0)
    assert model.rate_ticks[-1].fraction == pytest.approx(1.0)
    assert model.threshold_fraction == pytest.approx((0.97 - 0.80) / 0.20)
    assert model.threshold_label == "しきい値 97%"
    bad = model.points[4]
    assert bad.below and bad.rate_fraction == pytest.approx((0.849 - 0.80) / 0.20)
    assert bad.rate_fraction < model.threshold_fraction < model.points[0].rate_fraction
    assert model.points[1].rate_fraction is None and not model.points[1].below
    assert model.points[2].rate_fraction is None
    # Count axis: round top over the largest bar (300 blocks), bars proportional.
    assert model.count_max == 300
    assert [t.label for t in model.count_ticks] == ["0", "100", "200", "300"]
    assert bad.block_fraction == pytest.approx(1.0)
    assert bad.bounce_fraction == pytest.approx(0.4)
    assert model.points[0].bounce_fraction == pytest.approx(6 / 300)


def test_delivery_chart_tooltips_are_plain_text() -> None:
    daily = week()
    daily[1] = DailyStats(daily[1].date, requests=0)
    daily[2] = DailyStats(daily[2].date, has_data=False)
    points = build_delivery_chart(daily, 0.97).points
    assert points[4].tooltip == (
        "2026/11/28（土）\n"
        "配信率 84.9%（しきい値 97% 未満）\n"
        "リクエスト 2,000 件 / 配信成功 1,698 件\n"
        "バウンス 120 件 / ブロック 300 件 / 遅延 0 件"
    )
    assert "しきい値 97% 以上" in points[0].tooltip
    assert "送信なし" in points[1].tooltip
    assert "データなし" in points[2].tooltip
    assert all("<" not in p.tooltip for p in points)


def test_rate_axis_when_every_day_is_fine_starts_under_the_threshold() -> None:
    model = build_delivery_chart(week(bad_index=None), 0.97)
    assert model.highlighted == ()
    assert model.rate_min == pytest.approx(0.96)
    assert 0 < model.threshold_fraction < model.points[0].rate_fraction <= 1
    assert model.count_max == 6 and model.points[0].bounce_fraction == pytest.approx(1.0)


def test_empty_and_all_zero_days_draw_without_errors() -> None:
    assert build_delivery_chart([], 0.97).empty
    idle = build_delivery_chart([DailyStats(START, requests=0)], 0.97)
    assert idle.count_max == 1 and idle.highlighted == ()
    assert idle.points[0].rate_fraction is None


# -- breakdown model (pure) ------------------------------------------------------------------


def entry(email: str, kind: ListKind = ListKind.BOUNCES) -> SuppressionEntry:
    return SuppressionEntry(kind, email, datetime(2026, 11, 28, tzinfo=UTC))


def explained(category: str) -> Explanation:
    return Explanation("x", category, False, "", "", "")


def test_breakdown_counts_by_category_and_domain_group() -> None:
    pairs = [
        (entry("a@docomo.ne.jp"), explained("Invalid Address")),
        (entry("b@docomo.ne.jp"), explained("Invalid Address")),
        (entry("c@gmail.com"), explained("Reputation")),
        (entry("d@example.com"), explained("Invalid Address")),
        (entry("e@city.kobe.lg.jp"), None),
    ]
    model = build_breakdown(pairs)
    categories, domains = model.sections
    assert model.total == 5
    assert categories.title == "原因の分類別"
    assert [(r.label, r.count) for r in categories.rows] == [
        ("無効なアドレス", 3),
        ("送信元の評判で拒否", 1),
        ("分類中", 1),
    ]
    assert categories.rows[0].fraction == 1.0 and categories.rows[1].fraction == pytest.approx(
        1 / 3
    )
    assert categories.rows[0].share_text == "60.0%"
    assert [(r.label, r.count) for r in domains.rows] == [
        ("docomo", 2),
        ("自治体（lg.jp）", 1),
        ("Gmail", 1),
        ("その他", 1),  # always last, even when larger groups come before it
    ]
    assert domains.rows[0].tooltip == "受信ドメイン別 — docomo: 2 件（全体の 40.0%）"
    assert build_breakdown([]).empty


# -- DeliveryView (offscreen) ----------------------------------------------------------------


@pytest.fixture
def view(qtbot) -> DeliveryView:
    widget = DeliveryView()
    qtbot.addWidget(widget)
    widget.resize(1200, 760)
    return widget


def test_view_warns_about_a_bad_day(view: DeliveryView) -> None:
    assert view.banner_state == "neutral"
    view.set_stats(week(), 0.97, today=START + timedelta(days=6))
    view.show()
    assert view.banner.isVisible()
    assert view.banner_state == "warning"
    assert view.banner.text().startswith("⚠ 配信率がしきい値を下回った日があります（1 日）")
    assert "11/28（84.9%、バウンス 120 件、ブロック 300 件）" in view.banner.text()
    assert view.banner.textFormat() == Qt.TextFormat.PlainText
    assert view.period_label.text().startswith("過去7日間")
    assert view.summary_label.text().startswith("過去7日間の配信率: 最低 84.9%（11/28）")
    assert view.threshold_spin.value() == pytest.approx(97.0)
    assert view.delivery_chart.model().highlighted == (4,)
    assert view._card_values["blocks"].text() == f"{6 * 4 + 300:,}"


def test_threshold_spin_rejudges_and_emits(view: DeliveryView, qtbot) -> None:
    view.set_stats(week(), 0.97, today=START + timedelta(days=6))
    with qtbot.waitSignal(view.threshold_changed) as signal:
        view.threshold_spin.setValue(80.0)
    assert signal.args == [pytest.approx(0.80)]
    assert view.banner_state == "ok"
    assert view.banner.text() == "✓ すべての日で配信率がしきい値 80% 以上です"
    assert view.delivery_chart.model().highlighted == ()
    assert view.delivery_chart.model().threshold == pytest.approx(0.80)


def test_set_stats_does_not_emit_threshold_changed(view: DeliveryView, qtbot) -> None:
    with qtbot.assertNotEmitted(view.threshold_changed):
        view.set_stats(week(), 0.95)
    assert view.threshold == pytest.approx(0.95)


def test_no_sends_is_neutral_not_a_warning(view: DeliveryView) -> None:
    view.set_stats([DailyStats(START + timedelta(days=i), requests=0) for i in range(3)], 0.97)
    assert view.banner_state == "neutral"
    assert "送信がありませんでした" in view.banner.text()


def test_hover_tooltip_names_the_day(view: DeliveryView, qtbot) -> None:
    view.set_stats(week(), 0.97, today=START + timedelta(days=6))
    view.show()
    qtbot.waitExposed(view)
    chart = view.delivery_chart
    rate_plot, _ = chart._areas()
    column = rate_plot.width() / 7
    x = rate_plot.left() + column * 4.5
    assert chart.day_at(x) == 4
    assert chart.tooltip_at(x).startswith("2026/11/28（土）\n配信率 84.9%")
    assert chart.tooltip_at(rate_plot.left() - 5) == ""
    position = QPointF(x, rate_plot.center().y())
    move = QMouseEvent(
        QMouseEvent.Type.MouseMove,
        position,
        chart.mapToGlobal(position),
        Qt.MouseButton.NoButton,
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(chart, move)
    assert chart._hover == 4


def test_breakdown_in_view_and_rendering(view: DeliveryView, qtbot) -> None:
    view.set_stats(week(), 0.97)
    view.set_breakdown([(entry("a@docomo.ne.jp"), explained("Reputation"))])
    model = view.breakdown_chart.model()
    assert model is not None and model.total == 1
    view.show()
    qtbot.waitExposed(view)
    image = view.grab().toImage()
    assert not image.isNull()
    # The bad day's column is painted pale red: sample the middle of day 5 in the rate plot.
    chart = view.delivery_chart
    rate_plot, _ = chart._areas()
    x = int(rate_plot.left() + rate_plot.width() / 7 * 4.5) + 15
    y = int(rate_plot.top() + 5)
    sample = chart.grab().toImage().pixelColor(QPoint(x, y))
    assert sample.red() > sample.blue() + 10, sample.name()


def test_bad_days_always_get_an_axis_label() -> None:
    from app.ui.widgets.delivery_chart import _labelled_days

    daily = [DailyStats(START + timedelta(days=i), 100, 99) for i in range(30)]
    daily[29] = DailyStats(daily[29].date, 100, 50)
    model = build_delivery_chart(daily, 0.97)
    labelled = _labelled_days(model, every=4)
    assert 29 in labelled and 28 not in labelled  # 28 is every 4th but would collide with 29
    assert all(b - a >= 4 for a, b in pairwise(labelled))
    assert _labelled_days(model, every=1) == list(range(30))


def test_repainting_does_not_use_up_none(view: DeliveryView) -> None:
    """PySide6-Essentials 6.12.0 on Python 3.11 drops a reference to None on every void call
    (None is immortal only from 3.12): a chart repainted on hover then aborts the app with
    "Fatal Python error: none_dealloc" after a few dozen repaints. 6.11.3 does not."""
    view.set_stats(week(), 0.97)
    view.delivery_chart.grab()
    before = sys.getrefcount(None)
    for _ in range(3):
        view.delivery_chart.grab()
    assert sys.getrefcount(None) - before > -100
