"""Host-specific knowledge only for its hosts, and the advice-audit classes of issue 12.

Each test names a class: every rule (or advice line) that tells a carrier's story, every way a
"user unknown" reaches a non-carrier domain, every loop/DNS/frequency wording. Texts were written
for this test in the wording servers use; none is a benchmark line.
"""

from __future__ import annotations

import re

import pytest

from app.core.classify.classifier import Classifier
from app.core.classify.hosts import CARRIER_GROUPS
from app.core.types import DeleteEffect

CLASSIFIER = Classifier.load()
# Words that tell the Japanese carriers' story (their reception filter, their setting names).
# An Orange rule saying 「指定受信などの問題ではなく」 denies the story: that is not telling it.
_CARRIER_STORY = re.compile(r"携帯電話会社|ドコモ|ソフトバンク|\bau\b|指定受信|なりすまし規制")
_DENIAL = "（指定受信など）の問題ではなく"
NON_CARRIER = ["sato@midori-foods.co.jp", "ken@gmail.com", "yui@outlook.jp", "rin@example.org"]


def _tells_carrier_story(text: str) -> bool:
    return _CARRIER_STORY.search(text.replace(_DENIAL, "")) is not None


def test_every_rule_telling_a_carrier_story_is_limited_to_carrier_hosts() -> None:
    loose = [
        rule.id
        for rule in CLASSIFIER.rule_set.rules
        if _tells_carrier_story(rule.explanation_ja + rule.fix_ja + rule.delete_ja)
        and not (rule.hosts and rule.hosts <= CARRIER_GROUPS)
    ]
    assert loose == []


@pytest.mark.parametrize("email", NON_CARRIER)
@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("550 5.2.0 <{email}>... User unknown", "5.2.0"),
        ("550 Unknown user {email}", "5.2.0"),
        ("550 : User unknown", "5.0.0"),
        (
            "次のあて先へのメッセージはエラーのため送信できませんでした。"
            " Each of the following recipients was rejected by a remote mail server.",
            "",
        ),
        ("550 5.7.1 Message rejected as spam by Content Filtering.", "5.7.1"),
        ("Your email to group team@example.com was rejected due to spam classification.", ""),
    ],
)
def test_no_carrier_story_at_other_hosts(text: str, status: str, email: str) -> None:
    got = CLASSIFIER.classify(text.format(email=email), status, email)
    assert not _tells_carrier_story(got.explanation_ja + got.action_ja), got.rule_id


@pytest.mark.parametrize("email", NON_CARRIER)
def test_user_unknown_with_status_2_0_elsewhere_gets_the_host_neutral_reading(email: str) -> None:
    # RFC 3463: X.2.0 says the mailbox exists; the reading names the status, not a carrier.
    got = CLASSIFIER.classify(f"550 5.2.0 <{email}>... User unknown", "5.2.0", email)
    assert got.rule_id == "user-unknown-with-mailbox-status-2-0"
    assert "5.2.0" in got.explanation_ja and "受信設定待ち" not in got.action_ja


@pytest.mark.parametrize("email", ["ken@uqmobile.jp", "nana@au.com", "sho@mineo.jp"])
def test_carrier_user_unknown_status_2_0_keeps_the_filter_story(email: str) -> None:
    got = CLASSIFIER.classify("550 5.2.0 User unknown", "5.2.0", email)
    assert got.reason == "filtered" and _tells_carrier_story(got.explanation_ja + got.action_ja)


@pytest.mark.parametrize("email", ["mika@docomo.ne.jp", "nana@ezweb.ne.jp", "ko@softbank.ne.jp"])
@pytest.mark.parametrize(
    "text",
    [
        "550 5.7.1 Message rejected as spam by Content Filtering.",
        "Your email to group team@example.com was rejected due to spam classification.",
        "Hello ops@example.co.jp, We're writing to let you know that the group you tried to"
        " contact (members) may not exist, or you may not have permission to post messages to"
        " the group.",
    ],
)
def test_spoofing_filter_advice_only_for_authentication_failures(text: str, email: str) -> None:
    assert "なりすまし規制" not in CLASSIFIER.classify(text, "", email).action_ja


def test_spoofing_filter_advice_still_given_for_carrier_authentication_failures() -> None:
    got = CLASSIFIER.classify(
        "550 5.7.26 Unauthenticated email is not accepted: SPF and DKIM failed", "", "a@ezweb.ne.jp"
    )
    assert got.reason == "authfailure" and "なりすまし規制" in got.action_ja


@pytest.mark.parametrize("kind", ["IP", "domain", "sender", "connection"])
def test_frequency_limited_is_a_sending_rate_limit(kind: str) -> None:
    got = CLASSIFIER.classify(
        f"550 Mail is rejected by recipients [MTAyLjEuMi4z {kind} frequency limited]."
        " https://service.mail.qq.com/detail/122/172",
        "",
        "lin@qq.com",
    )
    assert got.permanent is False and got.delete_effect is DeleteEffect.RESEND
    assert "ペース" in got.action_ja and "宛先の数を減らし" not in got.action_ja


@pytest.mark.parametrize(
    "text",
    [
        "connect to mx.example.jp[192.0.2.7]:25: No route to host",
        "Host or domain name not found. Name service error for name=example.jp type=A:"
        " Host not found, try again",
        "451 4.4.0 DNS query failed",
        "lost connection with mx.example.jp[192.0.2.7] while sending RCPT TO",
    ],
)
def test_network_and_dns_trouble_is_not_called_a_loop(text: str) -> None:
    got = CLASSIFIER.classify(text, "", "a@example.jp")
    assert got.reason == "networkerror" and "ループ" not in got.explanation_ja + got.action_ja


@pytest.mark.parametrize(
    "text",
    [
        "554 Mail loop detected",
        "554 5.4.6 Too many hops (31 max): possible mail loop",
        "554 5.4.0 SMTPSEND.DNS.MxLoopback; DNS records for the domain are configured in a loop",
        "550 Looping message, too many Received headers",
    ],
)
def test_mail_loops_are_explained_as_loops(text: str) -> None:
    got = CLASSIFIER.classify(text, "", "a@example.jp")
    assert got.reason == "networkerror" and "ループ" in got.explanation_ja


@pytest.mark.parametrize("status", ["5.4.4", "4.4.3", ""])
def test_malformed_mx_answer_is_a_dns_problem_not_a_null_mx(status: str) -> None:
    got = CLASSIFIER.classify(
        "Name service error for name=shop.example.co.jp type=MX: Malformed or unexpected name"
        " server reply",
        status,
        "a@shop.example.co.jp",
    )
    assert got.reason == "networkerror" and got.delete_effect is DeleteEffect.RESEND
    assert "DNS" in got.explanation_ja and "受け付けない" not in got.action_ja


def test_null_mx_still_reads_as_a_domain_that_takes_no_mail() -> None:
    got = CLASSIFIER.classify(
        "556 5.1.10 Recipient address rejected: Domain example.com does not accept mail (nullMX)",
        "",
        "a@example.com",
    )
    assert got.reason == "notaccept"


@pytest.mark.parametrize("region", ["US-EAST-1", "eu-west-1", "AP-NORTHEAST-1"])
def test_ses_unverified_identity_is_the_senders_account(region: str) -> None:
    got = CLASSIFIER.classify(
        "554 Message rejected: Email address is not verified. The following identities failed"
        f" the check in region {region}: shop@example.jp",
        "",
        "a@example.org",
    )
    assert "SES" in got.explanation_ja and "検証済み" in got.action_ja
    assert "production access" in got.action_ja or "本番利用" in got.action_ja
