"""The fetch history in the window, against the loopback SendGrid sandbox: incremental fetch and
新着 marks, 全件再取得 and 他所で削除, 再発 (column, filter, details, delete confirmation), the 推移
tab, the monthly report files, retention and erasing an address, and history trouble shown
without losing the fetched rows."""

from __future__ import annotations

import re
import time
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from app.core.dates import JST, today_jst, unix_bounds
from app.core.storage.history import HistoryDiskFullError, HistoryRecovered
from app.core.storage.history.sqlite_store import SqliteHistoryStore
from app.core.types import ListKind
from app.sandbox.sendgrid_server import SandboxRecord
from app.ui.history import texts as history_texts
from app.ui.history.report_dialog import ReportDialog
from app.ui.history.settings_dialog import HistorySettingsDialog
from app.ui.models.entry_table import ENTRY_ROLE, Column
from app.ui.widgets.stacked_chart import series_color
from tests.helpers.ui import FETCH_TIMEOUT_MS, SandboxFactory, check_rows, fetch

RECURRENCE_SENTENCE = (
    "このアドレスは過去 2 回削除し、そのたびに再びバウンスしています。削除しても届きません。"
)


def record(index: int, created: int, reason: str = "") -> SandboxRecord:
    email = f"user{index:04d}@example.jp"
    return SandboxRecord(
        "bounces", email, created, reason or f"550 5.1.1 <{email}>: User unknown", "5.1.1"
    )


def now_s() -> int:
    return int(time.time())


@pytest.fixture
def history_factory() -> SandboxFactory:
    # 40 bounces over the last five days, the newest an hour old.
    now = now_s()
    return SandboxFactory([record(i, now - 3600 - i * 10_000) for i in range(40)])


class Confirmer:
    """The injected delete confirmation: remembers what it was shown, confirms."""

    def __init__(self) -> None:
        self.recurrences: list[dict[str, list[str]]] = []

    def __call__(self, plan, parent, *, practice: bool, recurrences=None) -> str:
        self.recurrences.append(dict(recurrences or {}))
        return "テスト削除"


def history_window(make_window, tmp_path, factory, **options):
    options.setdefault("history_path", tmp_path / "data" / "history.sqlite3")
    window = make_window(sandbox_factory=factory, **options)
    window.range_bar.set_lists((ListKind.BOUNCES,))
    return window


def fetch_result(qtbot, window, *, full: bool = False):
    """Fetch (or 全件再取得) and return the history result the grid was filled from."""
    results = []
    window.controller.fetch.whole_range_fetched.connect(results.append)
    button = window.range_bar.full_fetch_button if full else window.range_bar.fetch_button
    with qtbot.waitSignal(
        window.controller.fetch.running, timeout=FETCH_TIMEOUT_MS, check_params_cb=lambda r: not r
    ):
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    window.controller.fetch.whole_range_fetched.disconnect(results.append)
    assert len(results) == 1
    return results[0]


def marks_by_email(window) -> dict[str, str]:
    model = window.model
    return {
        model.index(row, 0).data(ENTRY_ROLE).email: model.index(row, Column.HISTORY).data()
        for row in range(model.rowCount())
    }


def asked_starts(sandbox) -> set[int]:
    return {
        int(request.query["start_time"][0])
        for request in sandbox.request_log
        if request.method == "GET" and "start_time" in request.query
    }


def test_incremental_second_fetch_marks_new_rows_and_matches_a_full_pass(
    qtbot, make_window, tmp_path, history_factory
) -> None:
    window = history_window(make_window, tmp_path, history_factory)
    first = fetch_result(qtbot, window)
    sandbox = history_factory.sandbox
    assert not first.fetch.incremental
    assert window.model.total == 40
    # Everything is new the first time history sees it.
    assert set(marks_by_email(window).values()) == {"新着"}

    now = now_s()
    sandbox.add_records([record(100 + i, now - 120 + i) for i in range(3)])
    sandbox.clear_log()
    second = fetch_result(qtbot, window)

    range_start, _ = unix_bounds(window.range_bar.date_range())
    assert second.fetch.incremental
    assert min(asked_starts(sandbox)) > range_start  # only the tail was asked for
    assert window.model.total == 43
    # The rows history held fill the grid as stored tuples (the tail's are built entries).
    assert 0 < window.model.history_rows_stored < 43
    marks = marks_by_email(window)
    new = {email for email, mark in marks.items() if mark == "新着"}
    assert new == {f"user{100 + i:04d}@example.jp" for i in range(3)}
    assert all(mark == "" for email, mark in marks.items() if email not in new)
    assert "新着 3 件" in window.range_bar.progress_label.text()
    assert "差分取得" in window.range_bar.progress_label.text()
    assert "。 " not in window.range_bar.progress_label.text()  # no space after 。 (Japanese)

    # 新着のみ: the filter leaves exactly the new rows.
    combo = window.list_page.mark_filter
    combo.setCurrentIndex(combo.findData("新着"))
    combo.activated.emit(combo.currentIndex())
    assert window.model.rowCount() == 3

    combo.setCurrentIndex(0)
    combo.activated.emit(0)
    incremental_rows = {window.model.entry_at(r).key for r in range(window.model.rowCount())}
    incremental_cells = grid_cells(window)
    sandbox.clear_log()
    full = fetch_result(qtbot, window, full=True)
    assert not full.fetch.incremental
    assert asked_starts(sandbox) == {range_start}
    assert window.model.history_rows_stored == 0  # a full pass: every row came from SendGrid
    assert {window.model.entry_at(r).key for r in range(window.model.rowCount())} == (
        incremental_rows
    )
    # What the grid shows is the same, cell for cell (履歴 marks aside: nothing is new now).
    assert grid_cells(window) == incremental_cells


