"""A reply that asks to send again after a while is temporary, whatever its reply code.

The definition of ``permanent`` is "sending again later fails until someone changes something";
a server that itself asks to come back later says the opposite, even under a 5xx code (some
servers use 550 for every refusal). A bare "try again" is not such a request: "check for typos
and try again" asks for a change first. And a reply that adds that retrying is useless stays
permanent. The texts are composed for this test from common server wordings; none is a line of a
labelled set.
"""

from __future__ import annotations

import pytest

from app.core.classify.classifier import Classifier

CLASSIFIER = Classifier.load()


@pytest.mark.parametrize(
    "text",
    [
        # Each names a cause that usually lasts (a dead mailbox, a block, a policy refusal),
        # and each asks to come back later all the same.
        "550 Requested action not taken: mailbox unavailable. Try again later",
        "554 5.7.1 Your IP 192.0.2.1 is blocked, please try again in 30 minutes",
        "554 Transaction failed. Please try again later",
        "550 5.7.1 Message rejected: policy violation. Please try again later",
        "550 受信を拒否しました。しばらくしてから再送してください",
        "550 Access denied - please retry later",
    ],
)
def test_asking_to_come_back_later_is_temporary(text: str) -> None:
    got = CLASSIFIER.classify(text, "", "someone@example.com")
    assert got.permanent is False, (got.reason, got.rule_id)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        # Try again after a change: the words do not promise that waiting helps.
        (
            "550 5.1.1 The email account that you tried to reach does not exist. Please check the "
            "recipient's address for typos and try again.",
            "userunknown",
        ),
        (
            "550 5.7.23 SPF validation failed. Please inspect your SPF settings, and try again.",
            "authfailure",
        ),
        # Later, but useless: the server says so itself.
        ("550 5.7.1 Blocked. Try again later will not succeed, contact the postmaster", None),
    ],
)
def test_try_again_after_a_change_stays_permanent(text: str, reason: str | None) -> None:
    got = CLASSIFIER.classify(text, "", "someone@example.com")
    assert got.permanent is True, (got.reason, got.rule_id)
    if reason is not None:
        assert got.reason == reason
