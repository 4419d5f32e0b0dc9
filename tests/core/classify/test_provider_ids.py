"""Provider reply ids that carry digits ([TSS04], OFR_416, IB504 ...) survive normalisation.

Normalisation masks every token with a digit, so a rule pattern that names a digit could only
match if the token is one of the provider-id families kept by ``canonical`` (or a code shape,
zeroed). Each such pattern must match its own rule's examples, or it is dead.
"""

from __future__ import annotations

import re

import pytest

from app.core.classify.classifier import Classifier
from app.core.classify.rules import canonical, normalise, provider_ids

CLASSIFIER = Classifier.load()
# A pattern names a digit when it holds one outside a character class or a repeat count.
_DIGIT_IN_PATTERN = re.compile(r"(?<!\{)(?<!\{\d)(?<!,)(?<!\\)[0-9](?![0-9]*[,}])")


def _without_classes(pattern: str) -> str:
    return re.sub(r"(?<!\\)\[(?:\\.|[^\]\\])*\]", "", pattern)


DIGIT_PATTERNS = [
    pytest.param(rule, pattern, id=f"{rule.id}:{pattern.pattern}")
    for rule in CLASSIFIER.rule_set.rules
    for pattern in (*rule.any, *rule.all)
    if _DIGIT_IN_PATTERN.search(_without_classes(pattern.pattern))
]  # fmt: skip


def test_the_list_of_digit_patterns_is_not_empty() -> None:
    ids = {param.values[0].id for param in DIGIT_PATTERNS}
    assert {"yahoo-policy-ph01", "orange-invalid-recipient"} <= ids


@pytest.mark.parametrize(("rule", "pattern"), DIGIT_PATTERNS)
def test_every_digit_pattern_matches_one_of_its_examples(rule, pattern) -> None:
    forms = [normalise(example.text) for example in rule.examples]
    assert any(pattern.search(form) for form in forms), (pattern.pattern, forms)


@pytest.mark.parametrize(
    ("text", "ids"),
    [
        ("421 4.7.0 [TSS04] Messages from 192.0.2.5 temporarily deferred", ("TSS04",)),
        ("550 5.1.1 Invalid recipient. OFR_416 [416] (in reply to RCPT TO command)", ("OFR_416",)),
        ("Archived recipient. LPN007_420 (in reply to RCPT TO command)", ("LPN007_420",)),
        ("550 This IP has sent too many messages this hour. IB504", ("IB504",)),
        ("554 5.7.1 ... part of their network is on our block list (S3150).", ("S3150",)),
        ("550 5.1.1 RCP-P1 http://postmaster.facebook.com/response_codes", ("RCP-P1",)),
        ("554 RLY:B1 http://postmaster.info.aol.com/errors/554rlyb1.html", ("RLY:B1",)),
        ("550 AUP#I1220 blocked", ("AUP#I1220",)),
        ("421 4.7.0 [GL01] Message from (192.0.2.5) temporarily deferred", ("GL01",)),
        # Orange's relays also send their ids in lower case (Sisimai's Exim decoder quotes
        # "550 5.2.0 Mail rejete. Mail rejected. ofr_506 [506]").
        ("550 5.2.0 Mail rejete. Mail rejected. ofr_506 [506]", ("ofr_506",)),
        # Not ids: lower case outside Orange's family, glued into a longer run, a host name,
        # an IPv6 address.
        ("tss04 ib504 xTSS04 xofr_416 mwinf5c12 MTA1234 2a01:111:f200::1", ()),
    ],
)
def test_provider_ids_are_found_and_nothing_else(text: str, ids: tuple[str, ...]) -> None:
    assert provider_ids(text) == ids


def test_ids_keep_their_digits_and_other_tokens_stay_masked() -> None:
    form = canonical("550 5.1.1 Invalid recipient. OFR_416 [416] from 192.0.2.1")
    assert form == "550 5.1.1 invalid recipient. ofr_416 [000] from #"


def test_texts_differing_only_in_an_id_get_each_their_own_answer() -> None:
    refused = "421 mwinf5c79 ME Service refuse. Service refused, please try later."
    texts = {
        "toomanyconn": f"{refused} OFR005_104 [104]",
        "systemerror": f"{refused} OFR005_505 [505]",
        "blocked": f"{refused} OFR005_999 [999]",
    }
    warm = Classifier(CLASSIFIER.rule_set)
    for _ in range(2):  # the second round answers from the memos
        for reason, text in texts.items():
            assert warm.classify(text, "", "jean@orange.fr").reason == reason
            assert warm.classify(text, "").reason == reason  # the id decides without a domain


@pytest.mark.parametrize(
    ("text", "host_rule", "email"),
    [
        (
            "550 Requested action not taken: mailbox unavailable",
            "outlook-mailbox-unavailable",
            "hanako@hotmail.com",
        ),
        ("550 5.1.1 <bob@example.net> recipient rejected", "cox-recipient-rejected", "bob@cox.net"),
        (
            "541 5.4.1 Mail rejected by destination domain",
            "zoho-rejected-by-destination",
            "ken@zoho.com",
        ),
        (
            "554 mx.example.net ESMTP not accepting connections",
            "icloud-not-accepting-connections",
            "nao@icloud.com",
        ),
    ],
)
def test_host_wording_fires_only_for_its_host(text: str, host_rule: str, email: str) -> None:
    """Generic words mean the provider's story only at the provider's own domains."""
    classifier = Classifier(CLASSIFIER.rule_set)
    assert classifier.classify(text, "", email).rule_id == host_rule
    for other in ("taro@gmail.com", "sales@example.co.jp", ""):
        assert classifier.classify(text, "", other).rule_id != host_rule, other
