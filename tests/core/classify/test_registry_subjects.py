"""The registry-subject layer (resources/rules/80-registry-subjects.toml).

An enhanced status code's registry subject (RFC 3463, RFC 5248) written as words, without the
code, means what the code means; with a specific code the code layer decides. The texts are
composed from the registry's subject lines, with the words around them that servers add.
"""

from __future__ import annotations

import pytest

from app.core.classify.classifier import Classifier

CLASSIFIER = Classifier.load()
EMAIL = "someone@example.com"


@pytest.mark.parametrize(
    ("text", "reason", "permanent"),
    [
        ("550 Requested action not taken: bad destination system address", "hostunknown", True),
        ("550 destination address ambiguous, several mailboxes match", "filtered", True),
        ("553 bad sender's system address <bounce@example.net>", "rejected", True),
        ("554 mx.example.org: system not accepting network messages", "notaccept", True),
        ("421 mx.example.org: system not accepting network messages", "systemerror", False),
        ("421 no answer from host mx.example.org", "expired", False),
        ("451 directory server failure, try later", "networkerror", False),
        ("550 unable to route to example.org", "hostunknown", True),
        ("451 unable to route to example.org", "networkerror", False),
        ("452 mail system congestion, try again later", "systemfull", False),
        ("554 conversion required but not supported", "contenterror", True),
        ("554 message integrity failure", "securityerror", True),
        ("550 mailbox owner has changed", "hasmoved", True),
    ],
)
def test_a_subject_without_its_code_reads_like_the_code(text, reason, permanent) -> None:
    got = CLASSIFIER.classify(text, "", EMAIL)
    assert (got.reason, got.permanent) == (reason, permanent), got.rule_id
    assert got.rule_id.startswith("subject-"), got.rule_id


def test_with_a_specific_code_the_code_layer_decides() -> None:
    got = CLASSIFIER.classify("550 5.1.2 bad destination system address", "", EMAIL)
    assert (got.reason, got.rule_id) == ("hostunknown", "code-host-unknown")
    # The status field counts as the code too.
    got = CLASSIFIER.classify("554 conversion failed", "5.6.3", EMAIL)
    assert got.rule_id == "code-content"


def test_a_clearer_sentence_or_cue_still_wins() -> None:
    # "bad connection" next to a listing is a block, read by the blocked family first.
    got = CLASSIFIER.classify("554 bad connection from a blacklisted IP", "", EMAIL)
    assert got.reason == "blocked"
