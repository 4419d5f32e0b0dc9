"""Advice as data: ``permanent`` and ``delete_effect`` agree with the list and the cause."""

from __future__ import annotations

import pytest

from app.core.classify.cache import CATEGORY_OF, REASONS
from app.core.classify.classifier import Classifier
from app.core.classify.vocabulary import REASONS as REASON_TABLE
from app.core.classify.vocabulary import TRANSIENT_REASONS
from app.core.types import DeleteEffect, ListKind

CLASSIFIER = Classifier.load()


def test_one_vocabulary_for_rules_and_refinement() -> None:
    assert set(REASONS) == set(REASON_TABLE)
    assert all(CATEGORY_OF[name] == info.category for name, info in REASON_TABLE.items())


def test_transient_reasons_are_never_permanent() -> None:
    for name in TRANSIENT_REASONS:
        assert REASON_TABLE[name].permanent is False, name
        assert REASON_TABLE[name].bounce_delete_effect is DeleteEffect.RESEND


def test_a_known_cause_that_needs_a_fix_first_is_permanent() -> None:
    # after_fix means "waiting alone will not do": the flag must say the same. Only the reasons
    # of texts nobody could read (要確認) are neither.
    unread = {"onhold", "undefined"}
    for name, info in REASON_TABLE.items():
        if name not in unread and info.bounce_delete_effect is DeleteEffect.AFTER_FIX:
            assert info.permanent, name


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Bounced Address", "suppressed"),
        ("Invalid Address", "suppressed"),
        ("Unsubscribed Address", "unsubscribed"),
        ("Spam Reporting Address", "feedback"),
    ],
)
def test_a_platform_drop_is_permanent_and_names_its_list(text: str, reason: str) -> None:
    explanation = CLASSIFIER.classify(text, "", "user@example.com", ListKind.BOUNCES)
    assert (explanation.reason, explanation.permanent) == (reason, True)
    assert explanation.delete_effect is DeleteEffect.AFTER_FIX


@pytest.mark.parametrize(
    ("kind", "effect"),
    [
        (ListKind.BLOCKS, DeleteEffect.NO_EFFECT),
        (ListKind.SPAM_REPORTS, DeleteEffect.HARMFUL),
        (ListKind.UNSUBSCRIBES, DeleteEffect.HARMFUL),
        (ListKind.BOUNCES, DeleteEffect.AFTER_FIX),
        (ListKind.INVALID_EMAILS, DeleteEffect.AFTER_FIX),
    ],
)
def test_delete_effect_follows_the_list(kind: ListKind, effect: DeleteEffect) -> None:
    text = "550 5.7.1 Service unavailable, client host blocked using bl.spamcop.net"
    assert CLASSIFIER.classify(text, "5.7.1", "a@example.jp", kind).delete_effect is effect


def test_a_temporary_bounce_may_be_resent_after_deleting() -> None:
    got = CLASSIFIER.classify("452 4.2.2 Mailbox full", "4.2.2", "a@example.jp", ListKind.BOUNCES)
    assert (got.permanent, got.delete_effect) == (False, DeleteEffect.RESEND)


def test_a_4xx_reply_is_never_permanent() -> None:
    got = CLASSIFIER.classify("450 4.1.1 <a@example.jp>: Recipient address rejected: User unknown")
    assert got.permanent is False


def _texts_shown_to_operators() -> list[tuple[str, str]]:
    """(where, text) of every Japanese text the rules and the vocabulary give an operator."""
    import ast
    import tomllib
    from pathlib import Path

    from app.core.classify import vocabulary
    from app.core.classify.classifier import default_rules_dir

    found = []
    tree = ast.parse(Path(vocabulary.__file__).read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        is_text = isinstance(node, ast.Constant) and isinstance(node.value, str)
        if is_text and any(ord(char) > 0x3000 for char in node.value):  # Japanese, not a doc
            found.append((f"vocabulary.py:{node.lineno}", node.value))
    for path in sorted(Path(default_rules_dir()).glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        for table in (*data.get("rule", ()), *data.get("advice", ())):
            # SendGrid's own lists and its own messages (drops, preemptive deferrals): SendGrid
            # is who acted there, and no other provider writes those texts.
            own = str(table.get("id", "")).startswith("sendgrid-")
            if own or "invalid_emails" in table.get("lists", ()):
                continue
            for key, value in table.items():
                if key.endswith("_ja"):
                    found.append((f"{path.name}:{table.get('id', '?')}", value))
    return found


def test_advice_names_sendgrid_only_as_an_example_of_the_sending_service() -> None:
    # Rows of CMC, Infobip and SES accounts get the same advice: 配信サービス is the subject,
    # SendGrid only an example 「（SendGrid など）」 or a name of its screen 「SendGrid では …」.
    import re

    texts = _texts_shown_to_operators()
    assert len(texts) > 100
    bare = [
        (where, text)
        for where, text in texts
        if re.sub(r"（SendGrid など）|SendGrid では", "", text).count("SendGrid")
    ]
    assert bare == []
