"""Zendesk client and escalator against the loopback imitation: tickets, duplicates, limits,
faults and typed errors. No mocks: every call is HTTP to app/sandbox/zendesk_server.py."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from app.core.classify.classifier import Classifier
from app.core.letters.compose import SenderFacts, compose_letters
from app.core.letters.templates import load_templates
from app.core.storage.secrets import ZENDESK_TOKEN, MemorySecretStore
from app.core.storage.settings import AppSettings
from app.core.types import ListKind, SuppressionEntry
from app.core.zendesk import account_from
from app.core.zendesk.client import ZendeskAccount, ZendeskClient, normalise_subdomain
from app.core.zendesk.errors import (
    ZendeskAuthError,
    ZendeskError,
    ZendeskForbiddenError,
    ZendeskNotFoundError,
    ZendeskRateLimitError,
    ZendeskServerError,
    ZendeskSettingsError,
    ZendeskValidationError,
)
from app.core.zendesk.tickets import EscalationItem, Escalator, external_id_for
from app.sandbox.zendesk_server import (
    SANDBOX_ZENDESK_EMAIL,
    SANDBOX_ZENDESK_TOKEN,
    Fault,
    ZendeskSandbox,
)

CLASSIFIER = Classifier.load()


@pytest.fixture
def server() -> Iterator[ZendeskSandbox]:
    with ZendeskSandbox() as sandbox:
        yield sandbox


class Sleeps(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def client_for(
    server: ZendeskSandbox, sleeps: Sleeps | None = None, **kwargs: object
) -> ZendeskClient:
    account = ZendeskAccount.create(
        "", SANDBOX_ZENDESK_EMAIL, SANDBOX_ZENDESK_TOKEN, server.base_url
    )
    return ZendeskClient(account, sleep=sleeps if sleeps is not None else Sleeps(), **kwargs)  # type: ignore[arg-type]


def item(
    email: str,
    reason: str = "550 Unknown user",
    kind: ListKind = ListKind.BOUNCES,
    status: str = "5.0.0",
) -> EscalationItem:
    entry = SuppressionEntry(kind, email, datetime(2025, 12, 5, 3, 0, tzinfo=UTC), status, reason)
    explanation = CLASSIFIER.classify_entry(entry)
    letters = compose_letters(
        [(entry, explanation)],
        load_templates(),
        SenderFacts(org_name="株式会社トドク"),
        datetime.now(UTC),
    )
    return EscalationItem(entry, explanation, letters[0] if letters else None)


# -- account -----------------------------------------------------------------------------------


def test_account_from_settings_and_keyring() -> None:
    secrets = MemorySecretStore()
    settings = AppSettings(
        zendesk_subdomain="https://Acme.zendesk.com/", zendesk_email="agent@acme.jp"
    )
    with pytest.raises(ZendeskSettingsError, match="API トークン"):
        account_from(settings, secrets)
    secrets.set(ZENDESK_TOKEN, "tok")
    account = account_from(settings, secrets)
    assert account.root == "https://acme.zendesk.com"
    assert account.ticket_url(7) == "https://acme.zendesk.com/agent/tickets/7"
    assert "tok" not in repr(account)
    with pytest.raises(ZendeskSettingsError):
        normalise_subdomain("bad_sub domain")


# -- create, comment, duplicates ---------------------------------------------------------------


def test_ticket_per_recipient_with_internal_note_tags_and_letter(server: ZendeskSandbox) -> None:
    with client_for(server) as client:
        outcomes = Escalator(client).escalate(
            [
                # docomo's reception filter (5.2.0): the 指定受信 letter goes with the ticket.
                item("hanako@docomo.ne.jp", status="5.2.0"),
                item("yamada@corp.example.co.jp", "550 5.7.1 rejected by policy"),
            ],
            batch=False,
        )
    assert [o.created for o in outcomes] == [True, True]
    assert outcomes[0].url == f"{server.base_url}/agent/tickets/1"
    tickets = {t["id"]: t for t in server.tickets()}
    first = tickets[1]
    assert first["external_id"] == "todoku:hanako@docomo.ne.jp"
    assert {"todoku", "todoku_bounces"} <= set(first["tags"])
    assert any(tag.startswith("todoku_") and tag != "todoku_bounces" for tag in first["tags"])
    note = server.comments(1)[0]
    assert note["public"] is False
    assert "hanako@docomo.ne.jp" in note["body"]
    assert "連絡文の下書き（未送信）" in note["body"] and "2025年3月13日" in note["body"]
    assert "> 550 Unknown user" in note["body"]


def test_markdown_in_a_bounce_reason_stays_inert_in_the_note(server: ZendeskSandbox) -> None:
    """Zendesk renders Markdown in a comment's body. The quoted reason followed a text line, so
    it continued that paragraph: the link, the remote image and the HTML of the reason became
    live in the agent's note (and in the letter draft under it). Rendered by a CommonMark
    renderer, the note now holds them only as code text."""
    from markdown_it import MarkdownIt

    reason = (
        "550 5.7.1 [パスワード再設定はこちら](https://evil.example/login) "
        "![x](https://evil.example/p.png) <a href='https://evil.example'>x</a> **緊急**"
    )
    with client_for(server) as client:
        Escalator(client).escalate(
            [item("yamada@corp.example.co.jp", reason, status="5.7.1")], batch=False
        )
    body = server.comments(1)[0]["body"]
    assert body.count(reason) == 2  # the note's quote and the letter draft's: text unchanged
    html = MarkdownIt("commonmark").render(body)
    assert "<a " not in html and "<img" not in html and "<strong>" not in html
    assert html.count("<pre><code>&gt; 550 5.7.1 [パスワード再設定はこちら]") == 1  # the quote
    assert html.count("    &gt; 550 5.7.1 [パスワード再設定はこちら]") == 1  # in the draft's block


def test_second_run_adds_a_note_instead_of_a_duplicate(server: ZendeskSandbox) -> None:
    server.search_delay_s = 3600  # the search index has not caught up: external_id still finds it
    with client_for(server) as client:
        first = Escalator(client).escalate([item("hanako@docomo.ne.jp")], batch=False)[0]
    with client_for(server) as client:  # a new session: nothing remembered locally
        second = Escalator(client).escalate([item("Hanako@docomo.ne.jp")], batch=False)[0]
    assert first.created and not second.created
    assert second.ticket_id == first.ticket_id
    assert len(server.tickets()) == 1
    notes = server.comments(first.ticket_id)
    assert len(notes) == 2 and notes[1]["public"] is False and "追記" in notes[1]["body"]


def test_solved_ticket_is_not_reused(server: ZendeskSandbox) -> None:
    with client_for(server) as client:
        first = Escalator(client).escalate([item("a@corp.example.co.jp")], batch=False)[0]
        server.solve(first.ticket_id)
        second = Escalator(client).escalate([item("a@corp.example.co.jp")], batch=False)[0]
    assert second.created and second.ticket_id != first.ticket_id


def hanakos_ticket(client, subject: str) -> dict:
    """A ticket made outside Todoku (in Zendesk itself) whose requester is hanako@docomo.ne.jp."""
    return client.create_ticket(
        {
            "subject": subject,
            "comment": {"body": "b", "public": False},
            "tags": ["todoku"],
            "requester": {"email": "hanako@docomo.ne.jp", "name": "hanako"},
        }
    )


def test_requester_mode_finds_a_ticket_made_elsewhere_by_search(server: ZendeskSandbox) -> None:
    with client_for(server) as client:
        made = hanakos_ticket(client, "手で作ったチケット")
        outcome = Escalator(client, requester_is_recipient=True).escalate(
            [item("hanako@docomo.ne.jp")], batch=False
        )[0]
    assert not outcome.created and outcome.ticket_id == made["id"]
    search = [r for r in server.request_log if r.path == "/api/v2/search"]
    assert search and "requester:hanako@docomo.ne.jp" in search[0].query["query"][0]


def test_an_address_with_search_syntax_never_finds_another_persons_ticket(
    server: ZendeskSandbox,
) -> None:
    """The address comes from the bounce list: ``requester:*@docomo.ne.jp`` would match hanako's
    ticket and put a stranger's bounce note on it."""
    with client_for(server) as client:
        theirs = hanakos_ticket(client, "花子さんのチケット")
        assert client.search_tickets("type:ticket requester:*@docomo.ne.jp")  # the hazard is real
        outcome = Escalator(client, requester_is_recipient=True).escalate(
            [item("*@docomo.ne.jp")], batch=False
        )[0]
    assert outcome.created and outcome.ticket_id != theirs["id"]


