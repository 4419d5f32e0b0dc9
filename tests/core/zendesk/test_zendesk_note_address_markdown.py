"""The recipient address is untrusted text too: SendGrid's invalid_emails list holds exactly
the malformed addresses people typed into a form. In the Zendesk note (rendered as Markdown)
it must not become a link or a remote image."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from markdown_it import MarkdownIt

from app.core.types import ListKind
from app.core.zendesk.tickets import Escalator
from app.sandbox.zendesk_server import ZendeskSandbox
from tests.core.zendesk.test_zendesk import client_for, item


@pytest.fixture
def server() -> Iterator[ZendeskSandbox]:
    with ZendeskSandbox() as sandbox:
        yield sandbox


@pytest.mark.parametrize(
    "address",
    [
        "[パスワード再設定はこちら](https://evil.example/login)@example.com",
        '"![x](https://evil.example/p.png)"@example.com',
    ],
)
def test_a_hostile_address_stays_inert_in_the_note(server: ZendeskSandbox, address: str) -> None:
    with client_for(server) as client:
        Escalator(client).escalate(
            [
                item(
                    address,
                    "Mail domain mentioned in email address is unknown",
                    kind=ListKind.INVALID_EMAILS,
                )
            ],
            batch=False,
        )
    html = MarkdownIt("commonmark").render(server.comments(1)[0]["body"])
    assert "<a " not in html, [line for line in html.splitlines() if "evil" in line]
    assert "<img" not in html, [line for line in html.splitlines() if "evil" in line]
