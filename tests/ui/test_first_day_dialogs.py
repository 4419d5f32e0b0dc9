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


def _settings_dialog(qtbot: QtBot, *, persistent: bool = False):
    from app.core.storage.settings import AppSettings
    from app.ui.connection.settings_dialog import SettingsDialog

    dialog = SettingsDialog(
        AppSettings(),
        saved_sendgrid_key="SG.saved-key-abcd",
        saved_llm_key="",
        keys_persistent=persistent,
        key_store_where_ja="メモリ内（アプリを閉じると消えます）",
    )
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_connection_test_lines_show_without_resizing(qtbot: QtBot) -> None:
    from app.core.types import ALL_LISTS, ListPermissions

    dialog = _settings_dialog(qtbot)
    assert not dialog.test_result.isVisible()  # no empty row before a test
    dialog.advanced_box.setChecked(True)  # every section open
    before = dialog.height()
    dialog.show_test_result(tuple(ListPermissions(kind, True, False) for kind in ALL_LISTS))
    qtbot.wait(10)
    label = dialog.test_result
    assert len(label.text().splitlines()) == 1 + len(ALL_LISTS)
    # Every line is visible: the label got the height its text needs at its width, and lies
    # inside the dialog.
    assert label.height() >= label.heightForWidth(label.width())
    assert label.mapTo(dialog, label.rect().bottomLeft()).y() <= dialog.height()
    assert dialog.height() >= before
    assert dialog.height() <= 720  # with its title bar, still on a 768-px screen
    for label in (dialog.llm_note, dialog.store_warning):
        assert label.height() >= label.heightForWidth(label.width())


def test_settings_dialog_says_things_once_and_never_points_to_itself(qtbot: QtBot) -> None:
    from app.core.errors import AuthError

    dialog = _settings_dialog(qtbot)
    shown = [dialog.store_label, dialog.store_warning]
    visible = [label.text() for label in shown if label.isVisible()]
    assert visible == [dialog.store_warning.text()]  # the keyring message once
    dialog.show_test_result(AuthError())
    assert "設定画面" not in dialog.test_result.text()
    assert "この画面で" in dialog.test_result.text()
    persistent = _settings_dialog(qtbot, persistent=True)
    assert persistent.store_label.isVisible() and not persistent.store_warning.isVisible()


def _big_plan():
    """All five lists, 150 entries: every warning, the consent box and the typed count."""
    from datetime import UTC, datetime

    from app.core.deletion.plan import plan_deletion
    from app.core.types import ALL_LISTS, Explanation, SuppressionEntry

    created = datetime(2026, 11, 3, tzinfo=UTC)
    explanation = Explanation("userunknown", "Invalid Address", True, "x", "y", "z")
    return plan_deletion(
        (SuppressionEntry(kind, f"{kind.value}{n}@example.jp", created), explanation)
        for kind in ALL_LISTS
        for n in range(30)
    )


def test_live_delete_dialog_fits_a_laptop_keeps_still_and_says_honban(qtbot: QtBot) -> None:
    from app.ui.delete.confirm_delete import ConfirmDeleteDialog

    plan = _big_plan()
    assert plan.requires_typed_confirmation and plan.requires_consent
    dialog = ConfirmDeleteDialog(plan, practice=False)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    # 768 px screen, minus a task bar and the title bar (~70 px): the dialog and its minimum.
    assert dialog.height() <= 680 and dialog.minimumSizeHint().height() <= 680
    assert dialog.width() <= 1366
    assert dialog.mode_banner.isVisible() and "本番" in dialog.mode_banner.text()
    assert dialog.mode_banner.objectName() == "liveBanner"
    # Every warning line is shown whole.
    for label in dialog.warning_labels:
        assert label.height() >= label.heightForWidth(label.width())
    assert dialog.count_edit is not None and dialog.count_hint is not None
    before = (dialog.size(), dialog.note_edit.geometry(), dialog.delete_button.geometry())
    dialog.count_edit.setText("12")  # the mismatch note appears
    qtbot.wait(10)
    assert dialog.count_hint.isVisible() and dialog.count_hint.text()
    after = (dialog.size(), dialog.note_edit.geometry(), dialog.delete_button.geometry())
    assert after == before
    dialog.count_edit.setText("150")
    qtbot.wait(10)
    assert (dialog.size(), dialog.note_edit.geometry()) == before[:2]


