"""TrendsTab (推移): monthly or weekly counts by category and by domain group, 再発 per period
and the domains that grew this month, from the fetch history. Charts are painted like the
配信状況 tab's (app/ui/widgets/stacked_chart.py); the tables come from a job (TrendData)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal, Slot
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.ui.history import texts
from app.ui.safe_text import plain_label, single_line

if TYPE_CHECKING:
    from app.ui.history.jobs import TrendData
    from app.ui.widgets.stacked_chart import StackedColumnChart

MONTH, WEEK = "month", "week"  # TrendBucket values (the enum loads with the history core)


class TrendsTab(QWidget):
    """Signals:
    refresh_requested: (months: int, bucket: str) — the operator changed the view or pressed
        更新; the window runs the job and hands the result to ``show_trends``.
    """

    refresh_requested = Signal(int, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bucket_combo = QComboBox()
        self.bucket_combo.addItem(texts.TRENDS_MONTH, MONTH)
        self.bucket_combo.addItem(texts.TRENDS_WEEK, WEEK)
        self.span_combo = QComboBox()
        for months, label in texts.TRENDS_SPANS:
            self.span_combo.addItem(label, months)
        self.span_combo.setCurrentIndex(1)
        self.refresh_button = QPushButton(texts.TRENDS_REFRESH)
        self.account_label = plain_label("")
        self.state_label = plain_label(texts.TRENDS_EMPTY)
        self.state_label.setWordWrap(True)  # a long note must not widen the window (800 px screens)
        self.growing_title = QLabel(texts.TRENDS_GROWING)
        bold = self.growing_title.font()
        bold.setBold(True)
        self.growing_title.setFont(bold)
        self.growing = QPlainTextEdit()  # plain text: domains come from remote data
        self.growing.setReadOnly(True)
        self.recurrence_total = plain_label("")
        self.data: TrendData | None = None
        self.stale = True  # a fetch changed history since the tables were read

        controls = QHBoxLayout()
        controls.addWidget(QLabel(texts.TRENDS_SPAN))
        controls.addWidget(self.span_combo)
        controls.addWidget(self.bucket_combo)
        controls.addWidget(self.refresh_button)
        controls.addSpacing(12)
        controls.addWidget(self.account_label)
        controls.addWidget(self.state_label, 1)
        side = QVBoxLayout()
        side.addWidget(self.growing_title)
        side.addWidget(self.growing, 1)
        side.addWidget(self.recurrence_total)
        side_box = QWidget()
        side_box.setLayout(side)
        grid = self._grid = QGridLayout()
        self._charts: tuple[StackedColumnChart, ...] = ()  # built when first shown or filled
        grid.addWidget(side_box, 1, 1)
        grid.setRowStretch(0, 3)
        grid.setRowStretch(1, 2)
        # The charts scroll: their minimum height must not set the window's, which has to fit
        # a 1366×768 laptop with every banner shown.
        charts = QWidget()
        charts.setLayout(grid)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(charts)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 6, 4, 4)
        layout.addLayout(controls)
        layout.addWidget(scroll, 1)

        self.bucket_combo.activated.connect(self._on_view_changed)
        self.span_combo.activated.connect(self._on_view_changed)
        self.refresh_button.clicked.connect(self.request_refresh)

    @property
    def months(self) -> int:
        return int(self.span_combo.currentData())

    @property
    def bucket(self) -> str:
        return str(self.bucket_combo.currentData())

    @Slot()
    def request_refresh(self) -> None:
        self.state_label.setText(texts.TRENDS_LOADING)
        self.refresh_requested.emit(self.months, self.bucket)

    @Slot(int)
    def _on_view_changed(self, _: int) -> None:
        self.request_refresh()

    def _ensure_charts(self) -> tuple[StackedColumnChart, ...]:
        """The three charts, built on first need: the chart code costs start-up ~30 ms."""
        if not self._charts:
            from app.ui.widgets.stacked_chart import StackedColumnChart

            self._charts = tuple(StackedColumnChart(texts.CHART_EMPTY) for _ in range(3))
            for chart, (row, column) in zip(self._charts, ((0, 0), (0, 1), (1, 0)), strict=True):
                self._grid.addWidget(chart, row, column)
        return self._charts

    @property
    def category_chart(self) -> StackedColumnChart:
        return self._ensure_charts()[0]

    @property
    def group_chart(self) -> StackedColumnChart:
        return self._ensure_charts()[1]

    @property
    def recurrence_chart(self) -> StackedColumnChart:
        return self._ensure_charts()[2]

    def showEvent(self, event: QShowEvent) -> None:
        self._ensure_charts()
        super().showEvent(event)

    def show_trends(self, data: TrendData) -> None:
        from app.ui.widgets.stacked_chart import build_stacked

        self.data = data
        self.stale = False
        unit = texts.TRENDS_MONTH if data.bucket == MONTH else texts.TRENDS_WEEK
        shown = texts.account_shown(data.account.account, data.account.practice)
        self.account_label.setText(texts.TRENDS_ACCOUNT.format(account=shown))
        self.state_label.setText("" if not data.empty else texts.TRENDS_EMPTY)
        for chart, title, table in (
            (self.category_chart, texts.TRENDS_BY_CATEGORY, data.by_category),
            (self.group_chart, texts.TRENDS_BY_GROUP, data.by_group),
            (self.recurrence_chart, texts.TRENDS_RECURRENCE, data.recurrence),
        ):
            chart.set_model(build_stacked(f"{title}（{unit}・件数）", table.buckets, table.series))
        lines = [
            texts.TRENDS_GROWING_LINE.format(
                domain=single_line(item.domain, 120),  # a domain from the provider's data
                previous=item.previous,
                current=item.current,
                change=item.change,
            )
            for item in data.growing
        ]
        self.growing_title.setText(f"{texts.TRENDS_GROWING}: {data.month:%Y-%m}")
        if not data.previous_fetched:
            lines = [texts.TRENDS_GROWING_NO_PREVIOUS]  # each domain would "grow" from zero
        self.growing.setPlainText("\n".join(lines) or texts.TRENDS_GROWING_NONE)
        self.recurrence_total.setText(
            texts.TRENDS_RECURRENCE_TOTAL.format(count=sum(data.recurrence.total()))
        )

    def show_failed(self) -> None:
        self.state_label.setText("")

    @Slot()
    def show_cancelled(self) -> None:
        """The tables asked for will not come: say so, and that 更新 reads them again."""
        self.stale = True
        self.state_label.setText(texts.TRENDS_CANCELLED)
