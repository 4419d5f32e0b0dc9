"""A seeded monkey for the main window: a random but reproducible run of what an operator can do
(取得, キャンセル, 全件再取得, date presets and odd ranges, list boxes, hostile filter text, sort,
checks, copy, delete up to the confirmation, export, every dialog of the menus, account switches
during a fetch, resizing) in practice mode against the loopback sandboxes, ending with a close
while a fetch runs.

Fails on an exception reaching a Qt slot or sys.excepthook (pytest-qt), a Qt warning (pytest
config), a dialog that cannot be closed, or a job that never ends. The seed and the steps are
printed; replay one with ``TODOKU_MONKEY_SEED=N``, run longer with ``TODOKU_MONKEY_STEPS=1000``
(docs/ui.md).
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import QDate, QPoint, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QDialog,
    QMessageBox,
    QPushButton,
    QWidget,
)

from app.core.accounts import Account, ProviderName
from app.sandbox.practice import practice_sandbox
from app.ui.delete.confirm_delete import ConfirmDeleteDialog
from app.ui.export.options_dialog import ExportOptionsDialog
from app.ui.models.entry_table import Column

STEPS = int(os.environ.get("TODOKU_MONKEY_STEPS", "150"))
SEEDS = [int(s) for s in os.environ.get("TODOKU_MONKEY_SEED", "20261206").split(",")]
JOB_END_TIMEOUT_S = 20.0
MODAL_STUCK_S = 10.0  # a dialog still open this long after the closer's first try: a hang

HOSTILE_TEXTS = (
    "",
    "a" * 10_000,
    "\u202eexample.com\u202c",  # RTL override
    "\u200f\u05e9\u05dc\u05d5\u05dd@example.com",  # RLM + Hebrew
    "a\x00b",  # NUL
    "\x00",
    ".*+?[](){}|^$\\",  # regex metacharacters
    "[",
    "(?P<x>",
    "\\",
    "🧨💣👩‍👩‍👧‍👦",  # emoji, a ZWJ sequence
    "\ud83d",  # a lone surrogate half
    "550 5.1.1",
    "user",
    "<b>bold</b>&amp;",
    '=HYPERLINK("x")',
    "ｕｓｅｒ　ｕｎｋｎｏｗｎ",  # full-width
    "\u0085\u2028\u2029\r\n\t",
    "%s%n{0}",
)


# Dialogs whose every button is safe in practice mode (copy, retry against the imitation,
# polish with the built-in AI imitation, save through a file dialog the closer cancels): the
# closer clicks around in them before it closes them. Settings, accounts, team database and
# IMAP dialogs are only cancelled: their buttons could reach beyond the loopback sandboxes.
PLAYABLE_DIALOGS = {"LetterDialog", "TicketAskDialog", "DeleteResultDialog", "HistoryDialog"}


class ProviderSandboxes:
    """Other providers' practice imitations, in this process (small data)."""

    def __call__(self, provider: ProviderName):
        return practice_sandbox(provider.value, entries=300, seed=5)


