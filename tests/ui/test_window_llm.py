"""AI refinement from the main window: a practice fetch, then the real refiner and `openai` client
against the OpenAI-compatible sandbox over loopback; cache, privacy and hostile replies."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from PySide6.QtCore import QItemSelectionModel
from PySide6.QtWidgets import QApplication, QDialog

from app.sandbox.openai_server import OpenAISandbox, ScriptedReply
from app.ui import texts
from app.ui.ai import CACHE_FILE
from tests.helpers.ui import fetch

REFINE_TIMEOUT_MS = 20_000


class LlmSandboxFactory:
    """Builds the OpenAI sandbox the controller starts in practice mode, and remembers it."""

    def __init__(self, latency_ms: float = 0) -> None:
        self.latency_ms = latency_ms
        self.sandbox: OpenAISandbox | None = None
        self.built = 0
        self.pending_script: tuple[ScriptedReply, ...] = ()

    def __call__(self) -> OpenAISandbox:
        self.built += 1
        self.sandbox = OpenAISandbox(latency_ms=self.latency_ms)
        if self.pending_script:
            self.sandbox.script(*self.pending_script)
        return self.sandbox


@pytest.fixture
def llm_factory() -> LlmSandboxFactory:
    return LlmSandboxFactory()


def enable_llm(tmp_path: Path, enabled: bool = True) -> None:
    settings = tmp_path / "data" / "settings.json"
    settings.parent.mkdir(parents=True, exist_ok=True)
    settings.write_text(json.dumps({"llm_enabled": enabled}), encoding="utf-8")


def fetch_and_refine(qtbot, window) -> None:
    """Fetch, then wait until the refinement that follows it (if any) has ended."""
    llm = window.controller.llm
    fetch(qtbot, window)
    qtbot.waitUntil(lambda: not llm.is_running(), timeout=REFINE_TIMEOUT_MS)


def explanations(window) -> list:
    model = window.model
    return [model.explanation_at(row) for row in range(model.rowCount())]


def user_messages(sandbox: OpenAISandbox) -> list[str]:
    """The user message of every chat request, decoded (the masked reason texts live there)."""
    found = []
    for request in sandbox.chat_requests:
        for message in request.body["messages"]:
            if message["role"] == "user":
                found.append(message["content"])
    return found


def test_refined_explanations_reach_the_grid_and_the_details(
    qtbot, make_window, tmp_path: Path, llm_factory
) -> None:
    enable_llm(tmp_path)
    window = make_window(llm_sandbox_factory=llm_factory)
    fetch_and_refine(qtbot, window)

    sandbox = llm_factory.sandbox
    assert sandbox is not None and sandbox.chat_requests
    result = window.controller.llm.last_result
    assert result is not None and result.requests_made == len(sandbox.chat_requests)
    rows = explanations(window)
    refined = [row for row, x in enumerate(rows) if x is not None and x.source == "llm"]
    assert refined, "no row was refined"
    assert window.status_bar.ai_label.text() == texts.LLM_DONE.format(
        requests=result.requests_made, cached=0
    )
    assert not window.status_bar.ai_cancel_button.isVisible()
    # The grid shows the refined text, and the details pane names the source.
    row = refined[0]
    model = window.model
    assert model.index(row, 7).data() == rows[row].explanation_ja.replace("\n", " ")
    window.table.selectionModel().setCurrentIndex(
        model.index(row, 2), QItemSelectionModel.SelectionFlag.ClearAndSelect
    )
    details = window.list_page.details.toPlainText()
    assert f"説明の出典: {texts.SOURCE_LLM}\n" in details
    assert rows[row].explanation_ja in details
    assert model.entry_at(row).reason in details  # the raw text stays visible
    rules_rows = [r for r, x in enumerate(rows) if x is not None and x.source == "rules"]
    if rules_rows:
        window.table.selectionModel().setCurrentIndex(
            model.index(rules_rows[0], 2), QItemSelectionModel.SelectionFlag.ClearAndSelect
        )
        assert f"説明の出典: {texts.SOURCE_RULES}\n" in window.list_page.details.toPlainText()
    assert (tmp_path / "data" / CACHE_FILE).is_file()


def test_no_recipient_address_reaches_the_llm(
    qtbot, make_window, tmp_path: Path, llm_factory
) -> None:
    enable_llm(tmp_path)
    window = make_window(llm_sandbox_factory=llm_factory)
    fetch_and_refine(qtbot, window)
    sent = user_messages(llm_factory.sandbox)
    raw = b"".join(request.raw for request in llm_factory.sandbox.request_log).decode("utf-8")
    assert sent
    model = window.model
    emails = {model.entry_at(row).email for row in range(model.rowCount())}
    reasons_with_address = [
        model.entry_at(r).reason for r in range(model.rowCount()) if "@" in model.entry_at(r).reason
    ]
    assert reasons_with_address, "no reason contains an address: the test would prove nothing"
    for email in emails:
        assert email not in raw
        local = email.split("@", 1)[0]
        # Short local parts ("ai") also occur inside ordinary words: look for them as tokens.
        pattern = (
            re.escape(local) if len(local) >= 5 else rf"(?<![\w.+-]){re.escape(local)}(?![\w.+-])"
        )
        for text in sent:
            assert not re.search(pattern, text), f"local part {local!r} was sent"


def test_second_fetch_of_the_same_data_uses_the_cache(
    qtbot, make_window, tmp_path: Path, llm_factory
) -> None:
    enable_llm(tmp_path)
    window = make_window(llm_sandbox_factory=llm_factory)
    fetch_and_refine(qtbot, window)
    first = window.controller.llm.last_result
    assert first is not None and first.requests_made > 0
    sandbox = llm_factory.sandbox
    sandbox.clear_log()

    fetch_and_refine(qtbot, window)

    second = window.controller.llm.last_result
    assert second is not None and second is not first
    assert sandbox.request_log == []
    assert second.requests_made == 0
    assert second.templates_from_cache == second.templates_total > 0
    assert window.status_bar.ai_label.text() == texts.LLM_DONE.format(
        requests=0, cached=second.templates_from_cache
    )
    assert any(x is not None and x.source == "llm" for x in explanations(window))
    assert llm_factory.built == 1  # one sandbox for the whole session


def test_llm_disabled_sends_nothing(qtbot, make_window, tmp_path: Path, llm_factory) -> None:
    enable_llm(tmp_path, enabled=False)
    window = make_window(llm_sandbox_factory=llm_factory)
    fetch_and_refine(qtbot, window)
    assert window.model.total > 0
    assert llm_factory.built == 0 and llm_factory.sandbox is None
    assert all(x is None or x.source == "rules" for x in explanations(window))
    assert window.controller.llm.last_result is None
    assert window.status_bar.ai_label.text() == ""
    assert not (tmp_path / "data" / CACHE_FILE).exists()


@pytest.mark.parametrize(
    "reply",
    [ScriptedReply.html_in_texts(), ScriptedReply.invalid_json(), ScriptedReply.server_error()],
    ids=["html", "invalid-json", "500"],
)
def test_hostile_or_failing_replies_keep_the_rule_text(
    qtbot, make_window, tmp_path: Path, llm_factory, reply
) -> None:
    enable_llm(tmp_path)
    llm_factory.pending_script = (reply,) * 200  # every request of this session
    window = make_window(llm_sandbox_factory=llm_factory)
    fetch_and_refine(qtbot, window)

    assert llm_factory.sandbox.chat_requests, "the LLM was never asked"
    rows = explanations(window)
    assert rows and all(x is not None and x.source == "rules" for x in rows)
    assert all("<b>" not in (x.label_ja + x.explanation_ja) for x in rows)
    note = window.status_bar.ai_label.text()
    # Turned down (html) or not answered at all (invalid JSON, HTTP 500): said either way.
    assert note.startswith(("AI の回答を使えませんでした", "AI はオンですが回答を得られません"))
    # Never a modal error: no dialog opened, the error panel stays hidden.
    assert not [
        w for w in QApplication.topLevelWidgets() if isinstance(w, QDialog) and w.isVisible()
    ]
    assert not window.status_panel.isVisible()


def test_cancel_keeps_the_rule_text(qtbot, make_window, tmp_path: Path) -> None:
    enable_llm(tmp_path)
    slow = LlmSandboxFactory(latency_ms=2000)
    window = make_window(llm_sandbox_factory=slow)
    llm = window.controller.llm
    fetch(qtbot, window)
    qtbot.waitUntil(window.status_bar.ai_cancel_button.isVisible, timeout=5000)
    assert window.status_bar.ai_label.text().startswith("AI で説明を改善中…")
    window.status_bar.ai_cancel_button.click()
    qtbot.waitUntil(lambda: not llm.is_running(), timeout=REFINE_TIMEOUT_MS)
    assert all(x is None or x.source == "rules" for x in explanations(window))
    assert not window.status_bar.ai_cancel_button.isVisible()
    assert window.status_bar.ai_label.text() == texts.LLM_CANCELLED
