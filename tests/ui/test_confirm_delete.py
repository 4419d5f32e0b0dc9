"""ConfirmDeleteDialog: texts per list, typed count, consent, Cancel as default, no request on
cancel (real provider against the sandbox)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog
from pytestqt.qtbot import QtBot

from app.core.deletion.plan import (
    WARNING_BLOCKS,
    WARNING_BOUNCE_RESUME,
    WARNING_INVALID,
    WARNING_SPAM,
    WARNING_UNSUBSCRIBES,
    DeletionContext,
    DeletionPlan,
    plan_deletion,
)
from app.core.deletion.run import DeletionReport, delete_with_record
from app.core.providers.sendgrid import SendGridProvider
from app.core.storage.journal import DeletionJournal
from app.core.types import Explanation, ListKind, SuppressionEntry
from app.sandbox.sendgrid_server import SandboxRecord, SendGridSandbox
from app.ui.delete.confirm_delete import ConfirmDeleteDialog, ask_delete_confirmation

API_KEY = "SG.ui-test-key"
CREATED = datetime(2026, 11, 3, tzinfo=UTC)
EXPECTED_WARNING = {
    ListKind.BOUNCES: WARNING_BOUNCE_RESUME,
    ListKind.BLOCKS: WARNING_BLOCKS,
    ListKind.INVALID_EMAILS: WARNING_INVALID,
    ListKind.SPAM_REPORTS: WARNING_SPAM,
    ListKind.UNSUBSCRIBES: WARNING_UNSUBSCRIBES,
}


def make_plan(
    count: int, kind: ListKind = ListKind.BOUNCES, permanent: bool = False
) -> DeletionPlan:
    explanation = Explanation("userunknown", "Invalid Address", permanent, "宛先不明", "", "")
    return plan_deletion(
        (
            (SuppressionEntry(kind, f"user{i}@example.jp", CREATED), explanation)
            for i in range(count)
        ),
        provider="sendgrid",
    )


def open_dialog(qtbot: QtBot, plan: DeletionPlan, practice: bool = False) -> ConfirmDeleteDialog:
    dialog = ConfirmDeleteDialog(plan, practice=practice)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


@pytest.mark.parametrize("kind", list(ListKind))
def test_each_list_shows_its_warning_counts_addresses_and_irreversibility(
    qtbot: QtBot, kind: ListKind
) -> None:
    dialog = open_dialog(qtbot, make_plan(3, kind, permanent=True))
    warnings = [label.text() for label in dialog.warning_labels]
    assert any(EXPECTED_WARNING[kind] in text for text in warnings)
    assert all(label.textFormat() is Qt.TextFormat.PlainText for label in dialog.warning_labels)
    if kind is ListKind.BOUNCES:
        assert any("3 件" in text and "レピュテーション" in text for text in warnings)
    assert [label.text() for label in dialog.count_labels] == [f"・{kind.label_ja}: 3 件"]
    listing = dialog.addresses.toPlainText()
    assert all(f"user{i}@example.jp" in listing for i in range(3))
    assert dialog.addresses.isReadOnly()
    assert dialog.irreversible_label.text() == "SendGrid では削除した項目を元に戻せません。"
    assert dialog.delete_button.text() == "削除する"
    assert dialog.cancel_button.isDefault() and not dialog.delete_button.isDefault()
    assert (dialog.consent_box is not None) == (
        kind in (ListKind.SPAM_REPORTS, ListKind.UNSUBSCRIBES)
    )
    assert not dialog.practice_banner_shown


def test_typed_count_gates_the_delete_button(qtbot: QtBot) -> None:
    dialog = open_dialog(qtbot, make_plan(120))
    assert dialog.count_edit is not None and dialog.count_hint is not None
    assert not dialog.delete_button.isEnabled()
    with qtbot.assertNotEmitted(dialog.accepted):
        qtbot.mouseClick(dialog.delete_button, Qt.MouseButton.LeftButton)  # disabled: nothing
    assert dialog.isVisible()
    qtbot.keyClicks(dialog.count_edit, "12")
    assert not dialog.delete_button.isEnabled()
    assert dialog.count_hint.text()  # "does not match"
    qtbot.keyClicks(dialog.count_edit, "1")
    assert not dialog.delete_button.isEnabled()
    dialog.count_edit.clear()
    # Full-width digits, as a Japanese IME commits them (QTest can only type ASCII keys).
    dialog.count_edit.insert("１２０")
    assert dialog.delete_button.isEnabled()
    assert dialog.count_hint.text() == ""
    dialog.note_edit.insert("住民から連絡あり")
    with qtbot.waitSignal(dialog.accepted, timeout=10_000):
        qtbot.mouseClick(dialog.delete_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.note == "住民から連絡あり"


def test_below_100_needs_no_typed_count(qtbot: QtBot) -> None:
    dialog = open_dialog(qtbot, make_plan(99))
    assert dialog.count_edit is None
    assert dialog.delete_button.isEnabled()


def test_enter_cancels_even_with_the_count_typed_or_focus_on_delete(qtbot: QtBot) -> None:
    dialog = open_dialog(qtbot, make_plan(100))
    assert dialog.count_edit is not None
    qtbot.keyClicks(dialog.count_edit, "100")
    assert dialog.delete_button.isEnabled()
    with qtbot.assertNotEmitted(dialog.accepted), qtbot.waitSignal(dialog.rejected, timeout=10_000):
        qtbot.keyClick(dialog.count_edit, Qt.Key.Key_Return)
    assert not dialog.isVisible()

    dialog = open_dialog(qtbot, make_plan(2))
    dialog.delete_button.setFocus()
    with qtbot.assertNotEmitted(dialog.accepted), qtbot.waitSignal(dialog.rejected, timeout=10_000):
        qtbot.keyClick(dialog.delete_button, Qt.Key.Key_Enter)
    assert not dialog.isVisible()


@pytest.mark.parametrize("kind", [ListKind.SPAM_REPORTS, ListKind.UNSUBSCRIBES])
def test_consent_tick_box_is_required(qtbot: QtBot, kind: ListKind) -> None:
    dialog = open_dialog(qtbot, make_plan(150, kind))
    assert dialog.consent_box is not None and dialog.count_edit is not None
    qtbot.keyClicks(dialog.count_edit, "150")
    assert not dialog.delete_button.isEnabled()  # count typed, consent missing
    qtbot.mouseClick(dialog.consent_box, Qt.MouseButton.LeftButton)
    assert dialog.consent_given
    assert dialog.delete_button.isEnabled()
    qtbot.mouseClick(dialog.consent_box, Qt.MouseButton.LeftButton)
    assert not dialog.delete_button.isEnabled()


def test_practice_mode_is_labelled(qtbot: QtBot) -> None:
    dialog = open_dialog(qtbot, make_plan(1), practice=True)
    assert dialog.practice_banner_shown
    assert "練習" in dialog.windowTitle()


def test_the_note_is_called_what_the_deletion_history_calls_it(qtbot: QtBot) -> None:
    """削除履歴 shows and searches the typed text as メモ; labelled 理由 here it was also the
    name of the grid's column for the server's reply."""
    from PySide6.QtWidgets import QFormLayout, QLabel

    from app.ui.delete import deletion_texts

    dialog = open_dialog(qtbot, make_plan(1))
    form = dialog.note_edit.parentWidget().findChildren(QFormLayout)
    labels = [
        item.widget().text()
        for layout in form
        for row in range(layout.rowCount())
        if (item := layout.itemAt(row, QFormLayout.ItemRole.LabelRole)) and item.widget()
        if isinstance(item.widget(), QLabel)
    ]
    note_label = next(text for text in labels if "削除履歴に残ります" in text)
    memo = deletion_texts.HISTORY_OPERATION_HEADERS[-1]
    assert note_label.startswith(memo)
    assert memo in deletion_texts.HISTORY_SEARCH_PLACEHOLDER
    assert not note_label.startswith("理由")


# -- the window-less flow against the sandbox --------------------------------------------------


@pytest.fixture
def sandbox() -> Iterator[SendGridSandbox]:
    records = [
        SandboxRecord("bounces", f"user{i}@example.jp", int(CREATED.timestamp()), "550 unknown")
        for i in range(3)
    ]
    server = SendGridSandbox(records=records, api_keys={API_KEY: None})
    server.start()
    yield server
    server.stop()


def confirm_then_delete(
    plan: DeletionPlan,
    sandbox: SendGridSandbox,
    journal: DeletionJournal,
    confirm: Callable[[DeletionPlan], str | None],
) -> DeletionReport | None:
    """What the controller does: ask, and only on a confirmation build a client and delete."""
    note = confirm(plan)
    if note is None:
        return None
    with SendGridProvider(API_KEY, base_url=sandbox.base_url, max_retries=0) as provider:
        return delete_with_record(provider, journal, plan, context=DeletionContext(note=note))


def click_in_modal(qtbot: QtBot, button_name: str) -> None:
    """Once the modal dialog's event loop runs, click one of its buttons like a user."""

    def click() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, ConfirmDeleteDialog):  # never hang inside exec()
            if dialog is not None:
                dialog.close()
            return
        qtbot.mouseClick(getattr(dialog, button_name), Qt.MouseButton.LeftButton)

    QTimer.singleShot(0, click)


