"""Rate limits, throttling and greylisting as the systems word them, and what they must not take.

The texts are composed for this test from the wording the cited public sources document
(Exim's ratelimit example, cPanel's and Plesk's limits, a Postfix policy server's reply under
'Sender address rejected:', Symantec Messaging Gateway's 'Recipient quota exceeded', GMX's
short-period limit); none is a line of a labelled set or a rule's own example. The second half
checks precedence: a rate word must not turn an unknown user, a block-list listing or a full
mailbox into speeding, and a rate limit is never reported as permanent.
"""

from __future__ import annotations

import pytest

from app.core.classify.classifier import Classifier

CLASSIFIER = Classifier.load()


def _classify(text: str, status: str = "", email: str = "someone@example.com") -> tuple[str, bool]:
    got = CLASSIFIER.classify(text, status, email)
    return got.reason, got.permanent


# (text, status, email): per-time sending limits, temporary whatever the reply code.
SPEEDING = [
    ("451 4.7.1 Sender rate exceeds 20 messages per 1m", "4.7.1", "a@example.org"),
    (
        "550 5.7.1 <news@example.jp>: Sender address rejected: burst rate limit exceeded",
        "5.7.1",
        "a@example.org",
    ),
    (
        "450 4.7.1 <news@example.jp>: Sender address rejected: message rate exceeded",
        "4.7.1",
        "a@example.org",
    ),
    (
        "Domain example.jp has exceeded the max defers and failures per hour (8/8 (90%)) allowed.",
        "5.0.0",
        "a@example.org",
    ),
    (
        "Domain example.jp has exceeded the max emails per hour (200/200 (100%)) allowed.",
        "5.0.0",
        "a@example.org",
    ),
    (
        "5.7.0 The limit on the number of allowed outgoing messages was exceeded. Try again later.",
        "5.7.0",
        "a@example.org",
    ),
    ("REJECT only 10 recipients per 10 minutes allowed", "", "a@example.org"),
    ("You (shop) have reached your message limit", "", "a@example.org"),
    ("421 4.7.1 Sender quota exceeded", "4.7.1", "a@example.org"),
    ("452 Too many recipients received this hour", "", "a@example.edu"),
    ("454 Throttling failure: Daily message quota exceeded.", "", "a@example.org"),
    ("451 MI:SFQ 163 mx3,sender frequency limited", "", "a@163.com"),
    (
        "421 Reject due to policy restrictions. Too many messages have been received in a short "
        "period of time. Please reduce the sending rate.",
        "",
        "a@gmx.de",
    ),
]


@pytest.mark.parametrize(("text", "status", "email"), SPEEDING)
def test_rate_limits_are_speeding_and_temporary(text: str, status: str, email: str) -> None:
    assert _classify(text, status, email) == ("speeding", False)


# (text, status, reason, permanent): a cause of its own beside a rate word keeps its reading.
KEEP = [
    (
        "550 5.1.1 <a@example.org>: Recipient address rejected: User unknown in virtual mailbox "
        "table; rate limit exceeded",
        "5.1.1",
        "userunknown",
        True,
    ),
    (
        "554 5.7.1 Service unavailable; Client host [192.0.2.7] blocked using zen.spamhaus.org; "
        "rate limit exceeded",
        "5.7.1",
        "blocked",
        True,
    ),
    (
        "552 5.2.2 <a@example.org>: Recipient address rejected: Mailbox quota exceeded",
        "5.2.2",
        "mailboxfull",
        False,
    ),
    ("452 4.2.2 Quota exceeded", "4.2.2", "mailboxfull", False),
    ("550 5.7.1 mailbox quota exceeded", "5.7.1", "mailboxfull", False),
    ("452 4.5.3 Too many recipients, please reduce to less than 30", "4.5.3", "toomanyconn", False),
    ("554 Reject due to policy restrictions", "", "blocked", True),
]


@pytest.mark.parametrize(("text", "status", "reason", "permanent"), KEEP)
def test_rate_words_do_not_take_other_causes(
    text: str, status: str, reason: str, permanent: bool
) -> None:
    email = "a@gmx.de" if "policy restrictions" in text else "a@example.org"
    assert _classify(text, status, email) == (reason, permanent)


@pytest.mark.parametrize(
    "text",
    [
        "554 5.7.1 Your IP has a poor reputation: rate limit in effect",
        "550 5.7.0 Mail from this server is being throttled due to low sender reputation",
    ],
)
def test_a_reputation_enforced_as_a_rate_limit_is_not_permanent(text: str) -> None:
    """A reputation word decides the reason, but a rate limit still lifts by itself."""
    _, permanent = _classify(text)
    assert permanent is False