def grid_cells(window) -> set[tuple[str, ...]]:
    model = window.model
    shown = [c for c in Column if c not in (Column.CHECK, Column.HISTORY)]
    return {tuple(model.index(r, c).data() for c in shown) for r in range(model.rowCount())}


def test_a_full_pass_shows_rows_while_it_runs(qtbot, make_window, tmp_path) -> None:
    now = now_s()
    factory = SandboxFactory([record(i, now - 3600 - i * 200) for i in range(1500)], latency_ms=150)
    window = history_window(make_window, tmp_path, factory)
    seen_while_running: list[int] = []
    fetch = window.controller.fetch
    fetch.grew.connect(lambda: seen_while_running.append(window.model.total))
    fetch_result(qtbot, window)
    # Pages reached the grid before the end (then the whole range replaced them).
    assert len(seen_while_running) >= 2 and 0 < seen_while_running[0] < 1500
    assert window.model.total == 1500
    seen_while_running.clear()
    fetch_result(qtbot, window)  # incremental: the merged range once, at the end
    assert seen_while_running == [1500]


def test_full_fetch_shows_entries_deleted_elsewhere_with_the_date_noticed(
    qtbot, make_window, tmp_path, history_factory
) -> None:
    window = history_window(make_window, tmp_path, history_factory)
    fetch_result(qtbot, window)
    assert not window.history_part.gone_panel.isVisibleTo(window)
    sandbox = history_factory.sandbox
    assert sandbox.remove("bounces", "user0030@example.jp")  # the console, not Todoku

    result = fetch_result(qtbot, window, full=True)

    panel = window.history_part.gone_panel
    assert panel.isVisibleTo(window)
    assert [row.email for row in result.gone] == ["user0030@example.jp"]
    item = panel.tree.topLevelItem(0)
    assert item.text(1) == "user0030@example.jp"
    assert item.text(2) == "他所で削除"
    assert item.text(3).startswith(today_jst().isoformat())
    assert "他所で削除 1 件" in window.range_bar.progress_label.text()
    emails = {window.model.entry_at(r).email for r in range(window.model.rowCount())}
    assert "user0030@example.jp" not in emails  # not a row of the grid: it is off the list


def delete_email(qtbot, window, email: str) -> None:
    model = window.model
    row = next(r for r in range(model.rowCount()) if model.entry_at(r).email == email)
    check_rows(window, [row])
    deletion = window.controller.deletion
    with qtbot.waitSignal(deletion.running, timeout=15_000, check_params_cb=lambda r: not r):
        qtbot.mouseClick(window.list_page.delete_bar.delete_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not deletion.is_running(), timeout=15_000)