class ModalCloser:
    """Drives every dialog the monkey opens: a timer that answers the active modal widget (and
    any window-modal note) the way an operator could, by its buttons. Only dialogs that are
    safe in practice mode are ever accepted; everything else is cancelled."""

    def __init__(self, rng: random.Random, window, log: Callable[[str], None]) -> None:
        self.rng = rng
        self.window = window
        self.log = log
        self.stuck: list[str] = []
        self._first_seen: dict[int, float] = {}
        self._clicks: dict[int, int] = {}
        self.timer = QTimer()
        self.timer.setInterval(15)
        self.timer.timeout.connect(self.tick)
        self.timer.start()

    def open_dialogs(self) -> list[QWidget]:
        found = []
        modal = QApplication.activeModalWidget()
        if modal is not None:
            found.append(modal)
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, QDialog) and widget.isVisible() and widget not in found:
                found.append(widget)
        return found

    def tick(self) -> None:
        for dialog in self.open_dialogs():
            key = id(dialog)
            seen = self._first_seen.setdefault(key, time.monotonic())
            if time.monotonic() - seen > MODAL_STUCK_S:
                self.stuck.append(type(dialog).__name__)
                dialog.hide()
                if isinstance(dialog, QDialog):
                    dialog.done(0)
                continue
            self.answer(dialog)
            return  # one answer per tick: the next modal may be the one this answer opened

    def answer(self, dialog: QWidget) -> None:
        accept = self.rng.random() < 0.5
        name = type(dialog).__name__
        if name in PLAYABLE_DIALOGS and self._clicks.get(id(dialog), 0) < 4:
            self._clicks[id(dialog)] = self._clicks.get(id(dialog), 0) + 1
            buttons = [
                b for b in dialog.findChildren(QPushButton) if b.isVisible() and b.isEnabled()
            ]
            if buttons and self.rng.random() < 0.7:
                button = self.rng.choice(buttons)
                self.log(f"  dialog {name}: click {button.text()!r}")
                self.later(button)
                return
        if isinstance(dialog, ConfirmDeleteDialog):
            assert self.window.controller.connection.practice, "delete confirmation while live"
            if accept:
                if dialog.consent_box is not None:
                    dialog.consent_box.setChecked(True)
                if dialog.count_edit is not None:
                    dialog.count_edit.setText(dialog.plan.confirmation_number)
                dialog.note_edit.setText(self.rng.choice(HOSTILE_TEXTS)[:500])
                self.log(f"  dialog {name}: delete")
                self.later(dialog.delete_button)
                return
        elif isinstance(dialog, QMessageBox):
            buttons = [b for b in dialog.buttons() if b.isEnabled()]
            if buttons:
                button = self.rng.choice(buttons)
                self.log(f"  dialog {name} {dialog.text()[:60]!r}: {button.text()!r}")
                self.later(button)
                return
        self.log(f"  dialog {name}: cancel")
        if isinstance(dialog, QDialog):
            dialog.reject()
        else:
            dialog.close()

    @staticmethod
    def later(button: QAbstractButton) -> None:
        """Click from a fresh event: a click that opens a nested dialog (a file dialog) would
        otherwise run inside this timer's slot, and Qt does not fire a timer again while its
        slot is still running, so nothing would close the nested dialog."""
        QTimer.singleShot(0, lambda: shiboken6.isValid(button) and button.click())

    def stop(self) -> None:
        self.timer.stop()


class ExportRunner:
    """The export dialog's runner (the controller's hook): a path in the test's folder (or an
    impossible one), a random format and scope, 書き出す or キャンセル."""

    def __init__(self, rng: random.Random, folder: Path, log: Callable[[str], None]) -> None:
        self.rng, self.folder, self.log = rng, folder, log
        self.count = 0

    def __call__(self, dialog: ExportOptionsDialog):
        rng = self.rng
        self.count += 1
        (dialog.csv_radio if rng.random() < 0.5 else dialog.xlsx_radio).setChecked(True)
        (dialog.filtered_radio if rng.random() < 0.5 else dialog.all_radio).setChecked(True)
        suffix = ".csv" if dialog.csv_radio.isChecked() else ".xlsx"
        path = rng.choice(
            [
                self.folder / f"out{self.count}{suffix}",
                self.folder / "missing-folder" / f"x{suffix}",
                self.folder / f"🧨\u202e{self.count}{suffix}",
                self.folder,  # a folder, not a file
            ]
        )
        dialog.path_edit.setText(str(path))
        if rng.random() < 0.2:
            self.log("  export dialog: cancel")
            dialog.reject()
            return None
        self.log(f"  export dialog: {path.name}")
        dialog.save_button.click()
        return dialog.choice


