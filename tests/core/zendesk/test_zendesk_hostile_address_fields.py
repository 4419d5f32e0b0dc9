"""The recipient address comes from the provider's list, i.e. from whoever typed it into a
form: the ticket's subject and the external id built from it must stay usable. Every call is
HTTP to the loopback Zendesk imitation."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.core.zendesk.tickets import Escalator
from app.sandbox.zendesk_server import ZendeskSandbox
from tests.core.zendesk.test_zendesk import client_for, item


@pytest.fixture
def server() -> Iterator[ZendeskSandbox]:
    with ZendeskSandbox() as sandbox:
        yield sandbox


def test_a_subject_is_one_line_without_bidi_controls(server: ZendeskSandbox) -> None:
    address = "taro\r\n件名: パスワード再設定\u2028\u202egnp.exe@example.com"
    with client_for(server) as client:
        Escalator(client).escalate([item(address)], batch=False)
    subject = server.tickets()[0]["subject"]
    assert not any(char in subject for char in "\r\n\u2028\u202e"), repr(subject)
    assert "taro" in subject and "example.com" in subject  # still names the recipient


def test_a_batch_subject_names_domains_on_one_line(server: ZendeskSandbox) -> None:
    with client_for(server) as client:
        Escalator(client).escalate([item("a@evil\nexample.com"), item("b@example.org")], batch=True)
    subject = server.tickets()[0]["subject"]
    assert "\n" not in subject, repr(subject)


def test_a_megabyte_address_does_not_stop_the_tickets_after_it(server: ZendeskSandbox) -> None:
    # An address longer than any real one (254 characters at most) went whole into the
    # subject and into the external id, and so into the look-up URL: the server refused the
    # request, and `todoku-cli zendesk` stopped before the next recipient.
    huge = "x" * 1_000_000 + "@example.com"
    with client_for(server) as client:
        outcomes = Escalator(client).escalate([item(huge), item("hanako@example.com")], batch=False)
        again = Escalator(client).escalate([item(huge)], batch=False)
    assert [o.created for o in outcomes] == [True, True]
    assert again[0].ticket_id == outcomes[0].ticket_id  # still found, not made twice
    tickets = {t["id"]: t for t in server.tickets()}
    assert len(tickets[outcomes[0].ticket_id]["external_id"]) <= 255