def test_recurrence_in_column_filter_details_and_confirmation(
    qtbot, make_window, tmp_path, history_factory, journal
) -> None:
    confirm = Confirmer()
    window = history_window(
        make_window,
        tmp_path,
        history_factory,
        journal=journal,
        confirm=confirm,
        show_delete_result=lambda report, parent: False,
    )
    email = "user0005@example.jp"
    fetch_result(qtbot, window)
    sandbox = history_factory.sandbox
    for round_ in range(2):  # deleted by Todoku, then it bounces again: twice
        # History keeps deletion times in whole seconds: two deletions of one address within
        # the same second would count once (real ones are minutes or days apart).
        time.sleep(1.1 * round_)
        delete_email(qtbot, window, email)
        assert not any(r.email == email for r in sandbox.records("bounces"))
        # It bounces again after the deletion (SendGrid stamps the new listing then).
        sandbox.add_records(
            [record(5, now_s() + 2 + round_, f"550 5.1.1 mailbox gone (round {round_})")]
        )
        fetch_result(qtbot, window)

    # Column: 再発 2 (it is also new in this fetch).
    marks = marks_by_email(window)
    assert "再発 2" in marks[email]
    assert sum("再発" in mark for mark in marks.values()) == 1
    # Filter
    combo = window.list_page.mark_filter
    combo.setCurrentIndex(combo.findData("再発"))
    combo.activated.emit(combo.currentIndex())
    assert window.model.rowCount() == 1
    assert window.model.entry_at(0).email == email
    assert "再発のみ" in window.list_page.filter_description()
    # Details pane
    window.table.setCurrentIndex(window.model.index(0, Column.EMAIL))
    details = window.list_page.details.toPlainText()
    assert "再発 2 回（最後の再登録" in details
    # Confirmation: the sentence and one line per return with its reason.
    delete_email(qtbot, window, email)
    lines = confirm.recurrences[-1][email]
    assert lines[0] == RECURRENCE_SENTENCE
    assert len(lines) == 3
    assert "round 0" in lines[1] and "round 1" in lines[2]
    assert confirm.recurrences[0] == {}  # the first delete: nothing had come back yet


def test_confirm_dialog_shows_the_recurrence_lines(qtbot) -> None:
    from app.core.deletion.plan import plan_deletion
    from app.ui.delete.confirm_delete import ConfirmDeleteDialog
    from tests.helpers.ui import USER_UNKNOWN, entry

    row = entry("back@example.jp", 1)
    hostile = "<b>550</b> =cmd"
    lines = [RECURRENCE_SENTENCE, f"2026-11-01 に削除 → 2026-11-05 に再登録（バウンス）: {hostile}"]
    dialog = ConfirmDeleteDialog(
        plan_deletion([(row, USER_UNKNOWN)]), recurrences={row.email: lines}
    )
    qtbot.addWidget(dialog)
    (label,) = dialog.recurrence_labels
    assert RECURRENCE_SENTENCE in label.text()
    assert hostile in label.text()
    assert label.textFormat() == Qt.TextFormat.PlainText
    assert dialog.cancel_button.isDefault()


def test_trends_tab_paints_the_recorded_counts(
    qtbot, make_window, tmp_path, history_factory
) -> None:
    window = history_window(make_window, tmp_path, history_factory)
    fetch_result(qtbot, window)
    tab = window.history_part.trends_tab
    controller = window.controller.history
    with qtbot.waitSignal(controller.trends_ready, timeout=FETCH_TIMEOUT_MS):
        window.tabs.setCurrentWidget(tab)
    qtbot.waitUntil(lambda: not controller.is_running())
    data = tab.data
    assert data is not None and not data.empty
    assert sum(data.by_category.total()) == 40
    model = tab.category_chart.model()
    assert model is not None and not model.empty
    assert sum(column.total for column in model.columns) == 40
    assert sum(sum(v) for v in data.by_group.series.values()) == 40
    # Painted: the first series' colour is on the chart.
    tab.resize(1200, 600)
    image = tab.category_chart.grab().toImage()
    wanted = series_color(0).rgb()
    assert any(
        image.pixel(x, y) == wanted
        for x in range(0, image.width(), 2)
        for y in range(0, image.height(), 2)
    )
    # Weekly buckets: the same entries, more columns.
    with qtbot.waitSignal(controller.trends_ready, timeout=FETCH_TIMEOUT_MS):
        tab.bucket_combo.setCurrentIndex(1)
        tab.bucket_combo.activated.emit(1)
    qtbot.waitUntil(lambda: not controller.is_running())
    assert sum(tab.data.by_category.total()) == 40
    assert len(tab.data.by_category.buckets) > len(data.by_category.buckets)


def test_a_trends_request_dropped_by_a_cancel_says_so_and_reloads(
    qtbot, make_window, tmp_path, history_factory
) -> None:
    """推移 asked for while the monthly report is being built waits for it; cancelling the
    report (its dialog's キャンセル) drops the waiting request, and the tab must say so instead
    of 「取得履歴を集計しています…」 with nothing left to finish it."""
    window = history_window(make_window, tmp_path, history_factory)
    fetch_result(qtbot, window)
    tab = window.history_part.trends_tab
    controller = window.controller.history
    assert controller.build_report(today_jst().replace(day=1))
    tab.request_refresh()  # waits for the report's job
    assert tab.state_label.text() == history_texts.TRENDS_LOADING
    controller.cancel()
    assert tab.state_label.text() == history_texts.TRENDS_CANCELLED
    qtbot.waitUntil(lambda: not controller.is_running(), timeout=FETCH_TIMEOUT_MS)
    assert tab.state_label.text() == history_texts.TRENDS_CANCELLED
    with qtbot.waitSignal(controller.trends_ready, timeout=FETCH_TIMEOUT_MS):
        tab.refresh_button.click()  # 更新, as the note says
    assert tab.state_label.text() != history_texts.TRENDS_CANCELLED
    assert tab.data is not None and not tab.data.empty


