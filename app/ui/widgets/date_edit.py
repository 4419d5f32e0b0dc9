"""JapaneseDateEdit: a yyyy/MM/dd field whose calendar is Japanese whatever the OS locale (week
from Sunday, Japanese month and day names), and which accepts a whole date typed over a
select-all.

The calendar is built when it is first needed (the popup opens from a press on the field's
arrow): a ``QCalendarWidget`` and the first use of the ``Qt`` namespace (its enums are built on
first access) cost about 30 ms, which the range bar's first paint does not need."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, QDateTime, QLocale, QTime
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import QCalendarWidget, QDateEdit, QWidget

if TYPE_CHECKING:
    from PySide6.QtGui import QKeyEvent, QMouseEvent

DISPLAY_FORMAT = "yyyy/MM/dd"


def japanese_locale() -> QLocale:
    return QLocale(QLocale.Language.Japanese, QLocale.Country.Japan)


class JapaneseDateEdit(QDateEdit):
    """A date field for Japanese dates.

    Typing over the whole selected text (Ctrl+A) used to be ignored: Qt validated the first
    digit as the whole yyyy/MM/dd and rejected it. Here a date being typed is let through and a
    whole one (``2026/11/05``, ``2026-11-5``, ``20261105``) is taken as typed.
    """

    def __init__(self, day: date | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setLocale(japanese_locale())
        self.setDisplayFormat(DISPLAY_FORMAT)
        self.setCalendarPopup(True)
        self._calendar: QCalendarWidget | None = None  # built by calendarWidget()
        if day is not None:
            self.setDate(QDate(day.year, day.month, day.day))

    def calendarWidget(self) -> QCalendarWidget:
        """The popup's Japanese calendar, built on first use."""
        if self._calendar is None:
            from PySide6.QtCore import Qt  # here, not at import: see the module's docstring

            calendar = QCalendarWidget(self)
            calendar.setLocale(japanese_locale())
            calendar.setFirstDayOfWeek(Qt.DayOfWeek.Sunday)  # as Japanese calendars are printed
            calendar.setGridVisible(True)
            self.setCalendarWidget(calendar)
            self._calendar = calendar
        return self._calendar

    def mousePressEvent(self, event: QMouseEvent) -> None:
        # A press on the arrow opens the popup (desktop Qt opens it from no key): build the
        # calendar first, so that Qt shows ours rather than a default one of its own.
        self.calendarWidget()
        super().mousePressEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Ctrl+A as Qt handles it in a date field selects the text but then takes the next digit
        # as the year section's: a whole date typed over it was dropped, the old date stayed,
        # and Enter fetched the old range. A plain select-all lets ``validate`` see the date.
        from PySide6.QtGui import QKeySequence  # here, not at import: see the module's docstring

        if event.matches(QKeySequence.StandardKey.SelectAll):
            self.lineEdit().selectAll()
            event.accept()
            return
        super().keyPressEvent(event)

    def validate(self, text: str, pos: int) -> tuple[QValidator.State, str, int]:
        # A whole date in a common form is taken as it is; what could still become one is let
        # through while typing; anything else goes to Qt's section-wise validation.
        if parse_typed_date(text) is not None:
            return QValidator.State.Acceptable, text, pos
        if _PARTIAL_DATE.fullmatch(text.strip()):
            return QValidator.State.Intermediate, text, pos
        return super().validate(text, pos)

    def dateTimeFromText(self, text: str) -> QDateTime:
        typed = parse_typed_date(text)
        if typed is not None:
            return QDateTime(QDate(typed.year, typed.month, typed.day), QTime(0, 0))
        return super().dateTimeFromText(text)


# Digits with / - . separators (or none), up to a whole yyyy/MM/dd: a date being typed.
_PARTIAL_DATE = re.compile(r"\d{0,4}([/.\-]\d{0,2}([/.\-]\d{0,2})?)?|\d{5,8}")
_WHOLE_DATE = re.compile(r"(\d{4})[/.\-](\d{1,2})[/.\-](\d{1,2})|(\d{4})(\d{2})(\d{2})")


def parse_typed_date(text: str) -> date | None:
    """``2026/11/05``, ``2026-11-5``, ``2026.11.05`` or ``20261105`` (full-width digits too)."""
    match = _WHOLE_DATE.fullmatch(unicodedata.normalize("NFKC", text).strip())
    if match is None:
        return None
    year, month, day = (int(g) for g in match.groups() if g is not None)
    try:
        return date(year, month, day)
    except ValueError:
        return None
