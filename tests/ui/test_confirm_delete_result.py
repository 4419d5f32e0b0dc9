"""DeleteResultDialog after a partial failure from the sandbox: failures listed, retry works."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QLabel
from pytestqt.qtbot import QtBot

from app.core.deletion.plan import DeletionContext, plan_deletion
from app.core.deletion.run import delete_with_record, retry_failed
from app.core.providers.sendgrid import SendGridProvider
from app.core.storage.journal import DeletionJournal
from app.core.types import ListKind, SuppressionEntry
from app.sandbox.sendgrid_server import SandboxRecord, SendGridSandbox
from app.ui.delete.delete_result import DeleteResultDialog

API_KEY = "SG.ui-test-key"
CREATED = datetime(2026, 11, 3, tzinfo=UTC)
ADDRESSES = ["a@example.jp", "b@example.jp", "c@example.jp"]


@pytest.fixture
def sandbox() -> Iterator[SendGridSandbox]:
    records = [
        SandboxRecord("blocks", email, int(CREATED.timestamp()), "timeout") for email in ADDRESSES
    ]
    server = SendGridSandbox(records=records, api_keys={API_KEY: None})
    server.start()
    yield server
    server.stop()


def test_partial_failure_is_shown_and_retry_clears_it(
    qtbot: QtBot, sandbox: SendGridSandbox, tmp_path: Path
) -> None:
    journal = DeletionJournal(tmp_path / "journal.sqlite3")
    plan = plan_deletion((SuppressionEntry(ListKind.BLOCKS, e, CREATED), None) for e in ADDRESSES)
    context = DeletionContext(practice=True)
    with SendGridProvider(API_KEY, base_url=sandbox.base_url, max_retries=0) as provider:
        sandbox.fail_next(3, 500, path_prefix="/v3/suppression/blocks")  # chunk + 2 single
        report = delete_with_record(provider, journal, plan, context=context)

        seen: dict[str, object] = {}

        def click_retry() -> None:
            # Only read and click here: an assertion failing inside exec() would hang the test.
            dialog = QApplication.activeModalWidget()
            if not isinstance(dialog, DeleteResultDialog) or dialog.failures is None:
                if dialog is not None:
                    dialog.close()
                return
            seen["listing"] = dialog.failures.toPlainText().splitlines()
            seen["summary"] = dialog.summary_label.text()
            qtbot.mouseClick(dialog.retry_button, Qt.MouseButton.LeftButton)

        dialog = DeleteResultDialog(report)
        qtbot.addWidget(dialog)
        QTimer.singleShot(0, click_retry)
        assert dialog.exec() == DeleteResultDialog.RETRY
        assert dialog.retry_requested
        listing = seen["listing"]
        assert isinstance(listing, list)
        assert [line.split("\t")[1] for line in listing] == ADDRESSES[:2]
        assert all(line.split("\t")[2] for line in listing)  # a reason per failure
        assert "2 件は削除できませんでした" in str(seen["summary"])

        retry = retry_failed(provider, journal, report.operation_id, context=context)
    assert not retry.failed and [o.email for o in retry.outcomes] == ADDRESSES[:2]
    assert sandbox.records("blocks") == []

    done = DeleteResultDialog(retry)
    qtbot.addWidget(done)
    done.show()
    assert not done.retry_button.isEnabled()
    assert done.retry_button.isHidden()
    assert done.failures is None
    assert "すべてをリストから削除しました" in done.summary_label.text()
    assert "練習モード" in " ".join(
        label.text() for label in done.findChildren(type(done.summary_label))
    )
    with qtbot.waitSignal(done.rejected, timeout=10_000):
        qtbot.keyClick(done, Qt.Key.Key_Return)  # Enter closes; it never retries
    assert done.result() == QDialog.DialogCode.Rejected
    journal.close()


def test_failure_listing_pastes_into_a_spreadsheet_as_text(qtbot: QtBot, tmp_path: Path) -> None:
    """The listing is tab-separated "to paste into Excel as three columns"; the addresses came
    from the provider, and Excel reads a pasted cell as if typed, so an address starting with
    = - + @ became a formula there. Each cell is guarded like the grid's copy."""
    hostile = ["=1+2@example.jp", "-3+4@example.jp"]
    records = [
        SandboxRecord("blocks", email, int(CREATED.timestamp()), "timeout") for email in hostile
    ]
    server = SendGridSandbox(records=records, api_keys={API_KEY: None})
    server.start()
    try:
        journal = DeletionJournal(tmp_path / "journal.sqlite3")
        plan = plan_deletion((SuppressionEntry(ListKind.BLOCKS, e, CREATED), None) for e in hostile)
        with SendGridProvider(API_KEY, base_url=server.base_url, max_retries=0) as provider:
            server.fail_next(3, 500, path_prefix="/v3/suppression/blocks")
            report = delete_with_record(
                provider, journal, plan, context=DeletionContext(practice=True)
            )
    finally:
        server.stop()
    dialog = DeleteResultDialog(report)
    qtbot.addWidget(dialog)
    assert dialog.failures is not None
    cells = [line.split("\t")[1] for line in dialog.failures.toPlainText().splitlines()]
    assert cells == ["'=1+2@example.jp", "'-3+4@example.jp"]


def test_a_practice_result_names_the_provider_it_did_not_touch(qtbot: QtBot) -> None:
    from app.core.deletion.run import DeletionReport

    dialog = DeleteResultDialog(DeletionReport(1, (), practice=True, provider="infobip"))
    qtbot.addWidget(dialog)
    shown = [label.text() for label in dialog.findChildren(type(dialog.summary_label))]
    assert any("実際の Infobip には影響していません" in text for text in shown), shown
    assert not any("SendGrid" in text for text in shown)


def test_a_clean_result_is_as_tall_as_its_lines(
    qtbot: QtBot, sandbox: SendGridSandbox, tmp_path: Path
) -> None:
    """Without failures the dialog was a fixed 260 px: its six lines sat in a window twice
    their height, each label spread over a blank band. Now it is as tall as its lines (and no
    line is squeezed either)."""
    journal = DeletionJournal(tmp_path / "journal.sqlite3")
    plan = plan_deletion((SuppressionEntry(ListKind.BLOCKS, e, CREATED), None) for e in ADDRESSES)
    with SendGridProvider(API_KEY, base_url=sandbox.base_url, max_retries=0) as provider:
        report = delete_with_record(provider, journal, plan, context=DeletionContext(practice=True))
    journal.close()
    assert not report.failed and not report.conflicts
    dialog = DeleteResultDialog(report)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    labels = dialog.findChildren(QLabel)
    assert len(labels) >= 10  # summary, practice, four headers, four values, recorded
    tallest = max(label.sizeHint().height() for label in labels)  # a grid row is its tallest
    for label in labels:
        assert label.height() <= tallest, label.text()
    assert dialog.height() == dialog.sizeHint().height()
