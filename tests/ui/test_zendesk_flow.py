"""Zendesk from the grid, against the loopback imitation (practice mode): create, duplicate →
appended, 429 → waits and succeeds, revoked token → Japanese error; the link reaches the
details pane; the settings page keeps the token in the secret store only."""

from __future__ import annotations

import json

import pytest

from app.core.storage.secrets import ZENDESK_TOKEN
from app.core.zendesk.errors import ZendeskAuthError
from app.sandbox.zendesk_server import Fault, ZendeskSandbox
from tests.helpers.letters import CARRIER, COMPANY, MAILBOX_FULL, classified, select_rows

ROWS = (COMPANY, CARRIER, MAILBOX_FULL)
TIMEOUT_MS = 15_000


@pytest.fixture
def zendesk():
    sandbox = ZendeskSandbox()
    yield sandbox
    sandbox.stop()


@pytest.fixture
def window(make_window, zendesk):
    asked: list[int] = []
    results: list = []
    answers: list = []

    def ask(recipients, practice, parent):
        asked.append(recipients)
        return answers.pop(0) if answers else False

    win = make_window(
        zendesk_sandbox_factory=lambda: zendesk,
        ask_ticket_mode=ask,
        show_ticket_result=lambda outcomes, cancelled, parent: results.append(
            (outcomes, cancelled)
        ),
    )
    win.asked, win.results, win.answers = asked, results, answers
    win.model.append(list(ROWS), classified(*ROWS))
    win.list_page.ensure_grid()
    win._update_counts()
    return win


select = select_rows


def run_tickets(qtbot, window, *emails: str) -> None:
    select(window, *emails)
    zendesk = window.controller.zendesk
    with qtbot.waitSignal(zendesk.running, check_params_cb=lambda r: not r, timeout=TIMEOUT_MS):
        window.contact_actions.zendesk_action.trigger()


def test_create_then_duplicate_is_appended(qtbot, window, zendesk):
    run_tickets(qtbot, window, COMPANY.email, CARRIER.email)
    assert window.asked == [2]
    outcomes, cancelled = window.results[-1]
    assert not cancelled and [o.created for o in outcomes] == [True, True]
    tickets = zendesk.tickets()
    assert len(tickets) == 2
    assert {t["external_id"] for t in tickets} == {
        f"todoku:{COMPANY.email}",
        f"todoku:{CARRIER.email}",
    }
    # The customer letter rides along as a draft in the internal note.
    carrier_ticket = next(t for t in tickets if t["external_id"] == f"todoku:{CARRIER.email}")
    note = zendesk.comments(carrier_ticket["id"])[0]
    assert note["public"] is False and "連絡文の下書き（未送信）" in note["body"]
    assert "受信リスト設定" in note["body"]
    assert "新規 2 件" in window.range_bar.progress_label.text()

    run_tickets(qtbot, window, CARRIER.email)
    outcomes, _ = window.results[-1]
    assert [o.created for o in outcomes] == [False]
    assert outcomes[0].url.endswith(f"/agent/tickets/{carrier_ticket['id']}")
    assert len(zendesk.tickets()) == 2
    assert len(zendesk.comments(carrier_ticket["id"])) == 2
    posts = [r for r in zendesk.request_log if r.method == "POST"]
    assert len(posts) == 2  # the duplicate made no new ticket

    # The link is in the details pane of that address for this session. It is a practice
    # ticket, on a loopback port that ends with the session: the data folder, where a real
    # ticket's link survives restarts (test_practice_tickets_stay_out_of_the_saved_links),
    # does not keep it.
    details = details_of(window, CARRIER.email)
    assert "■ Zendesk チケット" in details and outcomes[0].url in details and "追記" in details
    assert "練習モード" in details
    links_file = window.controller.settings_keeper.path.parent / "zendesk_tickets.json"
    assert not links_file.exists()


def details_of(window, email: str) -> str:
    row = next(r for r in range(window.model.rowCount()) if window.model.entry_at(r).email == email)
    window.table.setCurrentIndex(window.model.index(row, 1))
    return window.list_page.details.toPlainText()


REAL_LINK = "https://example.zendesk.com/agent/tickets/7"
OLD_PRACTICE_LINK = "http://127.0.0.1:50123/agent/tickets/3"  # a past session's imitation


