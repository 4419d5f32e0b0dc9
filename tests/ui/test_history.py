"""HistoryDialog (削除履歴): listing, search, entries, plain text, export, retry decision."""

from __future__ import annotations

import functools
import zipfile
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.core.storage.journal import (
    DeletionJournal,
    EntryResult,
    NewEntry,
    OperationMeta,
    OperationState,
    ResultUpdate,
)
from app.core.storage.journal_export import ENTRIES_SHEET, export_journal_xlsx
from app.core.types import ListKind
from app.ui.delete.history_dialog import HistoryDialog

CREATED = datetime(2026, 11, 3, tzinfo=UTC)
HOSTILE_NOTE = '<b>太字</b> =HYPERLINK("x")'


class StepClock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[DeletionJournal]:
    clock = StepClock(datetime(2026, 11, 2, 1, 0, tzinfo=UTC))
    journal = DeletionJournal(tmp_path / "journal.sqlite3", clock=clock)
    taro = NewEntry(
        ListKind.BOUNCES, "taro@example.jp", CREATED, "5.1.1", "550", "", "userunknown", "宛先不明"
    )
    first = journal.create_operation(
        OperationMeta(account_label="本番", note="住民から連絡あり", os_user="tanaka"),
        [taro, NewEntry(ListKind.BOUNCES, "jiro@example.jp", CREATED)],
    )
    journal.set_state(first, OperationState.RUNNING)
    journal.record_results(
        first,
        [
            ResultUpdate(ListKind.BOUNCES, "taro@example.jp", EntryResult.DELETED),
            ResultUpdate(ListKind.BOUNCES, "jiro@example.jp", EntryResult.FAILED, "サーバーエラー"),
        ],
    )
    journal.set_state(first, OperationState.DONE)
    clock.now += timedelta(days=3)
    second = journal.create_operation(
        OperationMeta(practice=True, note=HOSTILE_NOTE, os_user="suzuki"),
        [NewEntry(ListKind.UNSUBSCRIBES, "hanako@example.jp", CREATED)],
    )
    journal.record_results(
        second, [ResultUpdate(ListKind.UNSUBSCRIBES, "hanako@example.jp", EntryResult.DELETED)]
    )
    journal.set_state(second, OperationState.DONE)
    yield journal
    journal.close()


def open_dialog(qtbot: QtBot, journal: DeletionJournal, **kwargs: object) -> HistoryDialog:
    dialog = HistoryDialog(journal, today=date(2026, 11, 10), **kwargs)  # type: ignore[arg-type]
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def rows(model: object) -> list[list[str]]:
    return [
        [model.index(r, c).data() for c in range(model.columnCount())]  # type: ignore[attr-defined]
        for r in range(model.rowCount())  # type: ignore[attr-defined]
    ]


def test_lists_newest_first_with_counts_and_plain_text(
    qtbot: QtBot, qtmodeltester: object, journal: DeletionJournal
) -> None:
    dialog = open_dialog(qtbot, journal)
    qtmodeltester.check(dialog.operations_model)  # type: ignore[attr-defined]
    table = rows(dialog.operations_model)
    assert [row[1] for row in table] == ["suzuki", "tanaka"]
    assert table[0][5] == "完了（練習）"
    assert table[0][6] == HOSTILE_NOTE  # shown as the text it is
    assert table[1][2:5] == ["2", "1", "1"]  # 件数, 成功, 失敗
    assert table[1][0] == "2026/11/02 10:00"  # JST
    # The newest operation is selected; its addresses are shown.
    assert rows(dialog.entries_model) == [
        ["配信停止", "hanako@example.jp", "削除済み", "", "", "2026/11/03 09:00"]
    ]
    qtmodeltester.check(dialog.entries_model)  # type: ignore[attr-defined]
    assert not dialog.retry_button.isEnabled()