def test_requester_is_the_recipient_when_asked(server: ZendeskSandbox) -> None:
    with client_for(server) as client:
        Escalator(client, requester_is_recipient=True).escalate(
            [item("x@corp.example.co.jp")], batch=False
        )
    posted = next(r for r in server.request_log if r.method == "POST").body["ticket"]
    assert posted["requester"] == {"email": "x@corp.example.co.jp", "name": "x"}
    assert posted["comment"]["public"] is False


def test_batch_makes_one_ticket_and_reuses_it(server: ZendeskSandbox) -> None:
    items = [item("a@city.example.lg.jp", "554 blocked", ListKind.BLOCKS), item("b@docomo.ne.jp")]
    with client_for(server) as client:
        first = Escalator(client).escalate(items, batch=True)
        again = Escalator(client).escalate(list(reversed(items)), batch=True)
    assert len(first) == 1 and first[0].recipients == ("a@city.example.lg.jp", "b@docomo.ne.jp")
    assert again[0].ticket_id == first[0].ticket_id and not again[0].created
    assert len(server.tickets()) == 1
    assert server.tickets()[0]["subject"].startswith("[Todoku] 配信できない宛先 2 件")
    assert (
        "requester" not in next(r for r in server.request_log if r.method == "POST").body["ticket"]
    )
    assert external_id_for(["B@x.jp", "a@x.jp"]) == external_id_for(["a@x.jp", "b@x.jp"])


