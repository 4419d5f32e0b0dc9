"""書き出し from the main window after a practice fetch: the real options dialog (injected runner
clicks it), the real export job, and the file reopened with openpyxl."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import Qt

from app.core.export.columns import COLUMNS
from app.core.export.output import ExportError
from app.core.types import ListKind
from app.ui import texts
from app.ui.export.options_dialog import ExportOptionsDialog
from app.ui.models.entry_table import Column
from app.ui.persist import UiState
from tests.helpers.ui import SandboxFactory, fetch, recent_records

EXPORT_TIMEOUT_MS = 20_000
HEADERS = [column.header_ja for column in COLUMNS]  # the CSV's, which scripts read by
SHEET_HEADERS = [column.sheet_header_ja for column in COLUMNS]  # the workbook's


class DialogRunner:
    """The injected export dialog: sets the fields on the real dialog and clicks 書き出す."""

    def __init__(
        self, qtbot, *, path: Path | None = None, scope: str = "all", fmt: str = "xlsx", after=None
    ) -> None:
        self.qtbot = qtbot
        self.path = path
        self.scope = scope
        self.fmt = fmt
        self.after = after  # called with the choice before it is returned (e.g. remove the folder)
        self.opened_with: list[str] = []
        self.dialogs: list[ExportOptionsDialog] = []

    def __call__(self, dialog: ExportOptionsDialog):
        # Not qtbot.addWidget: the window deletes the dialog (deleteLater) once it returns.
        self.dialogs.append(dialog)
        self.opened_with.append(dialog.path_edit.text())
        (dialog.csv_radio if self.fmt == "csv" else dialog.xlsx_radio).setChecked(True)
        (dialog.filtered_radio if self.scope == "filtered" else dialog.all_radio).setChecked(True)
        if self.path is not None:
            dialog.path_edit.setText(str(self.path))
        self.qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
        if dialog.choice is not None and self.after is not None:
            self.after(dialog.choice)
        return dialog.choice


def run_export(qtbot, window) -> None:
    export = window.controller.export
    with qtbot.waitSignal(
        export.running, timeout=EXPORT_TIMEOUT_MS, check_params_cb=lambda r: not r
    ):
        window.window_actions.export_action.trigger()
    qtbot.waitUntil(lambda: not export.is_running(), timeout=EXPORT_TIMEOUT_MS)


def data_rows(path: Path) -> tuple[list, list[tuple]]:
    workbook = load_workbook(path, read_only=True)
    try:
        rows = list(workbook["一覧"].iter_rows(values_only=True))
        conditions = list(workbook["条件"].iter_rows(values_only=True))
    finally:
        workbook.close()
    return rows, conditions


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_export_all_rows_to_xlsx(qtbot, make_window, tmp_path: Path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    runner = DialogRunner(qtbot, path=folder / "all.xlsx")
    window = make_window(run_export_dialog=runner)
    assert not window.window_actions.export_action.isEnabled()  # nothing to export yet
    assert window.window_actions.export_action.shortcut().toString() == "Ctrl+E"
    assert window.list_page.export_button.defaultAction() is window.window_actions.export_action
    fetch(qtbot, window)
    total = window.model.total
    assert total > 0 and window.window_actions.export_action.isEnabled()

    run_export(qtbot, window)

    path = folder / "all.xlsx"
    rows, conditions = data_rows(path)
    assert list(rows[0]) == SHEET_HEADERS
    assert len(rows) - 1 == total
    # The grid's column title, with the time zone as the range bar words it (日本時間).
    created = SHEET_HEADERS.index("発生日時（日本時間）")
    assert texts.COLUMN_TITLES[Column.CREATED] == "発生日時"
    assert texts.RANGE_LABEL.endswith("（日本時間）")
    assert all(isinstance(row[created], datetime) for row in rows[1:])
    emails = sorted(row[SHEET_HEADERS.index("メールアドレス")] for row in rows[1:])
    model = window.model
    assert emails == sorted(model.entry_at(r).email for r in range(model.rowCount()))
    facts = {row[0]: row[1] for row in conditions if len(row) > 1 and row[0]}
    assert facts["アカウント"] == texts.ACCOUNT_PRACTICE
    assert facts["出力範囲"] == "取得したすべての行"
    status = window.range_bar.progress_label.text()
    assert status == texts.EXPORT_DONE.format(rows=total, path=path)
    assert f"{total:,} 件を書き出しました" in status
    assert not window.status_panel.isVisible()
    assert leftovers(folder) == ["all.xlsx"]
    # The folder is remembered for the next export.
    assert UiState().last_export_folder() == folder
    window.window_actions.export_action.trigger()
    assert runner.opened_with[-1].startswith(str(folder))
    qtbot.waitUntil(lambda: not window.controller.export.is_running(), timeout=EXPORT_TIMEOUT_MS)


def test_export_filtered_rows_keeps_the_view_order(qtbot, make_window, tmp_path: Path) -> None:
    runner = DialogRunner(qtbot, path=tmp_path / "filtered.csv", scope="filtered", fmt="csv")
    window = make_window(run_export_dialog=runner)
    fetch(qtbot, window)
    page = window.list_page
    position = next(
        i
        for i in range(page.list_filter.count())
        if page.list_filter.itemData(i) == ListKind.BOUNCES
    )
    page.list_filter.setCurrentIndex(position)
    page.list_filter.activated.emit(position)
    window.table.horizontalHeader().setSortIndicator(Column.EMAIL, Qt.SortOrder.DescendingOrder)
    model = window.model
    shown = model.rowCount()
    assert 0 < shown < model.total
    view_order = [model.entry_at(r).email for r in range(shown)]
    assert view_order == sorted(view_order, reverse=True)

    run_export(qtbot, window)

    import csv

    with (tmp_path / "filtered.csv").open(encoding="utf-8-sig", newline="") as stream:
        rows = list(csv.reader(stream))
    assert rows[0] == HEADERS
    assert [row[HEADERS.index("メールアドレス")] for row in rows[1:]] == view_order
    assert {row[HEADERS.index("種別")] for row in rows[1:]} == {ListKind.BOUNCES.label_ja}
    assert f"{shown:,} 件を書き出しました" in window.range_bar.progress_label.text()


def test_filter_description_goes_into_the_conditions_sheet(
    qtbot, make_window, tmp_path: Path
) -> None:
    runner = DialogRunner(qtbot, path=tmp_path / "f.xlsx", scope="filtered")
    window = make_window(run_export_dialog=runner)
    fetch(qtbot, window)
    domain = window.model.entry_at(0).domain
    qtbot.keyClicks(window.list_page.filter_edit, domain)
    qtbot.waitUntil(lambda: window.model.rowCount() < window.model.total, timeout=10_000)

    run_export(qtbot, window)

    rows, conditions = data_rows(tmp_path / "f.xlsx")
    facts = {row[0]: row[1] for row in conditions if len(row) > 1 and row[0]}
    assert facts["絞り込み条件"] == texts.FILTER_TEXT.format(text=domain)
    assert facts["出力範囲"] == "絞り込み後の行のみ"
    assert len(rows) - 1 == window.model.rowCount()


def test_cancel_leaves_no_file(qtbot, make_window, tmp_path: Path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    window = make_window(run_export_dialog=DialogRunner(qtbot, path=folder / "x.xlsx"))
    fetch(qtbot, window)
    export = window.controller.export
    # キャンセル is pressed as soon as the export is under way: the job checks the token every
    # 1,000 rows and once more before saving, so it can never finish before seeing it.
    export.running.connect(
        lambda running: (
            running and qtbot.mouseClick(window.range_bar.cancel_button, Qt.MouseButton.LeftButton)
        )
    )
    with qtbot.waitSignal(
        export.running, timeout=EXPORT_TIMEOUT_MS, check_params_cb=lambda r: not r
    ):
        window.window_actions.export_action.trigger()

    assert leftovers(folder) == []
    assert window.range_bar.progress_label.text() == texts.EXPORT_CANCELLED
    assert "キャンセルしました" in texts.EXPORT_CANCELLED
    assert not window.status_panel.isVisible()
    assert (
        window.range_bar.fetch_button.isVisible()
        and window.window_actions.export_action.isEnabled()
    )


@pytest.mark.parametrize("problem", ["folder-removed", "target-is-a-folder"])
def test_export_error_shows_the_panel(qtbot, make_window, tmp_path: Path, problem) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    if problem == "folder-removed":
        # The dialog checks the folder; it disappears (USB stick pulled) before the job runs.
        runner = DialogRunner(qtbot, path=folder / "x.xlsx", after=lambda _: shutil.rmtree(folder))
        expected = "保存先のフォルダが見つかりません。"
    else:
        (folder / "x.xlsx").mkdir()
        runner = DialogRunner(qtbot, path=folder / "x.xlsx")
        expected = "同じ名前のフォルダがあるため、保存できません。"
    window = make_window(run_export_dialog=runner)
    fetch(qtbot, window)

    run_export(qtbot, window)

    panel = window.status_panel
    assert panel.isVisible()
    assert isinstance(panel.error, ExportError)
    assert panel.message_label.text() == expected
    assert panel.next_step_label.text() == panel.error.next_step_ja
    # The line under the range still describes the grid (not 「取得」を押してください).
    progress = window.range_bar.progress_label.text()
    assert progress == texts.SHOWING.format(total=window.model.total), progress
    assert (
        window.window_actions.export_action.isEnabled()
        and window.range_bar.fetch_button.isEnabled()
    )


def test_cancelled_dialog_starts_nothing(qtbot, make_window) -> None:
    seen: list[ExportOptionsDialog] = []

    def cancel_dialog(dialog: ExportOptionsDialog):
        seen.append(dialog)
        assert dialog.all_radio.isChecked()
        dialog.reject()
        return None

    window = make_window(run_export_dialog=cancel_dialog)
    fetch(qtbot, window)
    before = window.range_bar.progress_label.text()
    window.window_actions.export_action.trigger()
    assert len(seen) == 1
    assert not window.controller.export.is_running()
    assert window.range_bar.progress_label.text() == before


def test_export_after_a_failed_fetch_warns_in_the_dialog_the_file_and_the_line(
    qtbot, make_window, tmp_path: Path
) -> None:
    """A fetch that ended in an error keeps the rows that came in; the export dialog, the
    workbook and the summary line all say they are part of the range only."""
    from app.core.export.incomplete import NOTE_LABEL, STATE_LABEL

    factory = SandboxFactory(recent_records(3000))
    target = tmp_path / "part.xlsx"
    warnings: list[str] = []
    runner = DialogRunner(qtbot, path=target)
    runner.after = lambda _choice: warnings.append(runner.dialogs[-1].incomplete_label.text())
    window = make_window(sandbox_factory=factory, run_export_dialog=runner)
    fetch(qtbot, window, lists=(ListKind.BOUNCES,))  # starts the practice server
    assert window.controller.fetch.incomplete is None
    assert factory.sandbox is not None
    # The bounces come in while the blocks fail: retried after a wait (500), then given up.
    factory.sandbox.fail_next(50, 500, path_prefix="/v3/suppression/blocks")
    fetch(qtbot, window, lists=(ListKind.BOUNCES, ListKind.BLOCKS))
    incomplete = window.controller.fetch.incomplete
    assert incomplete is not None and not incomplete.cancelled and incomplete.error_ja
    if not window.model.total:
        pytest.skip("the error came before any page of bounces")  # nothing to export

    run_export(qtbot, window)

    assert "エラーで途中で止まった" in warnings[-1]
    assert "途中まで" in runner.opened_with[-1]  # the name it offered
    assert "途中で止まった一覧" in window.range_bar.progress_label.text()
    rows, conditions = data_rows(target)
    items = {row[0]: row[1] for row in conditions if len(row) > 1 and row[0]}
    assert "一部の行だけ" in items[NOTE_LABEL]
    assert incomplete.error_ja in items[STATE_LABEL]
    assert "ブロック: 0 件" in items["取得できた行"]
    assert len(rows) - 1 == window.model.total
