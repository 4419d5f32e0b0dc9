"""Classes of wrong advice found by an audit of composed replies (each in the wording of its
MTA's or provider's documentation, none a benchmark line), checked as classes: the reason's
story, ``permanent`` and what the operator is told to do."""

from __future__ import annotations

import pytest

from app.core.classify.classifier import Classifier
from app.core.types import DeleteEffect

CLASSIFIER = Classifier.load()


@pytest.mark.parametrize(
    "text",
    [
        "450 4.1.1 <k.sato@example.com>: Recipient address rejected: unverified address:"
        " Address verification in progress",
        "450 4.1.1 <a@example.org>: Recipient address rejected: unverified address:"
        " host mx.example.org[192.0.2.9] said: 451 4.3.0 Temporary failure",
        "450 4.1.8 <bounce@example.net>: Sender address rejected: unverified address:"
        " Address verification in progress",
    ],
)
def test_pending_address_verification_is_not_an_unknown_user(text: str) -> None:
    # Postfix refuses with 450 'unverified address' while its probe runs: telling the operator
    # that the address does not exist would make them drop a good address.
    got = CLASSIFIER.classify(text, "", "k.sato@example.com")
    assert got.reason != "userunknown" and got.permanent is False
    assert got.delete_effect is DeleteEffect.RESEND
    assert "存在しない" not in got.explanation_ja.replace("存在しないという回答ではありません", "")
    assert "正しいアドレス" not in got.action_ja


@pytest.mark.parametrize(
    "text",
    [
        "451 4.7.26 Unauthenticated email from example.com is not accepted due to domain's"
        " DMARC policy, but temporary DNS failures prevent authentication. - gsmtp",
        "451 4.7.1 SPF temporary error (DNS timeout)",
        "451 4.4.3 Temporary error during DKIM verification, please try again later",
        "450 4.7.1 Sender address rejected: SPF check returned temperror",
    ],
)
@pytest.mark.parametrize("email", ["a@gmail.com", "a@example.co.jp"])
def test_an_authentication_check_that_could_not_run_is_not_our_misconfiguration(
    text: str, email: str
) -> None:
    got = CLASSIFIER.classify(text, "", email)
    assert got.permanent is False and got.delete_effect is DeleteEffect.RESEND
    # not "redo Domain Authentication", and not "ask the recipient about their MX records"
    assert "Domain Authentication" not in got.action_ja
    assert "MX" not in got.action_ja and "差出人ドメイン" in got.action_ja


@pytest.mark.parametrize(
    "text",
    [
        "451 4.7.1 Temporarily rejected. Try again later.",
        "451 4.7.1 Please try again later or see https://postmaster.example.net/errors",
        "450 4.7.1 Request refused",
        "451 4.7.1 Temporarily rejected by DNS whitelist check",
    ],
)
def test_a_bare_4_7_1_deferral_does_not_ask_for_delisting(text: str) -> None:
    # Only the code speaks: greylisting, reputation checks and rate limits answer 4.7.1 too.
    got = CLASSIFIER.classify(text, "", "a@example.net")
    assert got.permanent is False
    assert "解除を申請" not in got.action_ja and "時間をおいて送り直して" in got.action_ja
    assert "掲載などが原因です" not in got.explanation_ja


@pytest.mark.parametrize(
    "text",
    [
        "451 Could not connect to clamd, please try again later",
        "451 4.3.0 Unable to contact the virus scanner, try again later",
        "451 4.7.0 Failed to connect to spamd, try again later",
    ],
)
def test_the_receivers_scanner_being_down_is_their_fault_not_an_expiry(text: str) -> None:
    got = CLASSIFIER.classify(text, "", "a@example.org")
    assert got.reason == "systemerror" and got.permanent is False
    assert got.delete_effect is DeleteEffect.RESEND
    assert "届かないアドレスとして" not in got.action_ja


@pytest.mark.parametrize(
    "text",
    [
        "550 5.7.1 Message contains a URL listed in the SURBL blocklist",
        "554 5.7.1 Rejected: URIBL listed domain in message body (multi.uribl.com)",
        "550 5.7.1 Blocked: message contains a link that is blacklisted",
        "554 5.7.1 Message rejected: body contains a domain listed at multi.surbl.org",
    ],
)
def test_a_listed_link_in_the_body_is_not_an_ip_delisting_case(text: str) -> None:
    # SURBL / URIBL list domains of message bodies: the IP's delisting pages list nothing.
    got = CLASSIFIER.classify(text, "", "a@example.jp")
    assert got.permanent is True
    assert "リンク" in got.action_ja and "IP を調べ" not in got.action_ja
    assert "解除を申請" not in got.action_ja


@pytest.mark.parametrize(
    "text",
    [
        "550 5.7.1 Sender domain example.com is listed in our blocklist",
        "554 5.7.1 Rejected: your IP is on our internal block list",
    ],
)
def test_the_receivers_own_list_is_not_a_public_blocklist(text: str) -> None:
    got = CLASSIFIER.classify(text, "", "a@example.jp")
    assert got.reason == "blocked"
    assert "spamhaus" not in got.action_ja.lower() and "先方のシステム担当者" in got.action_ja


@pytest.mark.parametrize(
    "text",
    [
        "451 4.2.0 Mailbox is locked by another process, try again later",
        "450 4.2.0 Unable to lock mailbox, please try again",
        "451 4.3.0 Timeout while waiting for lock",
    ],
)
def test_a_mailbox_lock_is_a_busy_mailbox_not_a_locked_account(text: str) -> None:
    got = CLASSIFIER.classify(text, "", "a@example.jp")
    assert got.reason == "systemerror" and got.permanent is False
    assert got.delete_effect is DeleteEffect.RESEND
    assert "送信は控え" not in got.action_ja


@pytest.mark.parametrize(
    "text",
    [
        "421 4.7.0 Your IP is temporarily blocked due to too many bad recipients;"
        " try again in an hour",
        "450 4.7.1 Client host temporarily banned, try again later",
        "421 4.7.0 Blocked for 60 minutes due to too many connections with invalid recipients",
    ],
)
@pytest.mark.parametrize("email", ["a@example.jp", "a@docomo.ne.jp"])
def test_a_block_that_says_it_is_temporary_needs_no_delisting(text: str, email: str) -> None:
    got = CLASSIFIER.classify(text, "", email)
    assert got.permanent is False
    assert "解除を申請" not in got.action_ja and "解除申請は必要ありません" in got.action_ja


@pytest.mark.parametrize(
    "text",
    [
        "550 添付ファイルの容量が制限を超えています",
        "552 メールのサイズが上限を超えているため受信できません",
    ],
)
@pytest.mark.parametrize("email", ["a@example.co.jp", "a@city.example.lg.jp"])
def test_japanese_size_limits_are_message_size_not_policy(text: str, email: str) -> None:
    got = CLASSIFIER.classify(text, "", email)
    assert got.reason == "mesgtoobig"
    assert "認証" not in got.action_ja.split("自治体")[0]
    # the recipient's own mailbox space stays a full mailbox
    full = CLASSIFIER.classify("452 メールボックスの容量が上限を超えています", "", email)
    assert full.reason == "mailboxfull" and full.permanent is False
