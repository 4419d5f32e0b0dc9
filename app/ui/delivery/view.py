"""DeliveryView (配信状況): delivery-rate chart, totals, warning banner and list breakdown.

The view only shows what it is given: the controller fetches stats in a job
(``app.core.stats.fetch_daily_stats``) and calls ``set_stats``; fetched entries arrive through
``set_breakdown``. Changing the threshold re-judges the days locally and emits
``threshold_changed`` so the caller can remember it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from app.core.dates import today_jst
from app.core.stats import (
    DEFAULT_THRESHOLD,
    RATE_DEFINITION_JA,
    DailyStats,
    DeliveryReport,
    describe_bad_day,
    evaluate,
    format_percent,
    format_rate,
    period_label,
    summary_ja,
)
from app.core.types import DateRange, Explanation, SuppressionEntry
from app.ui.safe_text import plain_label
from app.ui.widgets.breakdown_chart import BreakdownChart
from app.ui.widgets.chart_model import (
    BreakdownChartModel,
    build_breakdown,
    build_delivery_chart,
)
from app.ui.widgets.delivery_chart import EMPTY_TEXT, DeliveryChart
from app.ui.widgets.sentence_label import SentenceLabel

TITLE = "配信状況"
THRESHOLD_LABEL = "しきい値"
NOTE = (
    f"{RATE_DEFINITION_JA}。リクエストが 0 件の日は「送信なし」として判定しません。"
    "日付は SendGrid アカウントのタイムゾーン設定（日本時間を想定）の暦日です。"
)
WARNING = "⚠ 配信率がしきい値を下回った日があります（{count} 日）: {days}"
ALL_OK = "✓ すべての日で配信率がしきい値 {threshold} 以上です"
NO_SENDS = "この期間は送信がありませんでした（リクエスト 0 件）"
NOT_LOADED = "配信統計はまだ読み込まれていません"
# An account whose provider gives Todoku no statistics: 「まだ」 had the operator waiting.
NO_STATS = "このアカウントでは配信統計を表示できません（配信率は SendGrid のアカウントだけです）"
NO_STATS_CHART = "このアカウントには配信統計がありません"
CARDS = (
    ("rate", "期間の配信率"),
    ("requests", "リクエスト"),
    ("delivered", "配信成功"),
    ("bounces", "バウンス"),
    ("blocks", "ブロック"),
    ("deferred", "遅延"),
)
_BANNER_STYLES = {
    "warning": "background: #fde8e8; color: #a61b1b; border: 1px solid #e8a0a0;",
    "ok": "background: #e7f5ea; color: #1d6b34; border: 1px solid #a9d8b5;",
    "neutral": "background: #f2f2f2; color: #555555; border: 1px solid #d6d6d6;",
}


class DeliveryView(QWidget):
    """The 配信状況 tab.

    Signals:
        threshold_changed(float): the operator changed the threshold (a ratio, 0.97 = 97%).
    """

    threshold_changed = Signal(float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._daily: tuple[DailyStats, ...] = ()
        self._report: DeliveryReport | None = None
        self._today: date | None = None

        title = QLabel(TITLE)
        title_font = title.font()
        title_font.setPointSizeF(title_font.pointSizeF() * 1.35)
        title_font.setBold(True)
        title.setFont(title_font)
        self.period_label = plain_label("")
        self.threshold_spin = QDoubleSpinBox()
        self.threshold_spin.setRange(50.0, 100.0)
        self.threshold_spin.setDecimals(1)
        self.threshold_spin.setSingleStep(0.5)
        self.threshold_spin.setSuffix(" %")
        self.threshold_spin.setValue(DEFAULT_THRESHOLD * 100)
        self.threshold_spin.setToolTip("この値を下回った日を赤で示し、警告を表示します")
        self.threshold_spin.valueChanged.connect(self._on_threshold_spin_value_changed)
        header = QHBoxLayout()
        header.addWidget(title)
        header.addSpacing(12)
        header.addWidget(self.period_label)
        header.addStretch(1)
        header.addWidget(QLabel(THRESHOLD_LABEL))
        header.addWidget(self.threshold_spin)

        self.banner = plain_label(NOT_LOADED)
        self.banner.setWordWrap(True)
        self.banner.setContentsMargins(10, 6, 10, 6)
        self._set_banner("neutral", NOT_LOADED)

        cards = QGridLayout()
        cards.setHorizontalSpacing(18)
        self._card_values: dict[str, QLabel] = {}
        for column, (key, caption) in enumerate(CARDS):
            caption_label = QLabel(caption)
            caption_label.setStyleSheet("color: #666666;")
            value = plain_label("—")
            value_font = value.font()
            value_font.setPointSizeF(value_font.pointSizeF() * 1.45)
            value_font.setBold(True)
            value.setFont(value_font)
            cards.addWidget(caption_label, 0, column)
            cards.addWidget(value, 1, column)
            self._card_values[key] = value
        cards.setColumnStretch(len(CARDS), 1)

        self.summary_label = plain_label("")
        self.summary_label.setWordWrap(True)
        self.summary_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        note = SentenceLabel(NOTE)
        note.setStyleSheet("color: #666666;")

        self.delivery_chart = DeliveryChart()
        self.breakdown_chart = BreakdownChart()
        self.breakdown_chart.set_model(None)
        charts = QHBoxLayout()
        charts.addWidget(_framed(self.delivery_chart), 3)
        charts.addWidget(_framed(self.breakdown_chart), 2)

        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(self.banner)
        layout.addLayout(cards)
        layout.addWidget(self.summary_label)
        layout.addLayout(charts, 1)
        layout.addWidget(note)

    # -- public API ------------------------------------------------------------------------------

    @property
    def threshold(self) -> float:
        return round(self.threshold_spin.value() / 100, 4)

    @property
    def report(self) -> DeliveryReport | None:
        return self._report

    def set_stats(
        self, daily: Sequence[DailyStats], threshold: float, today: date | None = None
    ) -> None:
        """Show these days judged against ``threshold`` (a ratio). ``today`` (JST) lets the
        header say 過去7日間 for a range ending today; defaults to the real today."""
        self._daily = tuple(daily)
        self._today = today if today is not None else today_jst()
        self.threshold_spin.blockSignals(True)  # a programmatic value is not a user change
        self.threshold_spin.setValue(threshold * 100)
        self.threshold_spin.blockSignals(False)
        self._refresh()

    def show_no_stats(self) -> None:
        """The account's provider has no statistics: say so, not 「まだ」; no threshold to set."""
        self.set_stats((), self.threshold)
        self._set_banner("neutral", NO_STATS)
        self.delivery_chart.empty_text = NO_STATS_CHART
        self.delivery_chart.update()
        self.threshold_spin.setEnabled(False)

    def set_breakdown(
        self, entries_with_explanations: Iterable[tuple[SuppressionEntry, Explanation | None]]
    ) -> None:
        """Count fetched entries by cause category and recipient domain group.

        Counting is ~0.5 s per million entries: for big fetches, call ``build_breakdown`` (Qt-free)
        in a job and pass its result to ``set_breakdown_model`` instead.
        """
        self.set_breakdown_model(build_breakdown(entries_with_explanations))

    def set_breakdown_model(self, model: BreakdownChartModel | None) -> None:
        self.breakdown_chart.set_model(model)

    # -- internals -------------------------------------------------------------------------------

    @Slot(float)
    def _on_threshold_spin_value_changed(self, _value: float) -> None:
        self._refresh()
        self.threshold_changed.emit(self.threshold)

    def _refresh(self) -> None:
        self.threshold_spin.setEnabled(True)
        self.delivery_chart.empty_text = EMPTY_TEXT
        if not self._daily:
            self._report = None
            self.delivery_chart.set_model(None)
            self.period_label.setText("")
            self.summary_label.setText("")
            self._set_banner("neutral", NOT_LOADED)
            for value in self._card_values.values():
                value.setText("—")
            return
        threshold = self.threshold
        report = evaluate(self._daily, threshold)
        self._report = report
        date_range = DateRange(self._daily[0].date, self._daily[-1].date)
        period = period_label(date_range, self._today)
        self.period_label.setText(
            f"{period}（{date_range.start:%Y/%m/%d}〜{date_range.end:%Y/%m/%d}）"
        )
        self.summary_label.setText(summary_ja(report, period))
        self.delivery_chart.set_model(build_delivery_chart(self._daily, threshold))
        below = report.below_days
        if below:
            days = "、".join(describe_bad_day(day) for day in below[:3])
            if len(below) > 3:
                days += f" ほか {len(below) - 3} 日"
            self._set_banner("warning", WARNING.format(count=len(below), days=days))
        elif report.lowest is None:
            self._set_banner("neutral", NO_SENDS)
        else:
            self._set_banner("ok", ALL_OK.format(threshold=format_percent(threshold)))
        totals = report.totals
        self._card_values["rate"].setText(format_rate(totals))
        for key in ("requests", "delivered", "bounces", "blocks", "deferred"):
            self._card_values[key].setText(f"{getattr(totals, key):,}")

    def _set_banner(self, kind: str, text: str) -> None:
        self.banner.setText(text)
        self.banner.setProperty("state", kind)
        self.banner.setStyleSheet(
            f"QLabel {{ {_BANNER_STYLES[kind]} border-radius: 4px; font-weight: bold; }}"
        )

    @property
    def banner_state(self) -> str:
        """ "warning", "ok" or "neutral" (for tests and the lead's tab badge)."""
        return str(self.banner.property("state"))


def _framed(widget: QWidget) -> QFrame:
    frame = QFrame()
    frame.setFrameShape(QFrame.Shape.StyledPanel)
    layout = QVBoxLayout(frame)
    layout.setContentsMargins(4, 4, 4, 4)
    layout.addWidget(widget)
    return frame