class DialogDriver:
    """Runs the history dialogs without a modal loop: ``script(dialog)`` drives it."""

    def __init__(self, script) -> None:
        self.script = script
        self.dialogs = []

    def __call__(self, dialog) -> int:
        self.dialogs.append(dialog)
        return self.script(dialog)


def test_monthly_report_saves_xlsx_and_pdf(qtbot, make_window, tmp_path, history_factory) -> None:
    window = history_window(make_window, tmp_path, history_factory)
    fetch_result(qtbot, window)
    folder = tmp_path / "reports"
    folder.mkdir()
    shown: list[Path] = []
    controller = window.controller.history

    def script(dialog: ReportDialog) -> int:
        # Last month first (the default, or this month when last month has no records: see
        # test_report_first_month.py), then this month, where the fetched rows are.
        qtbot.waitUntil(lambda: dialog.report is not None, timeout=FETCH_TIMEOUT_MS)
        last_month = (today_jst().replace(day=1) - timedelta(days=1)).replace(day=1)
        dialog.month_combo.setCurrentIndex(1)
        dialog.month_combo.activated.emit(1)
        qtbot.waitUntil(lambda: dialog.report is not None, timeout=FETCH_TIMEOUT_MS)
        assert dialog.report.month == last_month
        # Each line names what it counts: an empty month showed a bare 「なし」 line.
        lines = dialog.preview.toPlainText().splitlines()
        assert "なし" not in lines and lines[2].startswith("内訳: "), lines
        dialog.month_combo.setCurrentIndex(0)
        dialog.month_combo.activated.emit(0)
        qtbot.waitUntil(lambda: dialog.report is not None, timeout=FETCH_TIMEOUT_MS)
        qtbot.waitUntil(lambda: not controller.is_running())
        in_month = sum(
            1
            for i in range(window.model.total)
            if window.model.entry_at(i).created.astimezone(JST).month == today_jst().month
        )
        assert f"件数: {in_month:,} 件" in dialog.preview.toPlainText()
        assert "内訳: バウンス " in dialog.preview.toPlainText()
        assert history_texts.REPORT_EMPTY_MONTH not in dialog.preview.toPlainText()
        # The delivery rate is read from the connected (sandbox) SendGrid account's stats, as
        # `todoku-cli report --stats` does: no "run the CLI" note.
        assert dialog.report.delivery is not None, dialog.report.delivery_note
        assert re.search(r"配信率: \d+\.\d%", dialog.preview.toPlainText())
        dialog.folder_edit.setText(str(folder))
        with qtbot.waitSignal(controller.report_saved, timeout=60_000):
            qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not controller.is_running())
        assert dialog.open_folder_button.isEnabled()
        qtbot.mouseClick(dialog.open_folder_button, Qt.MouseButton.LeftButton)
        return 0

    window.history_part.run_dialog = DialogDriver(script)
    window.history_part._show_folder = shown.append
    window.history_part.report_action.trigger()

    month = today_jst().strftime("%Y-%m")
    # A practice report's name says so (「_練習モード」), so it never overwrites a real one.
    [xlsx] = folder.glob(f"届く_月次レポート_{month}*.xlsx")
    [pdf] = folder.glob(f"届く_月次レポート_{month}*.pdf")
    assert xlsx.stem == pdf.stem
    assert shown == [folder]
    from openpyxl import load_workbook

    book = load_workbook(xlsx)
    assert "概要" in book.sheetnames
    cells = [str(cell.value) for row in book["概要"].iter_rows() for cell in row if cell.value]
    assert "グローバル" in cells and "global" not in cells  # the region in Japanese
    assert "配信率" in cells
    assert pdf.read_bytes().startswith(b"%PDF")
    assert pdf.stat().st_size > 1000


