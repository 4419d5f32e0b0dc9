"""qmail writes the enhanced code of its own messages at the end ("... (#4.4.2)"): a bounce that
arrives without a status field is read with that code, not as an unknown text.

The messages are qmail-remote's own strings (netqmail 1.06 qmail-remote.c); which reason each
code stands for is RFC 3463's (X.4.2 bad connection, X.1.2 bad destination system, X.3.0 other
mail system status)."""

from __future__ import annotations

import pytest

from app.core.classify.classifier import Classifier
from app.core.types import ListKind

CLASSIFIER = Classifier.load()


@pytest.mark.parametrize(
    ("text", "reason", "permanent"),
    [
        ("Connected to 192.0.2.1 but unable to start TLS. (#4.4.2)", "networkerror", False),
        ("Sorry, I couldn't find any host by that name. (#4.1.2)", "hostunknown", False),
        ("Unable to switch to home directory. (#4.3.0)", "systemerror", False),
        ("Out of memory. (#4.3.0)", "systemerror", False),
    ],
)
def test_the_trailing_code_stands_for_a_missing_status(
    text: str, reason: str, permanent: bool
) -> None:
    answer = CLASSIFIER.classify(text, "", "user@example.com", ListKind.BOUNCES)
    assert (answer.reason, answer.permanent) == (reason, permanent)


def test_a_status_field_still_wins_over_the_trailing_code() -> None:
    text = "Connected to 192.0.2.1 but unable to start TLS. (#4.4.2)"
    answer = CLASSIFIER.classify(text, "5.7.10", "user@example.com", ListKind.BOUNCES)
    assert answer.reason != "networkerror"


def test_the_same_words_with_another_code_get_that_code() -> None:
    """The memo keys on the digits: one text's code must not leak into the next one's."""
    first = CLASSIFIER.classify("Unable to read message. (#4.3.0)", "", "a@example.com")
    second = CLASSIFIER.classify("Unable to read message. (#5.1.2)", "", "a@example.com")
    assert (first.reason, second.reason) == ("systemerror", "hostunknown")