def test_practice_delete_dialog_keeps_its_yellow_banner(qtbot: QtBot) -> None:
    from app.ui.delete.confirm_delete import ConfirmDeleteDialog

    dialog = ConfirmDeleteDialog(_big_plan(), practice=True)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.mode_banner.objectName() == "practiceBanner"
    assert "本番" not in dialog.mode_banner.text()
    assert dialog.height() <= 680


def test_a_whole_date_typed_over_a_select_all_is_taken(qtbot: QtBot) -> None:
    from datetime import date

    from PySide6.QtCore import QDate, QLocale

    from app.ui.widgets.date_edit import JapaneseDateEdit

    QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
    try:
        edit = JapaneseDateEdit(date(2026, 1, 9))
        qtbot.addWidget(edit)
        edit.show()
        edit.setFocus()
        for typed in ("2026/11/05", "20250302"):
            edit.lineEdit().selectAll()
            qtbot.keyClicks(edit, typed)
            assert edit.date() == QDate.fromString(typed.replace("/", ""), "yyyyMMdd"), edit.text()
        # Japanese whatever the OS locale: week from Sunday, Japanese day names.
        calendar = edit.calendarWidget()
        assert calendar.firstDayOfWeek() is Qt.DayOfWeek.Sunday
        assert calendar.locale().language() is QLocale.Language.Japanese
        assert calendar.locale().dayName(7, QLocale.FormatType.ShortFormat) == "日"
        assert edit.locale().language() is QLocale.Language.Japanese
        qtbot.keyClick(edit, Qt.Key.Key_Return)  # the typed form is shown as yyyy/MM/dd
        assert edit.text() == "2025/03/02"
        edit.lineEdit().selectAll()
        qtbot.keyClicks(edit, "2025/13/40")  # no such date: the last good one stays
        qtbot.keyClick(edit, Qt.Key.Key_Return)
        assert edit.date() == QDate(2025, 3, 2)
    finally:
        QLocale.setDefault(QLocale(QLocale.Language.Japanese, QLocale.Country.Japan))


def test_base_url_setting_is_validated_tested_and_used_by_fetch(
    qtbot: QtBot, make_window, secrets, live_sandbox
) -> None:
    from PySide6.QtWidgets import QDialogButtonBox

    from app.core.storage.secrets import SENDGRID_KEY
    from app.ui import texts
    from tests.helpers.ui import TEST_KEY, fetch

    typed_url = live_sandbox.base_url + "/v3/"
    seen: dict[str, object] = {}

    def run_dialog(dialog) -> bool:
        qtbot.addWidget(dialog)
        dialog.show()
        save = dialog.buttons.button(QDialogButtonBox.StandardButton.Save)
        assert not dialog.advanced_box.isChecked()  # folded until needed
        dialog.advanced_box.setChecked(True)
        dialog.key_edit.setText(TEST_KEY)
        dialog.base_url_edit.setText("http://sendgrid-proxy.example.co.jp")
        qtbot.mouseClick(save, Qt.MouseButton.LeftButton)
        seen["refused"] = dialog.base_url_error.text()
        seen["still_open"] = dialog.result() != QDialog.DialogCode.Accepted
        dialog.base_url_edit.setText(typed_url)
        live_sandbox.clear_log()
        qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: texts.SETTINGS_TEST_OK in dialog.test_result.text(), timeout=5000)
        seen["tested"] = [r.path for r in live_sandbox.request_log]
        qtbot.mouseClick(save, Qt.MouseButton.LeftButton)
        return dialog.result() == QDialog.DialogCode.Accepted

    window = make_window(run_settings_dialog=run_dialog)  # no test override of the live URL
    window.open_settings()
    assert "http://" in str(seen["refused"]) and seen["still_open"]
    assert seen["tested"] == ["/v3/scopes"]  # the test went to the typed URL, before saving
    assert secrets.get(SENDGRID_KEY) == TEST_KEY
    assert window.controller.settings.sendgrid_base_url == live_sandbox.base_url
    assert window.controller.connection.set_practice(False)
    assert window.controller.connection.config().base_url == live_sandbox.base_url
    live_sandbox.clear_log()
    fetch(qtbot, window)
    assert window.model.total > 0
    assert any(r.path.startswith("/v3/suppression/") for r in live_sandbox.request_log)