def test_settings_store_retention_and_erase_an_address(
    qtbot, make_window, tmp_path, history_factory, journal
) -> None:
    window = history_window(
        make_window,
        tmp_path,
        history_factory,
        journal=journal,
        confirm=Confirmer(),
        show_delete_result=lambda report, parent: False,
    )
    fetch_result(qtbot, window)
    email = "user0007@example.jp"
    delete_email(qtbot, window, email)
    controller = window.controller.history
    confirmations: list[str] = []

    def script(dialog: HistorySettingsDialog) -> int:
        dialog._confirm_erase = lambda parent, text: confirmations.append(text) or True
        dialog.retention_spin.setValue(90)
        dialog.erase_edit.setText(email)
        with qtbot.waitSignal(controller.erased, timeout=FETCH_TIMEOUT_MS):
            qtbot.mouseClick(dialog.erase_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not controller.is_running())
        assert "取得履歴 1 行" in dialog.erase_status.text()
        return HistorySettingsDialog.DialogCode.Accepted

    window.history_part.run_dialog = DialogDriver(script)
    window.history_part.settings_action.trigger()

    assert window.controller.settings.history_retention_days == 90
    # The confirmation says what happens in the journal: audit rows kept, the address masked.
    assert "監査のため" in confirmations[0] and "消去済み" in confirmations[0]
    store = controller.session.open()
    assert store is not None
    rows = store.open_range(
        controller.account, *unix_bounds(window.range_bar.date_range()), [ListKind.BOUNCES]
    )
    assert email not in {rows.entry(i).email for i in range(len(rows))}
    operations = journal.list_operations()
    entries = journal.entries(operations[0].id)
    assert all(email not in entry.email for entry in entries)


def test_disk_full_history_keeps_the_rows_and_says_so(qtbot, make_window, tmp_path) -> None:
    now = now_s()
    factory = SandboxFactory([record(i, now - 3600 - i * 100) for i in range(3000)])
    # A cap (as a full disk answers) that holds the schema but not 3,000 rows.
    store = SqliteHistoryStore(tmp_path / "full.sqlite3", max_bytes=120_000)
    try:
        window = history_window(
            make_window, tmp_path, factory, history_store=store, history_path=None
        )
        result = fetch_result(qtbot, window)
        assert isinstance(result.fetch.history_error, HistoryDiskFullError)
        assert window.model.total == 3000  # the fetch result stays in the window
        panel = window.status_panel
        assert panel.isVisibleTo(window)
        assert panel.message_label.text() == HistoryDiskFullError.default_message_ja
    finally:
        store.close()


def test_damaged_history_file_is_moved_aside_with_a_notice(
    qtbot, make_window, tmp_path, history_factory
) -> None:
    path = tmp_path / "data" / "history.sqlite3"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"not a database at all" * 100)
    window = history_window(make_window, tmp_path, history_factory)
    fetch_result(qtbot, window)
    assert window.model.total == 40
    assert window.status_panel.message_label.text() == HistoryRecovered.default_message_ja
    assert list(path.parent.glob("history.sqlite3.broken-*"))
    # The new file works: the next fetch is incremental.
    assert fetch_result(qtbot, window).fetch.incremental


def test_no_history_file_before_the_first_fetch(qtbot, make_window, tmp_path) -> None:
    path = tmp_path / "data" / "history.sqlite3"
    window = make_window(history_path=path)
    qtbot.waitUntil(lambda: window.list_page.has_grid)
    assert not path.exists()  # opened by the first job that needs it, never at start-up
    titles = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    assert history_texts.TAB_TRENDS in titles


def test_window_without_history_fetches_as_before(qtbot, make_window) -> None:
    window = make_window()
    fetch(qtbot, window, lists=(ListKind.BOUNCES,))
    assert window.model.total > 0
    assert all(window.model.mark_at(r) == "" for r in range(window.model.rowCount()))


def test_the_export_carries_the_history_marks_the_grid_shows(
    qtbot, make_window, tmp_path, history_factory
) -> None:
    from tests.ui.test_window_export import HEADERS, DialogRunner, data_rows, run_export

    path = tmp_path / "marks.xlsx"
    window = history_window(
        make_window, tmp_path, history_factory, run_export_dialog=DialogRunner(qtbot, path=path)
    )
    fetch_result(qtbot, window)
    now = now_s()
    history_factory.sandbox.add_records([record(200 + i, now - 60 + i) for i in range(2)])
    fetch_result(qtbot, window)
    shown = marks_by_email(window)
    assert sorted(email for email, mark in shown.items() if mark == "新着") == [
        "user0200@example.jp",
        "user0201@example.jp",
    ]

    run_export(qtbot, window)

    rows, _ = data_rows(path)
    email, history = HEADERS.index("メールアドレス"), HEADERS.index("履歴")
    # An empty last cell is not written: a short row has no 履歴.
    exported = {
        row[email]: (row[history] if len(row) > history else None) or "" for row in rows[1:]
    }
    assert exported == shown
