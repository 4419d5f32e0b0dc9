"""Zendesk makes tickets of the chosen addresses; it does not register the addresses anywhere.
Before, the question said 「1 件の宛先を Zendesk に登録します」 (and the practice note and the
cancel messages spoke of 登録), which reads as if the addresses were added to a Zendesk list."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QLabel

from app.sandbox.zendesk_server import ZendeskSandbox
from app.ui.letters.ticket_dialogs import TicketAskDialog
from tests.helpers.letters import CARRIER, COMPANY, MAILBOX_FULL, classified, select_rows

ROWS = (COMPANY, CARRIER, MAILBOX_FULL)


def test_the_question_says_tickets_are_created(qtbot) -> None:
    dialog = TicketAskDialog(1, practice=True)
    qtbot.addWidget(dialog)
    words = "\n".join(label.text() for label in dialog.findChildren(QLabel))
    assert "1 件の宛先について Zendesk にチケットを作成します。" in words
    assert "模擬サーバーにチケットを作成します" in words  # the practice note
    assert "登録" not in words


@pytest.fixture
def slow_zendesk():
    sandbox = ZendeskSandbox(search_delay_s=0.8)  # each ticket first searches for its address
    yield sandbox
    sandbox.stop()


def test_a_cancelled_run_says_ticket_creation_was_cancelled(
    qtbot, make_window, slow_zendesk
) -> None:
    window = make_window(
        zendesk_sandbox_factory=lambda: slow_zendesk,
        ask_ticket_mode=lambda recipients, practice, parent: False,  # one ticket per address
        show_ticket_result=lambda outcomes, cancelled, parent: None,
    )
    window.model.append(list(ROWS), classified(*ROWS))
    window.list_page.ensure_grid()
    window._update_counts()
    select_rows(window, COMPANY.email, CARRIER.email, MAILBOX_FULL.email)
    zendesk = window.controller.zendesk
    said: list[str] = []
    zendesk.progress.connect(said.append)
    zendesk.done.connect(said.append)
    window.contact_actions.zendesk_action.trigger()
    qtbot.waitUntil(lambda: len(slow_zendesk.tickets()) >= 1, timeout=10_000)
    zendesk.cancel()
    qtbot.waitUntil(lambda: not zendesk.is_running(), timeout=10_000)
    assert "Zendesk チケットの作成をキャンセルしています…" in said
    assert any(line.startswith("Zendesk チケットの作成をキャンセルしました") for line in said)
    assert not [line for line in said if "登録" in line]
