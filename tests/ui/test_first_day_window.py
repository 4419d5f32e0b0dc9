"""Issue 13, the main window on an operator's first day: the error banner follows its cause,
the live marker, retry notices, the details pane, selection counts, menus, 配信状況 after a
deletion. Sizes are checked at 1366×768."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from app.core.errors import AuthError, NetworkError
from app.core.storage.secrets import SENDGRID_KEY
from app.ui import texts
from app.ui.menu_text import menu_text
from tests.helpers.ui import TEST_KEY

LAPTOP = (1366, 768)


def test_key_banner_offers_settings_and_goes_once_the_key_is_saved(
    qtbot, make_window, secrets, live_sandbox
) -> None:
    def save_key(dialog) -> bool:
        qtbot.addWidget(dialog)
        dialog.key_edit.setText(TEST_KEY)
        return True

    window = make_window(live_base_url=live_sandbox.base_url, run_settings_dialog=save_key)
    window.resize(*LAPTOP)
    qtbot.mouseClick(window.banner.switch_button, Qt.MouseButton.LeftButton)
    panel = window.status_panel
    qtbot.waitUntil(panel.isVisible)  # the key is read by a job first
    # One sentence once: the title says what is wrong, 次にすること what to do.
    assert panel.message_label.text() == texts.LIVE_NEEDS_KEY
    assert panel.next_step_label.text() == texts.LIVE_NEEDS_KEY_NEXT
    assert panel.message_label.text() != panel.next_step_label.text()
    assert panel.settings_button.isVisible()
    qtbot.mouseClick(panel.settings_button, Qt.MouseButton.LeftButton)  # opens 設定, saves
    assert secrets.get(SENDGRID_KEY) == TEST_KEY
    assert not panel.isVisible()
    # Shown again, then the switch to 本番 (the cause is gone) clears it too.
    window.controller.connection.failed.emit(AuthError())
    assert panel.isVisible() and panel.settings_button.isVisible()
    qtbot.mouseClick(window.banner.switch_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.controller.connection.practice)
    assert not panel.isVisible()


def test_an_error_not_fixed_in_settings_has_no_settings_button(qtbot, make_window) -> None:
    window = make_window()
    window.status_panel.show_error(NetworkError())
    assert window.status_panel.isVisible()
    assert not window.status_panel.settings_button.isVisible()
    assert window.status_panel.next_step_label.isVisible()


def test_delivery_breakdown_follows_a_deletion(qtbot, make_window, tmp_path) -> None:
    from app.core.storage.journal import DeletionJournal
    from app.core.types import ListKind
    from tests.helpers.ui import check_rows, fetch

    journal = DeletionJournal(tmp_path / "journal.sqlite3")
    window = make_window(
        journal=journal,
        confirm=lambda plan, parent, *, practice: "",
        show_delete_result=lambda report, parent: False,
    )
    fetch(qtbot, window, lists=(ListKind.BOUNCES,))
    view = window.delivery_view
    qtbot.waitUntil(lambda: view.breakdown_chart.model() is not None, timeout=10_000)
    before = window.model.total
    assert view.breakdown_chart.model().total == before
    check_rows(window, [0, 1, 2])
    deletion = window.controller.deletion
    with qtbot.waitSignal(deletion.rows_removed, timeout=15_000):
        qtbot.mouseClick(window.list_page.delete_bar.delete_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not deletion.is_running(), timeout=15_000)
    assert window.model.total == before - 3
    # 全 n 件 and every category count agree with the grid (and so with the status bar).
    qtbot.waitUntil(lambda: view.breakdown_chart.model().total == before - 3, timeout=5_000)
    categories = view.breakdown_chart.model().sections[0]
    shown = {row.label: row.count for row in categories.rows}
    expected = {
        window.model.category_label(name): count
        for name, count in window.model.counts_by_category.items()
    }
    assert shown == expected
    journal.close()


def test_live_mode_shows_a_honban_marker_in_the_window(qtbot, make_window, secrets) -> None:
    secrets.set(SENDGRID_KEY, TEST_KEY)
    window = make_window()
    window.resize(*LAPTOP)
    assert window.banner.isVisible() and not window.live_marker.isVisible()
    assert window.controller.connection.set_practice(False)
    assert not window.banner.isVisible()
    assert window.live_marker.isVisible()
    assert "本番" in window.live_marker.badge.text()
    assert window.controller.connection.masked_key in window.live_marker.text_label.text()
    qtbot.mouseClick(window.live_marker.switch_button, Qt.MouseButton.LeftButton)
    assert window.controller.connection.practice
    assert window.banner.isVisible() and not window.live_marker.isVisible()


def test_an_unreachable_sendgrid_says_it_is_retrying_then_shows_the_error(
    qtbot, make_window, secrets
) -> None:
    import socket

    from app.core.errors import NetworkError
    from tests.helpers.ui import fetch

    with socket.socket() as probe:  # a loopback port nobody listens on: connection refused
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    secrets.set(SENDGRID_KEY, TEST_KEY)
    window = make_window(live_base_url=f"http://127.0.0.1:{port}", max_retries=2)
    assert window.controller.connection.set_practice(False)
    lines: list[str] = []
    window.controller.fetch.progress.connect(lines.append)
    fetch(qtbot, window)
    retrying = [line for line in lines if "再試行" in line]
    assert retrying, lines
    assert "SendGrid に接続できません" in retrying[0]
    assert "1/2 回目" in retrying[0] and any("2/2 回目" in line for line in retrying)
    # Then it stops, with the error in the panel and no progress line left standing.
    assert isinstance(window.status_panel.error, NetworkError)
    assert "取得中" not in window.range_bar.progress_label.text()
    assert "再試行" not in window.range_bar.progress_label.text()


def test_every_column_and_the_whole_advice_fit_at_1280x800(qtbot, make_window) -> None:
    from PySide6.QtCore import QItemSelectionModel
    from PySide6.QtGui import QTextCursor

    from app.core import glossary
    from app.core.types import DeleteEffect
    from app.ui.models.entry_table import Column
    from tests.helpers.ui import fetch

    window = make_window()
    window.resize(1280, 800)
    fetch(qtbot, window)
    table = window.table
    qtbot.wait(20)
    header = table.horizontalHeader()
    # 対応, 削除すると and 分類 are whole inside the grid's viewport (no horizontal scrolling to
    # find them), 削除すると right after 対応, and its longest label is not cut short.
    for column in (Column.ACTION, Column.DELETE_EFFECT, Column.CATEGORY):
        assert not header.isSectionHidden(column), column
        right = header.sectionViewportPosition(column) + header.sectionSize(column)
        assert right <= table.viewport().width(), column
    assert header.visualIndex(Column.DELETE_EFFECT) == header.visualIndex(Column.ACTION) + 1
    assert header.sectionSize(Column.CATEGORY) >= 100
    metrics = table.fontMetrics()
    longest_effect = max(
        (glossary.delete_effect_label(effect) for effect in DeleteEffect),
        key=metrics.horizontalAdvance,
    )
    assert metrics.horizontalAdvance(longest_effect) + 6 <= header.sectionSize(Column.DELETE_EFFECT)
    assert not table.horizontalScrollBar().isVisible()
    # The longest advice of the fetched rows: its 原因 and 対応 show without scrolling.
    model = window.model
    longest = max(
        range(model.rowCount()),
        key=lambda r: (
            len((model.explanation_at(r).explanation_ja or "") + model.explanation_at(r).action_ja)
            if model.explanation_at(r)
            else 0
        ),
    )
    table.selectionModel().setCurrentIndex(
        model.index(longest, Column.EMAIL), QItemSelectionModel.SelectionFlag.ClearAndSelect
    )
    details = window.list_page.details
    text = details.toPlainText()
    action = model.explanation_at(longest).action_ja
    # Under 対応: what deleting does and whether the cause passes by itself.
    chosen = model.explanation_at(longest)
    effect_line = next(line for line in text.splitlines() if line.startswith("■ 削除すると: "))
    assert glossary.delete_effect_label(chosen.delete_effect) in effect_line
    assert glossary.permanence_label(chosen.permanent) in effect_line
    assert text.index(action) < text.index(effect_line) < text.index("■ 理由")
    end_of_action = text.index(action) + len(action)
    cursor = QTextCursor(details.document())
    cursor.setPosition(end_of_action)
    assert details.cursorRect(cursor).bottom() <= details.viewport().height()
    assert details.height() >= 150


def test_a_highlighted_row_is_not_counted_and_the_bar_says_so(qtbot, make_window, tmp_path) -> None:
    from PySide6.QtCore import QItemSelectionModel

    from app.core.storage.journal import DeletionJournal
    from app.ui.models.entry_table import Column
    from tests.helpers.ui import fetch

    journal = DeletionJournal(tmp_path / "journal.sqlite3")
    window = make_window(journal=journal)
    fetch(qtbot, window)
    bar, table, model = window.list_page.delete_bar, window.table, window.model
    assert bar.checked_label.text() == texts.CHECKED_COUNT.format(checked=0)
    flags = (
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
    )
    table.selectionModel().select(model.index(2, Column.EMAIL), flags)
    # Highlighted but not ticked: nothing to delete, and the count explains why.
    assert model.checked_count == 0
    # The whole hint (a narrow window shows its first sentence and "…"; test_delete_bar_hint)
    assert bar.checked_label.full_text == texts.CHECKED_NONE_HIGHLIGHTED
    assert not bar.delete_button.isEnabled()
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_Space)  # Space ticks the highlighted row
    assert model.checked_count == 1
    assert (
        model.index(2, Column.CHECK).data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked
    )
    assert bar.checked_label.text() == texts.CHECKED_COUNT.format(checked=1)
    assert bar.delete_button.isEnabled()
    assert bar.delete_button.text() == texts.DELETE_CHECKED_COUNT.format(checked=1)
    qtbot.keyClick(table, Qt.Key.Key_Space)  # and again unticks it
    assert model.checked_count == 0
    window.close()
    journal.close()


def test_menus_put_settings_in_tools_and_help_explains_the_app(qtbot, make_window) -> None:
    from app import __version__

    window = make_window()
    menus = {action.text(): action.menu() for action in window.menuBar().actions() if action.menu()}
    # Features add menus of their own (連絡…) between ツール and ヘルプ; ヘルプ stays last.
    assert list(menus)[:4] == [
        texts.MENU_FILE,
        texts.MENU_DELETE,
        texts.MENU_ACCOUNT,
        texts.MENU_TOOLS,
    ]
    assert list(menus)[-1] == texts.MENU_HELP
    actions = window.window_actions
    assert actions.settings_action not in menus[texts.MENU_FILE].actions()
    assert actions.settings_action in menus[texts.MENU_TOOLS].actions()
    help_texts = [a.text() for a in menus[texts.MENU_HELP].actions() if not a.isSeparator()]
    assert help_texts == [
        texts.ACTION_USAGE,
        texts.ACTION_SHORTCUTS,
        menu_text(texts.ACTION_OPEN_LOG, "L"),
        texts.ACTION_ABOUT,
    ]
    actions.usage_action.trigger()
    assert texts.LISTS_TERM in window.last_note.text() and "チェック" in window.last_note.text()
    # 使い方 names every feature by the menu and item the operator will find it under.
    import re

    def plain(text: str) -> str:
        return re.sub(r"\(&\w\)|&|…", "", text)

    items = {
        plain(menu_action.text()): {plain(a.text()) for a in menu.actions()}
        for menu_action in window.menuBar().actions()
        if (menu := menu_action.menu())
    }
    usage = window.last_note.text()
    arrows = re.findall(r"(\S+) → ([^ 。（\n]+)", usage)
    assert len(arrows) >= 5
    for before, item in arrows:
        menu_name = next((name for name in items if before.endswith(name)), None)
        assert menu_name is not None and item in items[menu_name], (before, item)
    # Every button it quotes (「…」を押します, 「…」で) reads so on screen: the delete button
    # says 「チェックした項目を削除」 until a row is ticked.
    from PySide6.QtWidgets import QAbstractButton

    labels = {plain(button.text()) for button in window.findChildren(QAbstractButton)}
    quoted = {plain(label) for label in re.findall(r"「([^」]+)」(?:を押|で)", usage)}
    assert {"取得", "書き出し", "チェックした項目を削除"} <= quoted
    assert quoted <= labels, (quoted, labels)
    # The key of another provider is saved in アカウントの管理, not in 設定 (SendGrid only).
    assert re.search(r"ほかの配信サービスは アカウント → アカウントの管理 で", usage)
    features = ("削除履歴", "推移を表示", "月次レポート", "連絡文を作成", "DMARC")
    features += ("アカウントの管理",)
    assert all(feature in usage for feature in features)
    assert window.last_note.textFormat() is Qt.TextFormat.PlainText
    window.last_note.close()
    actions.shortcuts_action.trigger()
    for key in ("Ctrl+E", "Ctrl+C", "Space", "F1", "Alt+F"):
        assert key in window.last_note.text()
    window.last_note.close()
    actions.about_action.trigger()
    assert __version__ in window.last_note.text()
    assert str(window.log_path) in window.last_note.text()
    window.last_note.close()
    # The shortcut the help lists opens 設定.
    assert actions.settings_action.shortcut().toString() == "Ctrl+,"
    assert actions.usage_action.shortcut().toString() == "F1"


# The calendar popup grabs the keyboard, which the offscreen platform cannot do.
@pytest.mark.qt_log_ignore("^This plugin does not support grabbing the keyboard")
def test_the_range_bar_takes_a_typed_date_and_has_a_japanese_calendar(qtbot, make_window) -> None:
    from PySide6.QtCore import QDate, QLocale, QPoint
    from PySide6.QtWidgets import QApplication, QCalendarWidget

    window = make_window()
    edit = window.range_bar.start_edit
    edit.setFocus()
    edit.lineEdit().selectAll()
    qtbot.keyClicks(edit, "2026/10/01")
    with qtbot.waitSignal(window.controller.fetch.running, timeout=30_000) as started:
        qtbot.keyClick(edit, Qt.Key.Key_Return)  # takes the date, then fetches (as 取得)
    assert started.args == [True]
    assert edit.date() == QDate(2026, 10, 1)
    assert window.range_bar.date_range().start.isoformat() == "2026-10-01"
    qtbot.waitUntil(lambda: not window.controller.fetch.is_running(), timeout=30_000)
    # The calendar is built on first use: a press on the arrow opens the Japanese one.
    window.show()
    qtbot.waitExposed(window)
    qtbot.mouseClick(edit, Qt.MouseButton.LeftButton, pos=QPoint(edit.width() - 6, 10))
    popup = QApplication.activePopupWidget()
    assert popup is not None and popup.isVisible()
    calendar = popup.findChild(QCalendarWidget)
    assert calendar is edit.calendarWidget()
    assert calendar.firstDayOfWeek() is Qt.DayOfWeek.Sunday
    assert calendar.locale().language() is QLocale.Language.Japanese
    assert calendar.isGridVisible()
    popup.close()


def test_the_window_fits_a_laptop_with_every_banner_shown(qtbot, make_window) -> None:
    from app.core.errors import NetworkError

    window = make_window()
    window.resize(*LAPTOP)
    window.list_page.ensure_grid()
    window.delivery_tab.build_view()
    window.status_panel.show_error(NetworkError())
    window.delivery_alert.update_days(2, 0.97)
    qtbot.wait(20)
    assert window.status_panel.isVisible() and window.delivery_alert.isVisible()
    # 768 px minus a task bar and the title bar: the window never insists on more.
    assert window.minimumSizeHint().height() <= 680
    assert window.height() <= LAPTOP[1]
    assert window.list_page.details.height() >= 100


def test_the_delete_bar_never_makes_the_window_wider_than_a_1280_screen(
    qtbot, make_window, tmp_path
) -> None:
    """The count's hint (a highlighted row, nothing ticked) and a large count on the delete
    button used to raise the window's minimum width above 1280 px: on a 1280×800 laptop the
    window then grew past the screen's edge and the 削除 button was off screen."""
    from PySide6.QtCore import QItemSelectionModel

    from app.core.storage.journal import DeletionJournal
    from app.ui.models.entry_table import Column
    from tests.helpers.ui import check_rows, fetch

    journal = DeletionJournal(tmp_path / "journal.sqlite3")
    window = make_window(journal=journal)
    window.resize(1280, 800)
    fetch(qtbot, window)
    bar, model = window.list_page.delete_bar, window.model
    window.table.selectionModel().select(
        model.index(2, Column.EMAIL),
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
    )
    assert bar.checked_label.text() == texts.CHECKED_NONE_HIGHLIGHTED
    qtbot.wait(20)
    # The hint is not cut short at 1280 px.
    label = bar.checked_label
    assert label.fontMetrics().horizontalAdvance(label.text()) <= label.width()
    # A window manager's border takes a few pixels of the 1280.
    assert window.minimumSizeHint().width() <= 1270
    assert window.width() <= 1280
    check_rows(window, list(range(model.rowCount())))
    assert f"{model.rowCount():,}" in bar.delete_button.text()
    qtbot.wait(20)
    assert window.minimumSizeHint().width() <= 1270
    assert window.width() <= 1280
    # The whole count stays readable where a narrow window cuts it short.
    assert bar.checked_label.toolTip() == bar.checked_label.text()
    # Nor does the status bar: counts per list and category beside the AI note.
    status = window.status_bar
    status.counts_label.setText("バウンス 12,345　" * 12)
    status.ai_label.setText("AI への問い合わせ: 9 回、キャッシュ利用: 183 件")
    qtbot.wait(20)
    assert window.minimumSizeHint().width() <= 1270
    assert window.width() <= 1280
    status.show_counts(model)
    assert "バウンス" in status.counts_label.toolTip()
    # Cut short between two counts, with "…", never in the middle of a number (15 for 162).
    status.counts_label.setText("バウンス 839　ブロック 519　受信箱が使えない 162")
    whole = status.counts_label.fitted(10_000)
    assert whole == "バウンス 839　ブロック 519　受信箱が使えない 162"
    metrics = status.counts_label.fontMetrics()
    narrow = metrics.horizontalAdvance("バウンス 839　ブロック 519　受信箱が使") + 2
    assert status.counts_label.fitted(narrow) == "バウンス 839　ブロック 519　…"
    window.close()
    journal.close()


