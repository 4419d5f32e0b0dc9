"""The main window against the loopback sandbox: fetch, stream, cancel, sort/filter, errors,
settings, practice mode and closing with a job running."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from app.core.dates import unix_bounds
from app.core.errors import (
    AuthError,
    NetworkError,
    ScopeError,
    ServerError,
    UnexpectedPayloadError,
)
from app.core.storage.secrets import SENDGRID_KEY
from app.core.types import ListKind
from app.ui import texts
from app.ui.models.entry_table import ENTRY_ROLE, Column
from tests.helpers.ui import FETCH_TIMEOUT_MS, TEST_KEY, SandboxFactory, fetch, recent_records


def expected_count(records, window, lists) -> int:
    start, end = unix_bounds(window.range_bar.date_range())
    return sum(1 for r in records if start <= r.created <= end and r.list_kind in lists)


def test_practice_fetch_fills_the_grid(qtbot, make_window, sandbox_factory) -> None:
    window = make_window()
    assert window.banner.isVisible()
    assert texts.PRACTICE_TITLE in window.windowTitle()
    fetch(qtbot, window)
    model = window.model
    lists = {kind.value for kind in ListKind}
    assert model.total == expected_count(sandbox_factory.records, window, lists) > 0
    assert model.rowCount() == model.total
    categories = {model.index(r, Column.CATEGORY).data() for r in range(model.rowCount())}
    assert texts.NOT_CLASSIFIED not in categories
    start, _ = unix_bounds(window.range_bar.date_range())
    bounce_requests = [
        r for r in sandbox_factory.sandbox.request_log if r.path == "/v3/suppression/bounces"
    ]
    assert bounce_requests and all(r.method == "GET" for r in bounce_requests)
    assert bounce_requests[0].query["start_time"] in (str(start), [str(start)])
    assert not window.status_panel.isVisible()
    assert f"{model.total:,} 件" in window.range_bar.progress_label.text()
    assert "バウンス" in window.status_bar.counts_label.text()


def test_rows_stream_in_before_the_fetch_finishes(qtbot, make_window) -> None:
    factory = SandboxFactory(recent_records(4000, days=30), latency_ms=60)
    window = make_window(sandbox_factory=factory)
    window.range_bar.set_lists((ListKind.BOUNCES,))
    running_at_first_rows: list[bool] = []
    window.model.rowsInserted.connect(
        lambda *_: running_at_first_rows.append(window.controller.fetch.is_running())
    )
    from app.core.dates import Preset

    window.range_bar.apply_preset(Preset.LAST_30_DAYS)
    fetch(qtbot, window)
    assert len(running_at_first_rows) >= 2
    assert running_at_first_rows[0] is True
    assert window.model.total > 500  # more than one page


class _ProxyDroppingOffset(SandboxFactory):
    """A sandbox behind a proxy that drops ``offset``: every page is the first one."""

    def __call__(self):
        sandbox = super().__call__()
        sandbox.configure(ignore_offset=True)
        return sandbox


def test_a_server_repeating_its_first_page_ends_the_fetch_and_says_the_grid_is_incomplete(
    qtbot, make_window
) -> None:
    window = make_window(sandbox_factory=_ProxyDroppingOffset(recent_records(4000, days=30)))
    window.range_bar.set_lists((ListKind.BOUNCES,))
    from app.core.dates import Preset

    window.range_bar.apply_preset(Preset.LAST_30_DAYS)
    fetch(qtbot, window)
    line = window.range_bar.progress_label.text()
    assert "同じ内容のページを返し続けた" in line and "不完全" in line
    assert window.range_bar.fetch_button.isEnabled()


def test_cancel_stops_the_fetch_and_says_so(qtbot, make_window) -> None:
    factory = SandboxFactory(recent_records(4000, days=30), latency_ms=400)
    window = make_window(sandbox_factory=factory)
    with qtbot.waitSignal(window.controller.fetch.running, timeout=FETCH_TIMEOUT_MS):
        qtbot.mouseClick(window.range_bar.fetch_button, Qt.MouseButton.LeftButton)
    assert window.range_bar.cancel_button.isVisible()
    assert not window.range_bar.fetch_button.isVisible()
    with qtbot.waitSignal(window.controller.fetch.running, timeout=FETCH_TIMEOUT_MS):
        qtbot.mouseClick(window.range_bar.cancel_button, Qt.MouseButton.LeftButton)
    assert "キャンセル" in window.range_bar.progress_label.text()
    assert not window.status_panel.isVisible()
    assert window.range_bar.fetch_button.isVisible() and window.range_bar.fetch_button.isEnabled()


def test_escape_is_the_cancel_key_while_a_fetch_runs(qtbot, make_window) -> None:
    # When a fetch starts from Enter in a date field, that field is disabled and focus lands
    # anywhere: Tab could not be relied on to reach キャンセル. (A key sent to an offscreen
    # window does not reach window shortcuts; as for Ctrl+E, the binding is what is checked.)
    factory = SandboxFactory(recent_records(4000, days=30), latency_ms=400)
    window = make_window(sandbox_factory=factory)
    cancel = window.range_bar.cancel_button
    assert cancel.shortcut().toString() == "Esc" and "Esc" in cancel.toolTip()
    with qtbot.waitSignal(window.controller.fetch.running, timeout=FETCH_TIMEOUT_MS):
        qtbot.mouseClick(window.range_bar.fetch_button, Qt.MouseButton.LeftButton)
    assert cancel.isVisible() and cancel.isEnabled()  # so the shortcut is live
    assert "Esc" in texts.SHORTCUTS_TEXT
    with qtbot.waitSignal(window.controller.fetch.running, timeout=FETCH_TIMEOUT_MS):
        cancel.click()


def test_sort_and_filter_from_the_window(qtbot, make_window) -> None:
    window = make_window()
    fetch(qtbot, window)
    model = window.model
    header = window.table.horizontalHeader()
    header.setSortIndicator(Column.CREATED, Qt.SortOrder.DescendingOrder)
    created = [model.index(r, 0).data(ENTRY_ROLE).created for r in range(model.rowCount())]
    assert created == sorted(created, reverse=True)
    domain = model.index(0, Column.DOMAIN).data()
    qtbot.keyClicks(window.list_page.filter_edit, domain.upper())
    qtbot.waitUntil(lambda: model.rowCount() < model.total, timeout=10_000)
    for row in range(model.rowCount()):
        entry = model.index(row, 0).data(ENTRY_ROLE)
        explanation = model.explanation_at(row)
        haystack = f"{entry.email} {entry.reason} {explanation.explanation_ja}".lower()
        assert domain in haystack or domain in explanation.action_ja.lower()
    shown = window.list_page.shown_label.text()
    assert f"{model.rowCount():,}" in shown and f"{model.total:,}" in shown


def test_a_filter_hiding_every_row_says_the_rows_are_still_there(qtbot, make_window) -> None:
    window = make_window()
    fetch(qtbot, window)
    model, page = window.model, window.list_page
    assert page.details.placeholderText() == texts.DETAILS_EMPTY
    qtbot.keyClicks(page.filter_edit, "zzzz-no-such-text")
    qtbot.waitUntil(lambda: model.rowCount() == 0, timeout=10_000)
    # Before: an empty grid and 「表示中 0 / 全 n 件」 in small print, as if the fetch was lost.
    hint = page.details.placeholderText()
    assert f"{model.total:,} 件は残っています" in hint and "絞り込み" in hint
    page.filter_edit.clear()
    qtbot.waitUntil(lambda: model.rowCount() == model.total, timeout=10_000)
    assert page.details.placeholderText() == texts.DETAILS_EMPTY


def test_copy_selected_rows_as_tab_separated_text(qtbot, make_window) -> None:
    window = make_window()
    fetch(qtbot, window)
    window.table.selectRow(0)
    window.list_page.copy_action.trigger()
    lines = QGuiApplication.clipboard().text().split("\r\n")
    assert lines[0].split("\t")[:3] == ["種別", "メールアドレス", "ドメイン"]
    cells = lines[1].split("\t")
    assert len(cells) == len(Column) - 1
    assert cells[1] == window.model.entry_at(0).email


@pytest.mark.parametrize(
    ("key", "fault", "expected"),
    [
        ("SG.wrong-key", None, AuthError),
        ("SG.bounces-only", None, ScopeError),
        (TEST_KEY, 500, ServerError),
        (TEST_KEY, "drop", NetworkError),
        (TEST_KEY, "garbage", UnexpectedPayloadError),
    ],
    ids=["401-bad-key", "403-missing-scope", "500-exhausted", "drop", "garbage"],
)
def test_errors_show_in_the_panel(
    qtbot, make_window, secrets, live_sandbox, key, fault, expected
) -> None:
    secrets.set(SENDGRID_KEY, key)
    window = make_window(live_base_url=live_sandbox.base_url)
    assert window.controller.connection.set_practice(False)
    assert not window.banner.isVisible()
    if fault is not None:
        live_sandbox.fail_next(20, fault, path_prefix="/v3/suppression/blocks")
    fetch(qtbot, window, lists=(ListKind.BLOCKS,))
    panel = window.status_panel
    assert panel.isVisible()
    assert isinstance(panel.error, expected)
    assert panel.message_label.text() == panel.error.message_ja
    assert panel.next_step_label.text() == panel.error.next_step_ja
    assert not panel.detail_text.isVisible()
    qtbot.mouseClick(panel.details_button, Qt.MouseButton.LeftButton)
    assert panel.detail_text.isVisible()
    assert type(panel.error).__name__ in panel.detail_text.toPlainText()
    assert window.range_bar.fetch_button.isEnabled()
    qtbot.mouseClick(panel.close_button, Qt.MouseButton.LeftButton)
    assert not panel.isVisible()


def test_live_mode_needs_a_key(qtbot, make_window) -> None:
    window = make_window()
    qtbot.mouseClick(window.banner.switch_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(window.status_panel.isVisible)  # the keyring is read by a job first
    assert window.controller.connection.practice
    assert window.banner.isVisible()
    assert window.status_panel.message_label.text() == texts.LIVE_NEEDS_KEY


def test_settings_dialog_saves_key_and_tests_the_connection(
    qtbot, make_window, secrets, live_sandbox, tmp_path
) -> None:
    seen: list[str] = []

    def run_dialog(dialog) -> bool:
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitUntil(lambda: not dialog.keys_loading)  # the keys are read in a job
        assert "メモリ" in dialog.store_label.text() and dialog.store_warning.isVisible()
        qtbot.keyClicks(dialog.key_edit, "SG.bounces-only")
        dialog.region_combo.setCurrentIndex(dialog.region_combo.findData("eu"))
        qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: texts.SETTINGS_TEST_OK in dialog.test_result.text(), timeout=5000)
        seen.append(dialog.test_result.text())
        return True

    window = make_window(live_base_url=live_sandbox.base_url, run_settings_dialog=run_dialog)
    window.open_settings()
    assert "バウンス: 読み取り○・削除×" in seen[0]
    assert "ブロック: 読み取り×・削除×" in seen[0]
    scopes_calls = [r for r in live_sandbox.request_log if r.path == "/v3/scopes"]
    assert len(scopes_calls) == 1
    assert secrets.get(SENDGRID_KEY) == "SG.bounces-only"
    assert window.controller.settings.region == "eu"
    assert '"region": "eu"' in (tmp_path / "data" / "settings.json").read_text(encoding="utf-8")
    assert window.controller.connection.set_practice(False)
    assert "••••only" in window.windowTitle()


def test_range_and_lists_are_remembered(qtbot, make_window) -> None:
    from datetime import date

    window = make_window()
    window.range_bar.set_range(date(2026, 1, 5), date(2026, 1, 9))
    window.range_bar.set_lists((ListKind.BLOCKS, ListKind.SPAM_REPORTS))
    window.close()
    again = make_window()
    chosen = again.range_bar.date_range()
    assert (chosen.start, chosen.end) == (date(2026, 1, 5), date(2026, 1, 9))
    assert again.range_bar.chosen_lists() == (ListKind.BLOCKS, ListKind.SPAM_REPORTS)


def test_inverted_range_disables_fetch_with_a_red_note(qtbot, make_window) -> None:
    from datetime import date

    window = make_window()
    window.range_bar.set_range(date(2026, 1, 9), date(2026, 1, 5))
    assert not window.range_bar.fetch_button.isEnabled()
    assert window.range_bar.range_error.text() == texts.RANGE_INVERTED


def test_window_closes_cleanly_while_a_fetch_runs(qtbot, make_window) -> None:
    factory = SandboxFactory(recent_records(4000, days=30), latency_ms=300)
    window = make_window(sandbox_factory=factory)
    with qtbot.waitSignal(window.controller.fetch.running, timeout=FETCH_TIMEOUT_MS):
        qtbot.mouseClick(window.range_bar.fetch_button, Qt.MouseButton.LeftButton)
    window.close()
    # The window goes at once; the bounded wait for the request in flight runs on after it
    # (docs/ui.md, Threads: Closing), then the practice server is stopped.
    assert not window.isVisible()
    runner = window.controller.runner
    qtbot.waitUntil(lambda: not runner.active_jobs and not runner.pool_active_threads, timeout=6000)
    qtbot.waitUntil(lambda: window.controller.connection.sandbox is None, timeout=10_000)


def test_ui_state_is_written_under_the_test_dir(qsettings_in_tmp) -> None:
    from app.ui.persist import UiState

    assert UiState().file_name.startswith(str(qsettings_in_tmp))