def test_search_by_address_and_dates_and_retry_decision(
    qtbot: QtBot, journal: DeletionJournal
) -> None:
    dialog = open_dialog(qtbot, journal)
    qtbot.keyClicks(dialog.search_edit, "jiro@")
    qtbot.waitUntil(lambda: dialog.operations_model.rowCount() == 1, timeout=10_000)
    assert rows(dialog.operations_model)[0][1] == "tanaka"
    entries = rows(dialog.entries_model)
    assert [row[1:4] for row in entries] == [
        ["taro@example.jp", "削除済み", ""],
        ["jiro@example.jp", "失敗", "サーバーエラー"],
    ]
    assert entries[0][4] == "宛先不明"
    assert dialog.retry_button.isEnabled()
    with qtbot.waitSignal(dialog.finished, timeout=10_000):
        qtbot.mouseClick(dialog.retry_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == HistoryDialog.RETRY
    assert dialog.retry_operation_id == journal.list_operations()[-1].id

    dialog = open_dialog(qtbot, journal)
    dialog.search_edit.setText("存在しない")
    qtbot.waitUntil(lambda: dialog.operations_model.rowCount() == 0, timeout=10_000)
    # The records exist, only none matches: saying 「まだありません」 made it look as if the
    # deletions had been lost.
    assert dialog.count_label.text() == (
        "条件に合う削除の記録はありません（検索の文字や期間を変えてください）。"
    )
    assert dialog.entries_model.rowCount() == 0
    dialog.search_edit.clear()
    dialog.start_edit.setDate(date(2026, 11, 4))
    qtbot.mouseClick(dialog.use_dates, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.operations_model.rowCount() == 1, timeout=10_000)
    assert rows(dialog.operations_model)[0][1] == "suzuki"


def test_an_empty_journal_says_there_are_no_records_yet(qtbot: QtBot, tmp_path: Path) -> None:
    empty = DeletionJournal(tmp_path / "empty.sqlite3")
    try:
        dialog = open_dialog(qtbot, empty)
        qtbot.waitUntil(lambda: dialog.count_label.text() != "", timeout=10_000)
        assert dialog.count_label.text() == "削除の記録はまだありません。"
    finally:
        empty.close()


def test_export_writes_the_listed_operations_formula_safe(
    qtbot: QtBot, journal: DeletionJournal, tmp_path: Path
) -> None:
    exporter = functools.partial(
        lambda j, path, ids: export_journal_xlsx(j, path, operation_ids=ids), journal
    )
    dialog = open_dialog(qtbot, journal, exporter=exporter)
    assert dialog.export_button.isEnabled()
    target = tmp_path / "削除履歴"
    assert dialog.export_to(target)
    written = target.with_name("削除履歴.xlsx")
    assert str(written) in dialog.status_label.text()
    with zipfile.ZipFile(written) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in archive.read(name)
    sheet = load_workbook(written)[ENTRIES_SHEET]
    assert sorted(row[2] for row in sheet.iter_rows(min_row=2, values_only=True)) == [
        "hanako@example.jp",
        "jiro@example.jp",
        "taro@example.jp",
    ]
    failing = open_dialog(qtbot, journal, exporter=exporter)
    assert not failing.export_to(tmp_path / "no-such-folder" / "x.xlsx")
    assert "書き出せませんでした" in failing.status_label.text()
    assert not open_dialog(qtbot, journal).export_button.isEnabled()


def test_export_suggests_the_home_folder_not_the_working_folder(
    qtbot: QtBot, journal: DeletionJournal, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Started by run.py, the working folder is the program's own: the save dialog opened there."""
    from PySide6.QtWidgets import QFileDialog

    asked: list[str] = []

    def answer(parent, caption, suggested, file_filter):  # Qt's modal dialog, answered
        asked.append(suggested)
        return "", ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(answer))
    exporter = functools.partial(
        lambda j, path, ids: export_journal_xlsx(j, path, operation_ids=ids), journal
    )
    dialog = open_dialog(qtbot, journal, exporter=exporter)
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    assert len(asked) == 1
    suggested = Path(asked[0])
    assert suggested.parent == Path.home()
    assert suggested.name.startswith("削除履歴_") and suggested.suffix == ".xlsx"


def test_a_practice_deletion_names_the_practice_server_not_its_port(
    qtbot: QtBot, tmp_path: Path
) -> None:
    from app.ui.delete import deletion_texts

    journal = DeletionJournal(tmp_path / "practice.sqlite3")
    for practice, host in ((False, "api.sendgrid.com"), (True, "127.0.0.1:40123")):
        operation = journal.create_operation(
            OperationMeta(practice=practice, base_host=host, os_user="tanaka"),
            [NewEntry(ListKind.BOUNCES, f"{host}@example.jp", CREATED)],
        )
        journal.set_state(operation, OperationState.DONE)
    dialog = open_dialog(qtbot, journal)
    details = []
    for row in range(dialog.operations_model.rowCount()):
        dialog.operations_view.selectRow(row)
        details.append(dialog.detail_label.text())
    practice_line, live_line = details  # newest first
    assert deletion_texts.HISTORY_PRACTICE_HOST in practice_line
    assert "127.0.0.1" not in practice_line
    assert "接続先: api.sendgrid.com" in live_line
    journal.close()