def test_every_column_title_is_whole_at_1280x800(qtbot, make_window) -> None:
    """ステータス was cut to ステータ at its default width, 迷惑メール報告 to 迷惑メール…."""
    from app.ui.models.entry_table import Column
    from tests.helpers.ui import fetch

    window = make_window()
    window.resize(1280, 800)
    fetch(qtbot, window)
    header = window.table.horizontalHeader()
    metrics = header.fontMetrics()
    for column in Column:
        if header.isSectionHidden(column) or column is Column.CHECK:
            continue
        title = window.model.headerData(column, Qt.Orientation.Horizontal)
        assert metrics.horizontalAdvance(title) + 12 <= header.sectionSize(column), title
    # The longest list name (迷惑メール報告 was cut to 迷惑メール…) and a date and time.
    from app.core.types import ALL_LISTS

    cells = window.table.fontMetrics()
    longest_kind = max((kind.label_ja for kind in ALL_LISTS), key=cells.horizontalAdvance)
    assert cells.horizontalAdvance(longest_kind) + 8 <= header.sectionSize(Column.KIND)
    created = window.model.index(0, Column.CREATED).data()
    assert cells.horizontalAdvance(created) + 8 <= header.sectionSize(Column.CREATED), created
    assert not window.table.horizontalScrollBar().isVisible()
