"""Issue 13, the dialogs an operator meets on the first day: the delete result table, the live
delete confirmation (fits 1366×768, keeps still, shows 本番), 接続テスト's lines, the settings
dialog's texts and base URL."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from app.core.deletion.run import DeletionReport
from app.core.types import DeleteOutcome, DeleteStatus, ListKind
from app.ui.delete import deletion_texts
from app.ui.delete.delete_result import DeleteResultDialog


def _outcomes(kind: ListKind, deleted: int, not_found: int, failed: int) -> list[DeleteOutcome]:
    statuses = (
        [DeleteStatus.DELETED] * deleted
        + [DeleteStatus.NOT_FOUND] * not_found
        + [DeleteStatus.FAILED] * failed
    )
    return [
        DeleteOutcome(kind, f"{kind.value}{n}@example.jp", status)
        for n, status in enumerate(statuses)
    ]


def test_result_numbers_sit_under_their_headers(qtbot: QtBot) -> None:
    report = DeletionReport(
        1, tuple(_outcomes(ListKind.BOUNCES, 3, 1, 0) + _outcomes(ListKind.BLOCKS, 12, 0, 2))
    )
    dialog = DeleteResultDialog(report)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    headers = dialog.header_labels
    assert [h.text() for h in headers] == list(deletion_texts.RESULT_HEADERS)
    for row in dialog.value_labels:
        for column in (1, 2, 3):
            header, value = headers[column], row[column]
            # Same cell, same alignment: the number ends where its header ends.
            assert value.geometry().left() == header.geometry().left()
            assert value.geometry().right() == header.geometry().right()
            assert value.alignment() & Qt.AlignmentFlag.AlignRight
            assert header.alignment() & Qt.AlignmentFlag.AlignRight
            # The column is as wide as its widest text, not spread over the dialog's width.
            assert header.width() <= max(header.sizeHint().width(), value.sizeHint().width()) + 4
    assert [label.text() for label in dialog.value_labels[0]] == ["バウンス", "3", "1", "0"]
    dialog.done(QDialog.DialogCode.Rejected)
