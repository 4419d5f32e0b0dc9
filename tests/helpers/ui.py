"""Shared by the UI tests: loopback sandbox data, a fetch through the window, checked rows and
small model entries. Plain functions and classes (fixtures stay in conftest.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from PySide6.QtCore import Qt

from app.core.dates import today_jst, unix_bounds
from app.core.types import DateRange, Explanation, ListKind, SuppressionEntry
from app.sandbox.scenarios import generate_records
from app.sandbox.sendgrid_server import SendGridSandbox
from app.ui.models.entry_table import ENTRY_ROLE, Column

TEST_KEY = "SG.test-key-for-loopback-only"
# Generous: only a failing test waits this long, and on a loaded machine (the full suite on
# one CPU, a CI runner) a practice fetch in a shared-store window took longer than 15 s.
FETCH_TIMEOUT_MS = 60_000
BASE = datetime(2026, 11, 1, 3, 0, tzinfo=UTC)


def recent_records(count: int, seed: int = 7, days: int = 20):
    today = today_jst()
    start, _ = unix_bounds(DateRange(today - timedelta(days=days), today))
    _, end = unix_bounds(DateRange(today, today))
    return generate_records(count, seed=seed, start=start, end=end)


class SandboxFactory:
    """Builds the sandbox the controller starts in practice mode, and remembers it."""

    def __init__(self, records, latency_ms: float = 0, extra_keys=None) -> None:
        self.records = records
        self.latency_ms = latency_ms
        self.extra_keys = extra_keys or {}
        self.sandbox: SendGridSandbox | None = None

    def __call__(self) -> SendGridSandbox:
        from app.sandbox.sendgrid_server import SANDBOX_API_KEY

        keys = {SANDBOX_API_KEY: None, **self.extra_keys}
        self.sandbox = SendGridSandbox(
            records=self.records, api_keys=keys, latency_ms=self.latency_ms
        )
        return self.sandbox


def fetch(qtbot, window, lists=None) -> None:
    if lists is not None:
        window.range_bar.set_lists(lists)
    with qtbot.waitSignal(
        window.controller.fetch.running, timeout=FETCH_TIMEOUT_MS, check_params_cb=lambda r: not r
    ):
        qtbot.mouseClick(window.range_bar.fetch_button, Qt.MouseButton.LeftButton)


def check_rows(window, rows: list[int]) -> list:
    model = window.model
    for row in rows:
        model.setData(
            model.index(row, Column.CHECK), Qt.CheckState.Checked, Qt.ItemDataRole.CheckStateRole
        )
    return [model.index(row, 0).data(ENTRY_ROLE) for row in rows]


USER_UNKNOWN = Explanation(
    reason="userunknown",
    category="Invalid Address",
    permanent=True,
    label_ja="宛先不明",
    explanation_ja="宛先のメールアドレスが存在しません。",
    action_ja="アドレスを確認してください。",
)
MAILBOX_FULL = Explanation(
    reason="mailboxfull",
    category="Mailbox Unavailable",
    permanent=False,
    label_ja="容量超過",
    explanation_ja="受信者のメールボックスが一杯です。",
    action_ja="時間をおいて再送してください。",
)


def entry(email: str, hours: int, kind=ListKind.BOUNCES, reason="550 5.1.1 user unknown"):
    return SuppressionEntry(kind, email, BASE + timedelta(hours=hours), "5.1.1", reason)


def loop_turns_while(qtbot, in_flight, turns: int = 5, timeout_ms: int = 20_000) -> None:
    """Wait until a timer on the GUI thread has run ``turns`` times while ``in_flight()`` was
    true: the event loop kept running during the operation, shown by order rather than by
    milliseconds (a loaded machine only makes the turns come later). A GUI thread blocked in the
    operation runs no timer until the operation has ended, and ``in_flight()`` is then false;
    ``timeout_ms`` is only a safety net."""
    from PySide6.QtCore import QTimer

    seen = [0]

    def turn() -> None:
        if in_flight():
            seen[0] += 1

    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(turn)
    timer.start()
    try:
        qtbot.waitUntil(lambda: seen[0] >= turns, timeout=timeout_ms)
    except qtbot.TimeoutError:
        raise AssertionError(
            f"the GUI thread's event loop ran {seen[0]} time(s) while the operation was in "
            f"flight ({turns} expected within {timeout_ms / 1000:.0f} s)"
        ) from None
    finally:
        timer.stop()


def longest_line_handed_to_qt(widget) -> int:
    """The longest unbroken line ``widget`` and its children give Qt to lay out: text panes,
    labels, the items of choosers, tables and trees. What freezes a window on hostile text is
    the length of such a line (Qt lays an unbroken one out glyph by glyph), so tests bound this
    rather than the seconds a paint takes, which a busy machine stretches for short lines too."""
    from PySide6.QtWidgets import (
        QComboBox,
        QLabel,
        QPlainTextEdit,
        QTableWidget,
        QTextEdit,
        QTreeWidget,
        QTreeWidgetItemIterator,
    )

    lines: list[str] = []
    for pane in widget.findChildren(QPlainTextEdit) + widget.findChildren(QTextEdit):
        lines += pane.toPlainText().splitlines()
    for label in widget.findChildren(QLabel):
        lines += label.text().splitlines()
    for combo in widget.findChildren(QComboBox):
        lines += [combo.itemText(i) for i in range(combo.count())]
    for table in widget.findChildren(QTableWidget):
        for row in range(table.rowCount()):
            for column in range(table.columnCount()):
                item = table.item(row, column)
                if item is not None:
                    lines += item.text().splitlines()
    for tree in widget.findChildren(QTreeWidget):
        found = QTreeWidgetItemIterator(tree)
        while found.value() is not None:
            item = found.value()
            for column in range(item.columnCount()):
                lines += item.text(column).splitlines()
            found += 1
    return max(map(len, lines), default=0)