def test_dropped_create_that_was_applied_is_not_duplicated(server: ZendeskSandbox) -> None:
    server.inject(Fault(drop=True, after_apply=True, method="POST"))
    with client_for(server) as client:
        outcome = Escalator(client).escalate([item("a@corp.example.co.jp")], batch=False)[0]
    assert outcome.created
    assert len(server.tickets()) == 1
    assert len([r for r in server.request_log if r.method == "POST"]) == 1


def test_create_failing_before_apply_is_retried(server: ZendeskSandbox) -> None:
    server.inject(Fault(status=503, method="POST"))
    with client_for(server) as client:
        outcome = Escalator(client).escalate([item("a@corp.example.co.jp")], batch=False)[0]
    assert outcome.created and len(server.tickets()) == 1
    assert len([r for r in server.request_log if r.method == "POST"]) == 2


# -- limits and errors -------------------------------------------------------------------------


def test_429_waits_for_retry_after_then_succeeds(server: ZendeskSandbox) -> None:
    server.inject(Fault(status=429, retry_after=7), Fault(status=429, retry_after=2))
    sleeps = Sleeps()
    with client_for(server, sleeps) as client:
        assert client.me()["email"] == SANDBOX_ZENDESK_EMAIL
    assert sleeps == [7.0, 2.0]


def test_429_from_the_budget_and_the_cap(server: ZendeskSandbox) -> None:
    server.set_rate_limit(2)
    server.retry_after_s = 30
    sleeps = Sleeps()
    with client_for(server, sleeps, max_attempts=3, max_wait_s=10) as client:
        client.me()
        response_headers_checked = client.me()
        assert response_headers_checked["id"]
        with pytest.raises(ZendeskRateLimitError) as caught:
            client.me()
    assert sleeps == [10.0, 10.0]  # Retry-After 30 capped at 10; three attempts, two waits
    assert "上限" in caught.value.message_ja