class Monkey:
    def __init__(self, qtbot, window, rng: random.Random, log: Callable[[str], None]) -> None:
        self.qtbot, self.window, self.rng, self.log = qtbot, window, rng, log
        self.today: date = window.range_bar.today
        self.accounts = [window.controller.accounts.current.name]

    # -- helpers -------------------------------------------------------------------------

    def rows(self) -> int:
        return self.window.model.rowCount()

    def table(self):
        page = self.window.list_page
        return page.table if page.has_grid else None

    def click(self, button: QAbstractButton) -> None:
        if button.isVisible() and button.isEnabled():
            self.qtbot.mouseClick(button, Qt.MouseButton.LeftButton)

    # -- actions -------------------------------------------------------------------------

    def fetch(self) -> None:
        self.click(self.window.range_bar.fetch_button)

    def full_fetch(self) -> None:
        self.click(self.window.range_bar.full_fetch_button)

    def cancel(self) -> None:
        self.click(self.window.range_bar.cancel_button)

    def preset(self) -> None:
        combo = self.window.range_bar.preset_combo
        if combo.isEnabled():
            index = self.rng.randrange(combo.count())
            combo.setCurrentIndex(index)
            combo.activated.emit(index)

    def odd_range(self) -> None:
        bar = self.window.range_bar
        if not bar.start_edit.isEnabled():
            return
        rng, today = self.rng, self.today
        choices = [
            (today, today),
            (today, today - timedelta(days=3)),  # reversed
            (today - timedelta(days=365 * 30), today),  # far back
            (today + timedelta(days=10), today + timedelta(days=40)),  # the future
            (date(1970, 1, 1), date(1970, 1, 2)),
            (today - timedelta(days=rng.randrange(90)), today),
        ]
        start, end = rng.choice(choices)
        bar.start_edit.setDate(QDate(start.year, start.month, start.day))
        bar.end_edit.setDate(QDate(end.year, end.month, end.day))

    def toggle_list(self) -> None:
        boxes = [b for b in self.window.range_bar.list_boxes.values() if b.isVisible()]
        if boxes:
            self.click(self.rng.choice(boxes))

    def filter_text(self) -> None:
        # Often cleared again: most hostile texts match nothing, and an empty grid tests little.
        text = "" if self.rng.random() < 0.4 else self.rng.choice(HOSTILE_TEXTS)
        self.window.list_page.filter_edit.setText(text)
        if self.rng.random() < 0.5:
            self.qtbot.wait(self.rng.choice([0, 50, 400]))  # past the filter's debounce

    def filter_combo(self) -> None:
        page = self.window.list_page
        combo = self.rng.choice(
            [page.list_filter, page.category_filter, page.domain_filter, page.mark_filter]
        )
        if combo.isEnabled() and combo.count():
            index = self.rng.randrange(combo.count())
            combo.setCurrentIndex(index)
            combo.activated.emit(index)

    def sort(self) -> None:
        table = self.table()
        if table is None:
            return
        header = table.horizontalHeader()
        shown = [c for c in range(header.count()) if not header.isSectionHidden(c)]
        column = self.rng.choice(shown)
        x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
        if 0 <= x < header.viewport().width():
            point = QPoint(x, header.height() // 2)
            self.qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=point)
        else:
            table.sortByColumn(column, self.rng.choice(list(Qt.SortOrder)))

    def select_rows(self) -> None:
        table = self.table()
        if table is None or not self.rows():
            return
        table.clearSelection()
        for _ in range(self.rng.randrange(1, 4)):
            table.selectRow(self.rng.randrange(self.rows()))

    def check_rows(self) -> None:
        model = self.window.model
        for _ in range(min(self.rows(), self.rng.randrange(1, 6))):
            row = self.rng.randrange(self.rows())
            state = self.rng.choice([Qt.CheckState.Checked, Qt.CheckState.Unchecked])
            model.setData(model.index(row, Column.CHECK), state, Qt.ItemDataRole.CheckStateRole)

    def list_actions(self) -> None:
        page = self.window.list_page
        self.rng.choice(
            [
                page.check_all_action,
                page.uncheck_all_action,
                page.toggle_check_action,
                page.copy_action,
            ]
        ).trigger()

    def copy(self) -> None:
        self.select_rows()
        self.window.list_page.copy_action.trigger()

    def delete(self) -> None:
        assert self.window.controller.connection.practice
        if self.rng.random() < 0.5:
            self.settle()
        self.check_rows()
        if self.rng.random() < 0.5:
            self.click(self.window.list_page.delete_bar.delete_button)
        else:  # the 削除 menu works on whichever tab is showing
            self.window.window_actions.delete_action.trigger()

    def export(self) -> None:
        self.window.window_actions.export_action.trigger()

    def dialog(self) -> None:
        window = self.window
        contact = window.contact_actions
        actions = window.window_actions
        action = self.rng.choice(
            [
                actions.settings_action,
                actions.history_action,
                actions.usage_action,
                actions.shortcuts_action,
                actions.about_action,
                window.team_action,
                window.manage_accounts_action,
                contact.letters_action,
                contact.zendesk_action,
            ]
        )
        self.log(f"  menu: {action.text()}")
        if action in (contact.letters_action, contact.zendesk_action):
            self.select_rows()
        if action.isEnabled():
            action.trigger()

    def tab(self) -> None:
        tabs = self.window.tabs
        tabs.setCurrentIndex(self.rng.randrange(tabs.count()))

    def switch_account(self) -> None:
        bar = self.window.account_bar
        name = self.rng.choice(self.accounts)
        index = bar.combo.findData(name)
        if index >= 0 and bar.combo.isEnabled():
            bar.combo.setCurrentIndex(index)
            bar.combo.activated.emit(index)

    def keys(self) -> None:
        """Keys on the grid: Space (check), Ctrl+A, Ctrl+C, Delete, moves; Enter on the bar."""
        table = self.table()
        rng = self.rng
        if rng.random() < 0.2 or table is None:
            self.qtbot.keyClick(self.window.range_bar, Qt.Key.Key_Return)
            return
        key, modifier = rng.choice(
            [
                (Qt.Key.Key_Space, Qt.KeyboardModifier.NoModifier),
                (Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier),
                (Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier),
                (Qt.Key.Key_Delete, Qt.KeyboardModifier.NoModifier),
                (Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier),
                (Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier),
                (Qt.Key.Key_Home, Qt.KeyboardModifier.NoModifier),
                (Qt.Key.Key_PageDown, Qt.KeyboardModifier.NoModifier),
            ]
        )
        self.qtbot.keyClick(table, key, modifier)

    def dmarc(self) -> None:
        """The DMARC tab: practice reports, IMAP dialog, cancel, DNS check of the practice
        result (loopback DNS only) with odd selectors."""
        window = self.window
        tab = window.dmarc_tab
        window.tabs.setCurrentWidget(tab)
        current = window.controller.dmarc.current
        choices = [tab.practice_button, tab.imap_button, tab.cancel_button]
        if current is not None and current.practice and tab._view is not None:
            view = tab.view
            view.selectors_edit.setText(self.rng.choice(HOSTILE_TEXTS))
            choices.append(view.check_button)
        self.click(self.rng.choice(choices))

    def trends(self) -> None:
        window = self.window
        trends = window.history_part.trends_tab
        window.tabs.setCurrentWidget(trends)
        combo = self.rng.choice([trends.bucket_combo, trends.span_combo])
        if combo.isEnabled() and combo.count():
            index = self.rng.randrange(combo.count())
            combo.setCurrentIndex(index)
            combo.activated.emit(index)
        if self.rng.random() < 0.5:
            self.click(trends.refresh_button)

    def delivery(self) -> None:
        window = self.window
        window.tabs.setCurrentWidget(window.delivery_tab)
        view = window.delivery_tab._view
        if view is not None:
            view.threshold_spin.setValue(self.rng.choice([0.0, 0.5, 95.0, 99.9, 100.0, 1e9]))

    def resize(self) -> None:
        w, h = self.rng.choice([(200, 150), (640, 480), (1366, 768), (1280, 800), (2400, 1600)])
        self.window.resize(w, h)

    def wait(self) -> None:
        self.qtbot.wait(self.rng.choice([1, 10, 50, 200]))

    def settle(self) -> None:
        """Let what runs finish (an operator who waits), so idle-only actions get their turn."""
        assert wait_idle(self.qtbot, self.window), "a job never ended"

    ACTIONS = (
        ("fetch", 6),
        ("full_fetch", 2),
        ("cancel", 3),
        ("preset", 2),
        ("odd_range", 2),
        ("toggle_list", 2),
        ("filter_text", 4),
        ("filter_combo", 2),
        ("sort", 3),
        ("select_rows", 2),
        ("check_rows", 3),
        ("list_actions", 2),
        ("copy", 1),
        ("delete", 2),
        ("export", 2),
        ("dialog", 3),
        ("tab", 2),
        ("switch_account", 2),
        ("resize", 1),
        ("keys", 4),
        ("dmarc", 2),
        ("trends", 1),
        ("delivery", 1),
        ("wait", 6),
        ("settle", 3),
    )

    def step(self) -> str:
        names = [name for name, _ in self.ACTIONS]
        weights = [weight for _, weight in self.ACTIONS]
        name = self.rng.choices(names, weights)[0]
        getattr(self, name)()
        QApplication.processEvents()
        return name


