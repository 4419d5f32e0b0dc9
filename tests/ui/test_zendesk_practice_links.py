"""Zendesk tickets in practice mode live in the imitation on this PC. Before, the result dialog
told the operator to paste the link into a browser (the imitation answers 「Couldn't
authenticate you」 there, and its port changes each session) and the details pane showed the
link as if it were a real ticket."""

from __future__ import annotations

import pytest

from app.core.zendesk.links import is_practice_link
from app.core.zendesk.tickets import TicketOutcome
from app.sandbox.zendesk_server import ZendeskSandbox
from app.ui.letters import letter_texts
from app.ui.letters.ticket_dialogs import TicketResultDialog
from tests.helpers.letters import CARRIER, classified, select_rows

TIMEOUT_MS = 15_000


@pytest.fixture
def zendesk():
    sandbox = ZendeskSandbox()
    yield sandbox
    sandbox.stop()


def test_a_practice_ticket_is_named_so_in_the_result_and_the_details(
    qtbot, make_window, zendesk
) -> None:
    results: list = []
    window = make_window(
        zendesk_sandbox_factory=lambda: zendesk,
        ask_ticket_mode=lambda recipients, practice, parent: False,
        show_ticket_result=lambda outcomes, cancelled, parent: results.append(outcomes),
    )
    window.model.append([CARRIER], classified(CARRIER))
    window.list_page.ensure_grid()
    window._update_counts()
    select_rows(window, CARRIER.email)
    zendesk_part = window.controller.zendesk
    with qtbot.waitSignal(
        zendesk_part.running, check_params_cb=lambda r: not r, timeout=TIMEOUT_MS
    ):
        window.contact_actions.zendesk_action.trigger()
    (outcomes,) = results
    dialog = TicketResultDialog(outcomes, cancelled=False)
    qtbot.addWidget(dialog)
    assert dialog.note.text() == letter_texts.RESULT_NOTE_PRACTICE
    assert "ブラウザーに貼り付けて" not in dialog.note.text()
    window.table.setCurrentIndex(window.model.index(0, 1))
    details = window.list_page.details.toPlainText()
    assert "練習モード" in details and "ブラウザーでは開けません" in details
    assert outcomes[0].url in details


def test_a_real_ticket_keeps_the_browser_note(qtbot) -> None:
    url = "https://example.zendesk.com/agent/tickets/7"
    dialog = TicketResultDialog([TicketOutcome(7, url, True, ("a@example.jp",))], cancelled=False)
    qtbot.addWidget(dialog)
    assert dialog.note.text() == letter_texts.RESULT_NOTE


@pytest.mark.parametrize(
    ("url", "practice"),
    [
        ("http://127.0.0.1:41885/agent/tickets/1", True),
        ("http://localhost:8000/agent/tickets/1", True),
        ("http://[::1]:8000/agent/tickets/1", True),
        ("https://example.zendesk.com/agent/tickets/1", False),
        ("not a url", False),
        ("http://[bad/agent", False),
    ],
)
def test_practice_links_are_the_loopback_ones(url: str, practice: bool) -> None:
    assert is_practice_link(url) is practice
