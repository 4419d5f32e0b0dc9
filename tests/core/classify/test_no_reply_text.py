"""An entry with no reply text at all (Amazon SES's suppression list keeps none, only BOUNCE):
the explanation says the provider kept no original text. Before, it told the operator to read
「理由の欄の原文」, a column that is empty for every SES bounce."""

from __future__ import annotations

import pytest

from app.core.classify.classifier import Classifier
from app.core.types import ListKind


@pytest.fixture(scope="module")
def classifier() -> Classifier:
    return Classifier.load()


def test_an_ses_bounce_is_not_sent_to_an_empty_reason_column(classifier: Classifier) -> None:
    got = classifier.classify("", "BOUNCE", "taro@example.jp", ListKind.BOUNCES)
    assert (got.reason, got.label_ja) == ("onhold", "要確認")
    assert "原文は残っていない" in got.explanation_ja
    assert "理由の欄" not in got.explanation_ja
    assert "送信記録" in got.action_ja


def test_an_ses_bounce_is_a_hard_bounce_so_permanent(classifier: Classifier) -> None:
    # SES adds an address to its account-level list with the reason BOUNCE only after a hard
    # bounce, and sends nothing to it while it is listed: waiting alone never helps.
    got = classifier.classify("", "BOUNCE", "taro@example.jp", ListKind.BOUNCES)
    assert got.permanent is True
    assert got.delete_effect.value == "after_fix"
    assert "ハードバウンス" in got.explanation_ja
    assert "時間をおけば" not in got.explanation_ja + got.action_ja


def test_an_entry_without_text_or_status_says_nothing_permanent(classifier: Classifier) -> None:
    got = classifier.classify("", "", "taro@example.jp", ListKind.BOUNCES)
    assert got.permanent is False


def test_a_text_without_codes_still_points_at_the_reply(classifier: Classifier) -> None:
    got = classifier.classify("qwzx blorp fnord", "", "taro@example.jp", ListKind.BOUNCES)
    assert "理由の欄の原文" in got.explanation_ja