def add_accounts(window) -> list[str]:
    accounts = window.controller.accounts
    accounts.save_account(
        Account(name="サブ", provider=ProviderName.SENDGRID), {"api_key": "SG.monkey-second-0001"}
    )
    accounts.save_account(
        Account(
            name="Infobip本番",
            provider=ProviderName.INFOBIP,
            base_url="https://example.api.infobip.com",
        ),
        {"api_key": "ib-monkey-key-0002"},
    )
    return [a.name for a in accounts.accounts()]


def wait_idle(qtbot, window) -> bool:
    runner = window.controller.runner
    deadline = time.monotonic() + JOB_END_TIMEOUT_S
    while time.monotonic() < deadline:
        busy = window.controller.is_busy()
        if not busy and not runner.active_jobs and not runner.pool_active_threads:
            return True
        qtbot.wait(20)
    return False


@pytest.mark.parametrize("seed", SEEDS)
def test_monkey_on_the_main_window(
    qtbot, make_window, sandbox_factory, journal, tmp_path: Path, seed: int
):
    rng = random.Random(seed)
    # A slow server now and then: more clicks land while a fetch is still paging.
    sandbox_factory.latency_ms = rng.choice([0, 0, 5])
    print(f"monkey seed {seed}, {STEPS} steps (replay: TODOKU_MONKEY_SEED={seed})")
    steps: list[str] = []

    def log(line: str) -> None:
        steps.append(line)
        print(line)

    out = tmp_path / "out"
    out.mkdir()
    window = make_window(
        journal=journal,
        history_path=tmp_path / "data" / "history.sqlite3",
        provider_sandbox_factory=ProviderSandboxes(),
        run_export_dialog=ExportRunner(rng, out, log),
    )
    monkey = Monkey(qtbot, window, rng, log)
    monkey.accounts = add_accounts(window)
    closer = ModalCloser(rng, window, log)
    try:
        for number in range(STEPS):
            name = monkey.step()
            busy = "busy" if window.controller.is_busy() else "idle"
            log(f"{number}: {name} ({window.model.total} rows, {busy})")
            assert window.controller.connection.practice, f"went live at step {number} ({seed=})"
            assert not closer.stuck, f"dialog never closed: {closer.stuck} ({seed=})"
        # Whatever ran ends: a fetch, export or deletion that never finishes is a failure.
        window.controller.cancel_running()
        assert wait_idle(qtbot, window), f"jobs never ended: {window.controller.runner.active_jobs}"
        # Last: a fetch (or an export, a deletion, a DMARC import), and the window closed
        # while it runs.
        monkey.preset()
        monkey.fetch()
        last = rng.choice(["fetch", "export", "delete", "dmarc"])
        if last != "fetch":
            assert wait_idle(qtbot, window), "the last fetch never ended"
            {"export": monkey.export, "delete": monkey.delete, "dmarc": monkey.dmarc}[last]()
        log(f"close during: {last}")
        window.close()
        assert wait_idle(qtbot, window), "jobs outlived the closed window"
        assert not closer.stuck, f"dialog never closed: {closer.stuck} ({seed=})"
    finally:
        closer.stop()
