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
    assert "原文がありません" in got.explanation_ja
    assert "理由の欄" not in got.explanation_ja
    assert "配信サービス" in got.action_ja


def test_a_text_without_codes_still_points_at_the_reply(classifier: Classifier) -> None:
    got = classifier.classify("qwzx blorp fnord", "", "taro@example.jp", ListKind.BOUNCES)
    assert "理由の欄の原文" in got.explanation_ja
