"""AI settings: checked as typed in the 設定 dialog (the SendGrid 接続先 URL's own rules), and a
fetch in 本番 with AI on but unusable, or with an endpoint that refuses, says so once in the
status bar and the log while the rule explanations stay."""

from __future__ import annotations

import logging
import socket

import pytest
from PySide6.QtWidgets import QDialog, QDialogButtonBox
from pytestqt.qtbot import QtBot

from app.core.storage.secrets import LLM_KEY, SENDGRID_KEY
from app.core.storage.settings import AppSettings
from app.ui import texts
from app.ui.connection.settings_dialog import SettingsDialog
from tests.helpers.ui import TEST_KEY, fetch

REFINE_TIMEOUT_MS = 20_000


def _dialog(qtbot: QtBot, *, practice: bool, settings: AppSettings | None = None):
    dialog = SettingsDialog(
        settings or AppSettings(),
        saved_sendgrid_key="SG.saved-key-abcd",
        saved_llm_key="",
        keys_persistent=True,
        key_store_where_ja="テスト",
        practice=practice,
    )
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def _save(dialog: SettingsDialog) -> None:
    dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()


def test_ai_on_needs_a_usable_url_and_a_model(qtbot: QtBot) -> None:
    """The review's case: 「abc def」 and no model were saved while, in the same dialog, the
    SendGrid 接続先 URL was refused for less."""
    dialog = _dialog(qtbot, practice=False)
    dialog.llm_enabled.setChecked(True)
    qtbot.keyClicks(dialog.llm_base_url, "abc def")
    assert dialog.llm_url_error.isVisible() and dialog.llm_model_error.isVisible()
    assert "AI の接続先 URL の形式が正しくありません" in dialog.llm_url_error.text()
    assert "モデル名" in dialog.llm_model_error.text()
    _save(dialog)
    assert dialog.isVisible() and dialog.result() != QDialog.DialogCode.Accepted
    assert dialog.focusWidget() is dialog.llm_base_url

    # Plain http to another machine would carry the AI key unencrypted, as for SendGrid.
    dialog.llm_base_url.setText("http://llm.example.co.jp/v1")
    assert "http://" in dialog.llm_url_error.text()
    dialog.llm_base_url.setText("https://llm.example.co.jp/v1")
    assert not dialog.llm_url_error.isVisible()
    _save(dialog)
    assert dialog.isVisible() and dialog.focusWidget() is dialog.llm_model
    qtbot.keyClicks(dialog.llm_model, "gpt-4o-mini")
    assert not dialog.llm_model_error.isVisible()
    _save(dialog)
    assert dialog.result() == QDialog.DialogCode.Accepted
    saved = dialog.result_settings()
    assert saved.llm_enabled and saved.llm_model == "gpt-4o-mini"


def test_ai_off_checks_nothing_and_ai_on_names_stored_values(qtbot: QtBot) -> None:
    stored = AppSettings().replace(llm_enabled=False, llm_base_url="abc def")
    dialog = _dialog(qtbot, practice=False, settings=stored)
    assert not dialog.llm_url_error.isVisible() and not dialog.llm_model_error.isVisible()
    dialog.llm_enabled.setChecked(True)
    assert dialog.llm_url_error.isVisible() and dialog.llm_model_error.isVisible()
    dialog.llm_enabled.setChecked(False)
    assert not dialog.llm_url_error.isVisible()
    _save(dialog)
    assert dialog.result() == QDialog.DialogCode.Accepted


def test_practice_mode_can_switch_ai_on_without_an_endpoint(qtbot: QtBot) -> None:
    """Practice asks the built-in imitation: AI on needs nothing typed; what is typed for 本番
    is still checked."""
    dialog = _dialog(qtbot, practice=True)
    dialog.llm_enabled.setChecked(True)
    assert not dialog.llm_url_error.isVisible() and not dialog.llm_model_error.isVisible()
    qtbot.keyClicks(dialog.llm_base_url, "abc def")
    assert dialog.llm_url_error.isVisible() and dialog.llm_model_error.isVisible()
    _save(dialog)
    assert dialog.isVisible()
    dialog.llm_base_url.clear()
    _save(dialog)
    assert dialog.result() == QDialog.DialogCode.Accepted


def _closed_port() -> int:
    """A loopback port nothing listens on (bound, then released): connecting is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def live_window(make_window, secrets, live_sandbox):
    def make(**llm_settings):
        secrets.set(SENDGRID_KEY, TEST_KEY)
        window = make_window(live_base_url=live_sandbox.base_url)
        assert window.controller.connection.set_practice(False)
        keeper = window.controller.settings_keeper
        keeper.store(keeper.current.replace(llm_enabled=True, **llm_settings))
        return window

    return make


def _fetch_and_wait(qtbot, window) -> None:
    fetch(qtbot, window)
    llm = window.controller.llm
    qtbot.waitUntil(lambda: not llm.is_running(), timeout=REFINE_TIMEOUT_MS)


def _rule_explanations_shown(window) -> bool:
    model = window.model
    rows = [model.explanation_at(row) for row in range(model.rowCount())]
    return bool(rows) and all(x is not None and x.source == "rules" for x in rows)


def test_ai_on_but_not_set_up_says_so_after_a_fetch(qtbot, live_window, caplog) -> None:
    """It said 「AI への問い合わせ: 0 回」 (an earlier fetch's note) or nothing, and the log
    had no AI line."""
    window = live_window(llm_base_url="abc def", llm_model="")
    with caplog.at_level(logging.WARNING, logger="app.ui.ai.controller"):
        _fetch_and_wait(qtbot, window)
    label = window.status_bar.ai_label
    assert label.text() == texts.LLM_NOT_SET_UP
    assert "AI の接続先 URL の形式が正しくありません" in label.toolTip()
    assert "モデル名を入力してください" in label.toolTip()
    assert [r for r in caplog.records if "not run" in r.getMessage()]
    assert _rule_explanations_shown(window)
    assert not window.status_panel.isVisible()  # a note, never an error panel


def test_ai_on_without_a_key_says_so(qtbot, live_window, caplog) -> None:
    window = live_window(llm_base_url="https://llm.example.invalid/v1", llm_model="m")
    with caplog.at_level(logging.WARNING, logger="app.ui.ai.controller"):
        _fetch_and_wait(qtbot, window)
    label = window.status_bar.ai_label
    assert label.text() == texts.LLM_NOT_SET_UP
    assert texts.LLM_NO_KEY in label.toolTip()
    assert [r for r in caplog.records if "not run" in r.getMessage()]
    assert _rule_explanations_shown(window)


def test_an_endpoint_that_refuses_is_reported_once(qtbot, live_window, secrets, caplog) -> None:
    secrets.set(LLM_KEY, "sk-test-refused")
    port = _closed_port()
    window = live_window(llm_base_url=f"http://127.0.0.1:{port}/v1", llm_model="m")
    notes: list[str] = []
    window.controller.llm.done.connect(notes.append)
    with caplog.at_level(logging.WARNING):
        _fetch_and_wait(qtbot, window)
    result = window.controller.llm.last_result
    assert result is not None and result.requests_made > 0 and result.templates_unanswered > 0
    label = window.status_bar.ai_label
    assert label.text() == texts.LLM_UNANSWERED.format(requests=result.requests_made)
    assert label.toolTip() and "接続先 URL" in label.toolTip()
    assert notes == [label.text()]  # once for the fetch
    assert [r for r in caplog.records if "connection failed" in r.getMessage()]
    assert _rule_explanations_shown(window)
    assert not window.status_panel.isVisible()