def test_5xx_on_reads_is_retried_with_back_off(server: ZendeskSandbox) -> None:
    server.inject(Fault(status=500), Fault(drop=True))
    sleeps = Sleeps()
    with client_for(server, sleeps, backoff_s=0.5) as client:
        assert client.tickets_by_external_id("todoku:none@x.jp") == []
    assert sleeps == [0.5, 1.0]


def test_5xx_that_never_ends_gives_a_japanese_server_error(server: ZendeskSandbox) -> None:
    server.inject(*[Fault(status=502)] * 3)
    with client_for(server, max_attempts=3) as client, pytest.raises(ZendeskServerError) as caught:
        client.me()
    assert "Zendesk のサーバー" in caught.value.message_ja and "502" in caught.value.detail


def test_revoked_token_is_a_typed_auth_error_and_nothing_is_written(server: ZendeskSandbox) -> None:
    server.revoke_token()
    with client_for(server) as client, pytest.raises(ZendeskAuthError) as caught:
        Escalator(client).escalate([item("a@corp.example.co.jp")], batch=False)
    assert "API トークン" in caught.value.message_ja
    assert SANDBOX_ZENDESK_TOKEN not in caught.value.detail
    assert server.tickets() == []


def test_wrong_token_sends_the_documented_basic_header(server: ZendeskSandbox) -> None:
    account = ZendeskAccount.create("", SANDBOX_ZENDESK_EMAIL, "wrong", server.base_url)
    with ZendeskClient(account, sleep=Sleeps()) as client, pytest.raises(ZendeskAuthError):
        client.me()
    import base64

    header = server.request_log[-1].headers["authorization"]
    assert base64.b64decode(header.split()[1]).decode() == f"{SANDBOX_ZENDESK_EMAIL}/token:wrong"


@pytest.mark.parametrize(
    ("status", "error_type", "words"),
    [
        (403, ZendeskForbiddenError, "権限"),
        (404, ZendeskNotFoundError, "サブドメイン"),
    ],
)
def test_403_and_404_are_typed(
    server: ZendeskSandbox, status: int, error_type: type, words: str
) -> None:
    server.inject(Fault(status=status, body={"error": "x"}))
    with client_for(server) as client, pytest.raises(error_type) as caught:
        client.me()
    assert words in caught.value.user_text()


def test_422_names_the_field(server: ZendeskSandbox) -> None:
    with client_for(server) as client, pytest.raises(ZendeskValidationError) as caught:
        client.create_ticket({"subject": "本文なし", "comment": {"body": " "}})
    assert "Description: cannot be blank" in caught.value.detail


def test_search_stops_at_the_documented_1000_results(server: ZendeskSandbox) -> None:
    with client_for(server) as client:
        for n in range(3):
            client.create_ticket({"subject": f"s{n}", "comment": {"body": "b"}, "tags": ["todoku"]})
        assert len(client.search_tickets("type:ticket tags:todoku status<solved")) == 3
        assert client.search_tickets("type:ticket tags:other") == []
    server.inject(Fault(status=422, method="GET", path_contains="search"))
    with client_for(server) as client, pytest.raises(ZendeskValidationError):
        client.search_tickets("type:ticket")


def test_a_huge_answer_is_refused_not_read_whole(server: ZendeskSandbox) -> None:
    """Every reply was read whole by httpx before its JSON was looked at: 40 MB of blanks after
    a valid answer (or an endless one) went into memory. The read now stops at 32 MB; a
    ticket that may have been made is looked for again (ZendeskUncertainError), not lost."""
    server.reply_padding_bytes = 40 * 1024 * 1024
    with client_for(server) as client, pytest.raises(ZendeskError) as caught:
        Escalator(client).escalate([item("hanako@docomo.ne.jp")], batch=False)
    assert caught.value.message_ja == "Zendesk からの応答が大きすぎるため、読み込みを中止しました。"
    assert "more than 33,554,432 bytes" in caught.value.detail