def test_cancel_sends_no_request_and_records_nothing(
    qtbot: QtBot, sandbox: SendGridSandbox, tmp_path: Path
) -> None:
    journal = DeletionJournal(tmp_path / "journal.sqlite3")
    plan = make_plan(3)
    click_in_modal(qtbot, "cancel_button")
    assert confirm_then_delete(plan, sandbox, journal, ask_delete_confirmation) is None
    assert [r for r in sandbox.request_log if r.method == "DELETE"] == []
    assert len(sandbox.records("bounces")) == 3
    assert journal.list_operations() == ()

    # Control: the same flow with 削除する does reach the server.
    click_in_modal(qtbot, "delete_button")
    report = confirm_then_delete(plan, sandbox, journal, ask_delete_confirmation)
    assert report is not None and not report.failed
    assert len([r for r in sandbox.request_log if r.method == "DELETE"]) == 1
    assert sandbox.records("bounces") == []
    journal.close()


@pytest.mark.parametrize(
    ("provider", "live", "irreversible"),
    [
        ("cmc", "実際のカスタマーズメールクラウドアカウント", "カスタマーズメールクラウドでは"),
        ("ses", "実際の Amazon SES アカウント", "Amazon SES では"),
        ("", "実際の配信サービスアカウント", "配信サービスでは"),
    ],
)
def test_the_dialog_names_the_provider_the_deletion_goes_to(
    qtbot: QtBot, provider: str, live: str, irreversible: str
) -> None:
    # The same dialog deletes from CMC, Infobip and SES accounts: it said SendGrid for all.
    explanation = Explanation("userunknown", "", True, "宛先不明", "", "")
    entry = SuppressionEntry(ListKind.BOUNCES, "user@example.jp", CREATED)
    dialog = open_dialog(qtbot, plan_deletion([(entry, explanation)], provider=provider))
    assert live in dialog.mode_banner.text()
    assert dialog.irreversible_label.text().startswith(irreversible)
    assert "SendGrid" not in dialog.mode_banner.text() + dialog.irreversible_label.text()