def test_practice_tickets_stay_out_of_the_saved_links(qtbot, make_window, zendesk, tmp_path):
    """A real ticket's link survives restarts in the data folder; a practice ticket neither
    replaces it there nor shows up, dead, in a later session."""
    links_file = tmp_path / "data" / "zendesk_tickets.json"
    links_file.parent.mkdir(parents=True, exist_ok=True)
    when = "2026-12-01T12:00:00+09:00"
    saved = {
        CARRIER.email: {"url": REAL_LINK, "ticket_id": 7, "when": when, "created": True},
        COMPANY.email: {"url": OLD_PRACTICE_LINK, "ticket_id": 3, "when": when, "created": True},
    }
    links_file.write_text(json.dumps({"links": saved}), encoding="utf-8")

    def session():
        win = make_window(
            zendesk_sandbox_factory=lambda: zendesk,
            ask_ticket_mode=lambda recipients, practice, parent: False,
            show_ticket_result=lambda outcomes, cancelled, parent: None,
        )
        win.model.append(list(ROWS), classified(*ROWS))
        win.list_page.ensure_grid()
        win.controller.build_later_features()  # the details pane's ticket line
        return win

    window = session()
    assert REAL_LINK in details_of(window, CARRIER.email)
    assert "■ Zendesk チケット" not in details_of(window, COMPANY.email)  # its server is gone

    run_tickets(qtbot, window, CARRIER.email)  # practice mode: a ticket in the imitation
    details = details_of(window, CARRIER.email)
    assert "練習モード" in details and REAL_LINK not in details  # this session: the practice one
    stored = json.loads(links_file.read_text("utf-8"))["links"]
    assert stored[CARRIER.email]["url"] == REAL_LINK  # the real ticket's link is kept
    window.close()

    later = session()
    details = details_of(later, CARRIER.email)
    assert REAL_LINK in details and "練習モード" not in details
    assert "■ Zendesk チケット" not in details_of(later, COMPANY.email)


def test_batch_makes_one_ticket(qtbot, window, zendesk):
    window.answers.append(True)
    run_tickets(qtbot, window, COMPANY.email, CARRIER.email, MAILBOX_FULL.email)
    outcomes, _ = window.results[-1]
    assert len(outcomes) == 1 and len(outcomes[0].recipients) == 3
    assert len(zendesk.tickets()) == 1
    assert zendesk.tickets()[0]["external_id"].startswith("todoku-batch:")


def test_rate_limit_waits_then_succeeds(qtbot, window, zendesk):
    zendesk.inject(Fault(status=429, retry_after=1, method="POST"))
    lines: list[str] = []
    window.controller.zendesk.progress.connect(lines.append)
    run_tickets(qtbot, window, MAILBOX_FULL.email)
    outcomes, _ = window.results[-1]
    assert [o.created for o in outcomes] == [True]
    assert any("上限" in line and "1 秒待っています" in line for line in lines), lines
    assert [r.method for r in zendesk.request_log].count("POST") == 2
    assert not window.status_panel.isVisible()


def test_revoked_token_is_a_japanese_error(qtbot, window, zendesk):
    zendesk.revoke_token()
    errors: list = []
    window.controller.zendesk.failed.connect(errors.append)
    run_tickets(qtbot, window, COMPANY.email)
    assert len(errors) == 1 and isinstance(errors[0], ZendeskAuthError)
    assert window.status_panel.isVisible()
    assert "API トークン" in window.status_panel.message_label.text()
    assert window.results == []  # nothing was made
    assert zendesk.tickets() == []


def test_cancel_during_a_rate_limit_wait(qtbot, window, zendesk):
    zendesk.inject(Fault(status=429, retry_after=30, method="POST"))
    zendesk_controller = window.controller.zendesk
    select(window, COMPANY.email)
    with qtbot.waitSignal(
        zendesk_controller.running, check_params_cb=lambda r: not r, timeout=TIMEOUT_MS
    ):
        window.contact_actions.zendesk_action.trigger()
        qtbot.waitUntil(lambda: "待っています" in window.range_bar.progress_label.text())
        window.controller.cancel_running()
    assert "キャンセルしました" in window.range_bar.progress_label.text()
    assert window.results == []


def test_settings_page_saves_token_in_secret_store_and_tests(qtbot, make_window, secrets, zendesk):
    saved = {}

    def run_settings(dialog) -> bool:
        page = dialog.zendesk_page
        page.subdomain_edit.setText("https://acme.zendesk.com/")
        page.email_edit.setText("agent@acme.example")
        page.token_edit.setText("token-typed-here")
        page.requester_check.setChecked(True)
        with qtbot.waitSignal(window.controller.zendesk.tested, timeout=TIMEOUT_MS):
            page.test_button.click()
        saved["test"] = page.test_result.text()
        return True

    window = make_window(run_contact_settings=run_settings, zendesk_sandbox_factory=lambda: zendesk)
    window.contact_actions.settings_action.trigger()
    settings = window.controller.settings
    assert settings.zendesk_subdomain == "https://acme.zendesk.com/"
    assert settings.zendesk_email == "agent@acme.example"
    assert settings.zendesk_requester_is_recipient is True
    assert secrets.get(ZENDESK_TOKEN) == "token-typed-here"
    settings_file = window.controller.settings_keeper.path.read_text("utf-8")
    assert "token-typed-here" not in settings_file
    # Practice mode tests against the imitation, whose agent signs in.
    assert "接続できました" in saved["test"]
