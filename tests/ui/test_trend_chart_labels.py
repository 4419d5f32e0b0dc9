"""推移 on a narrow chart (half of a 1024-px window): labels are thinned, and the newest period —
on a first day the only bar — keeps its label. Counted from the oldest, 12 months were labelled
2026-01, 2026-03 … 2026-11 and the December bar stood to the right of 「2026-11」."""

from __future__ import annotations

from itertools import pairwise

from app.ui.widgets.stacked_chart import StackedColumnChart, build_stacked


def test_the_newest_period_is_labelled_when_labels_are_thinned(qtbot) -> None:
    months = [f"2026-{month:02d}" for month in range(1, 13)]
    chart = StackedColumnChart()
    qtbot.addWidget(chart)
    chart.set_model(build_stacked("分類別", months, {"無効なアドレス": [0] * 11 + [157]}))
    chart.resize(460, 240)
    chart.show()
    qtbot.waitExposed(chart)
    labelled = chart.labelled_columns()
    assert 1 < len(labelled) < len(months)  # thinned, not dropped
    assert len(months) - 1 in labelled  # 2026-12, the bar with data
    steps = {abs(a - b) for a, b in pairwise(labelled)}
    assert len(steps) == 1  # evenly spaced
