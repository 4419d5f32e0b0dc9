"""The range bar: two JST date fields with presets, list check boxes, fetch/cancel, progress."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from app.core.dates import Preset, preset_range, today_jst
from app.core.types import ALL_LISTS, DateRange, ListKind
from app.ui import texts
from app.ui.safe_text import plain_label
from app.ui.widgets.date_edit import JapaneseDateEdit
from app.ui.widgets.single_click_button import SingleClickButton
from app.ui.widgets.tint import set_text_colour


def _to_qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _from_qdate(day: QDate) -> date:
    return date(day.year(), day.month(), day.day())


class DateRangeBar(QWidget):
    """Range, lists and the fetch/cancel buttons.

    Signals:
        fetch_requested: (DateRange, tuple[ListKind, ...]) when 取得 is pressed on valid input.
        cancel_requested: キャンセル pressed.
        full_fetch_requested: (DateRange, tuple[ListKind, ...]) when 全件再取得 is pressed: a
            full pass even where history covers the range (notices 他所で削除).
    """

    fetch_requested = Signal(object, object)
    full_fetch_requested = Signal(object, object)
    cancel_requested = Signal()

    def __init__(self, today: date | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # A fixed day for tests; otherwise the JST calendar is read whenever it matters, since
        # the window may stay open past midnight (an office PC that is never shut down).
        self._fixed_today = today
        self._shown_day = self.today
        self._preset: Preset | None = None
        self._busy = False

        self.preset_combo = QComboBox()
        self.preset_combo.addItem(texts.PRESET_PLACEHOLDER, None)
        for preset in Preset:
            self.preset_combo.addItem(preset.label_ja, preset.value)
        self.start_edit = self._date_edit()
        self.end_edit = self._date_edit()
        self.range_error = plain_label()
        set_text_colour(self.range_error, "#c62828")
        self.list_boxes: dict[ListKind, QCheckBox] = {}
        self._available: tuple[ListKind, ...] = ALL_LISTS  # the account's provider has these
        self.fetch_button = SingleClickButton(texts.FETCH)
        self.fetch_button.setDefault(True)
        self.full_fetch_button = SingleClickButton(texts.FULL_FETCH)
        self.full_fetch_button.setToolTip(texts.FULL_FETCH_TIP)
        self.cancel_button = SingleClickButton(texts.CANCEL)
        self.cancel_button.setVisible(False)
        # Esc stops a fetch or an export from the keyboard: when it starts, the focused field is
        # disabled and focus lands anywhere, so Tab could not be relied on to reach キャンセル.
        self.cancel_button.setShortcut(QKeySequence("Esc"))
        self.cancel_button.setToolTip(texts.CANCEL_TIP)
        self.progress_label = plain_label(texts.IDLE)
        # A summary with the provider's notes is long: it wraps instead of widening the window.
        self.progress_label.setWordWrap(True)
        set_text_colour(self.progress_label, "#555555")

        top = QHBoxLayout()
        top.addWidget(QLabel(texts.RANGE_LABEL))
        top.addWidget(self.preset_combo)
        top.addWidget(self.start_edit)
        top.addWidget(QLabel(texts.RANGE_TO))
        top.addWidget(self.end_edit)
        top.addWidget(self.range_error)
        top.addStretch(1)
        top.addWidget(self.fetch_button)
        top.addWidget(self.full_fetch_button)
        top.addWidget(self.cancel_button)
        lists_row = QHBoxLayout()
        lists_row.addWidget(QLabel(texts.LISTS_LABEL))
        for kind in ALL_LISTS:
            box = QCheckBox(kind.label_ja)
            box.setChecked(True)
            box.toggled.connect(self._validate)
            self.list_boxes[kind] = box
            lists_row.addWidget(box)
        lists_row.addSpacing(16)
        lists_row.addWidget(self.progress_label, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addLayout(lists_row)

        self.preset_combo.activated.connect(self._on_preset_activated)
        self.start_edit.dateChanged.connect(self._on_date_edited)
        self.end_edit.dateChanged.connect(self._on_date_edited)
        self.fetch_button.clicked.connect(self._on_fetch_clicked)
        self.full_fetch_button.clicked.connect(self._on_full_fetch_clicked)
        self.cancel_button.clicked.connect(self.cancel_requested)
        self.apply_preset(Preset.LAST_7_DAYS)
        # Once a minute: after midnight a chosen preset moves with the calendar and a range
        # that was refused as the future is accepted.
        self._day_timer = QTimer(self)
        self._day_timer.setInterval(60_000)
        self._day_timer.timeout.connect(self._follow_the_calendar)
        self._day_timer.start()

    @property
    def today(self) -> date:
        """The current JST day (read now: the window may have opened yesterday)."""
        return self._fixed_today if self._fixed_today is not None else today_jst()

    def _date_edit(self) -> QDateEdit:
        edit = JapaneseDateEdit()
        edit.setMinimumWidth(120)
        return edit

    # -- state ---------------------------------------------------------------------------

    @property
    def preset(self) -> Preset | None:
        return self._preset

    def date_range(self) -> DateRange:
        return DateRange(_from_qdate(self.start_edit.date()), _from_qdate(self.end_edit.date()))

    def chosen_lists(self) -> tuple[ListKind, ...]:
        return tuple(
            kind
            for kind, box in self.list_boxes.items()
            if box.isChecked() and kind in self._available
        )

    def set_available_lists(self, kinds: tuple[ListKind, ...]) -> None:
        """Lists the account's provider does not have are hidden and never chosen."""
        self._available = tuple(kinds)
        for kind, box in self.list_boxes.items():
            box.setHidden(kind not in self._available)
        self._validate()

    def apply_preset(self, preset: Preset) -> None:
        self._shown_day = self.today
        chosen = preset_range(preset, self._shown_day)
        self._set_dates(chosen.start, chosen.end)
        self._preset = preset
        self.preset_combo.setCurrentIndex(self.preset_combo.findData(preset.value))
        self._validate()

    def set_range(self, start: date, end: date) -> None:
        self._set_dates(start, end)
        self._preset = None
        self.preset_combo.setCurrentIndex(0)
        self._validate()

    def set_lists(self, lists: tuple[ListKind, ...]) -> None:
        for kind, box in self.list_boxes.items():
            box.setChecked(kind in lists)

    @property
    def busy(self) -> bool:
        """A fetch, deletion or export runs: this bar carries its progress and キャンセル."""
        return self._busy

    def set_busy(self, busy: bool) -> None:
        """While a fetch runs: inputs locked, キャンセル shown instead of 取得."""
        self._busy = busy
        inputs = (self.preset_combo, self.start_edit, self.end_edit, *self.list_boxes.values())
        for widget in inputs:
            widget.setEnabled(not busy)
        self.fetch_button.setVisible(not busy)
        self.full_fetch_button.setVisible(not busy)
        self.cancel_button.setVisible(busy)
        self.cancel_button.setEnabled(busy)
        self._validate()

    def set_progress_text(self, text: str) -> None:
        self.progress_label.setText(text)

    def problem(self) -> str:
        """Why fetching is not possible now ('' if it is)."""
        chosen = self.date_range()
        if chosen.start > chosen.end:
            return texts.RANGE_INVERTED
        if chosen.start > self.today:
            return texts.RANGE_FUTURE
        if not self.chosen_lists():
            return texts.NO_LIST_CHOSEN
        return ""

    # -- slots ---------------------------------------------------------------------------

    def _set_dates(self, start: date, end: date) -> None:
        for edit in (self.start_edit, self.end_edit):
            edit.blockSignals(True)
        self.start_edit.setDate(_to_qdate(start))
        self.end_edit.setDate(_to_qdate(end))
        for edit in (self.start_edit, self.end_edit):
            edit.blockSignals(False)

    @Slot(int)
    def _on_preset_activated(self, position: int) -> None:
        value = self.preset_combo.itemData(position)
        if value:
            self.apply_preset(Preset(value))

    @Slot()
    def _on_date_edited(self) -> None:
        # Enter in a date field re-emits dateChanged with the same date: the preset stays
        # while the dates still are its range.
        if self._preset is None or self.date_range() != preset_range(self._preset, self._shown_day):
            self._preset = None
            self.preset_combo.setCurrentIndex(0)
        self._validate()

    @Slot()
    def _follow_the_calendar(self) -> None:
        """A day has passed since the preset's dates were set: its range is set again (not
        while a fetch runs, whose range is fixed), and the range checked against today."""
        if self._preset is not None and not self._busy and self._shown_day != self.today:
            self.apply_preset(self._preset)
        else:
            self._validate()

    @Slot()
    def _validate(self) -> None:
        problem = self.problem()
        self.range_error.setText(problem)
        self.fetch_button.setEnabled(not problem and not self._busy)
        self.full_fetch_button.setEnabled(not problem and not self._busy)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Enter in a date field, the preset or a list box fetches, as 取得 (the default button)
        would in a dialog: a main window has no default button. The date field has already
        taken the typed date when the key reaches the bar."""
        plain = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier  # the keypad's Enter
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not plain:
            event.accept()
            self._on_fetch_clicked()
            return
        super().keyPressEvent(event)

    @Slot()
    def _on_fetch_clicked(self) -> None:
        # 直近7日間 means the seven days up to today, not up to the day the window opened.
        self._follow_the_calendar()
        if self.problem() or self._busy:
            return
        self.fetch_requested.emit(self.date_range(), self.chosen_lists())

    @Slot()
    def _on_full_fetch_clicked(self) -> None:
        self._follow_the_calendar()
        if self.problem() or self._busy:
            return
        self.full_fetch_requested.emit(self.date_range(), self.chosen_lists())
