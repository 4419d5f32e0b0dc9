"""Wrong advice from the AI in everyday wording still contradicts the rules and is refused.

The guard (``classify/llm_guard.py``) reads sentences for advice that contradicts the rules'
facts, but only in the phrasings its patterns list: "削除すると再送できます" is refused, while
"削除することで再送できるようになります", "リストから外せば届きます" or "削除によって配信が再開
されます" — the same advice for a SendGrid block, where deleting changes nothing — reached the
operator as the row's 対応. Likewise "今後も届きません" for a greylisting delay and "自然に解消
します" for an unknown user. The real ``openai`` client talks to the loopback imitation here.
"""

from __future__ import annotations

import pytest

from app.core.classify.cache import ExplanationCache
from app.core.classify.llm_guard import delete_effect_of
from app.core.types import ListKind
from app.sandbox.openai_server import OpenAISandbox
from tests.helpers.llm import refine_with_text

SPAMHAUS = (
    "550 5.7.1 Service unavailable, Client host [149.72.120.31] blocked using Spamhaus. To "
    "request removal from this list see https://www.spamhaus.org/query/ip/149.72.120.31 "
    "AS(1440)"
)
GREYLISTED = "450 4.2.0 <kuro@example.com>: Recipient address rejected: Greylisted, see "
UNKNOWN_USER = "550 5.1.1 <kuro@example.com>: Recipient address rejected: User unknown"

CASES = [
    # (reason text, status, list, field, the AI's wrong sentence)
    (SPAMHAUS, "5.7.1", ListKind.BLOCKS, "action_ja",
     "このアドレスを一覧から削除することで再送できるようになります。"),
    (SPAMHAUS, "5.7.1", ListKind.BLOCKS, "action_ja", "リストから外せば、次回から届きます。"),
    (SPAMHAUS, "5.7.1", ListKind.BLOCKS, "action_ja", "削除によって配信が再開されます。"),
    (GREYLISTED, "4.2.0", ListKind.BOUNCES, "explanation_ja", "このアドレスには今後も届きません。"),
    (UNKNOWN_USER, "5.1.1", ListKind.BOUNCES, "explanation_ja", "数時間後には自然に解消します。"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "status", "kind", "field", "wrong"), CASES)
def test_reworded_wrong_advice_keeps_the_rule_texts(
    sandbox: OpenAISandbox,
    cache: ExplanationCache,
    text: str,
    status: str,
    kind: ListKind,
    field: str,
    wrong: str,
) -> None:
    rule, result = refine_with_text(sandbox, cache, (text, status, kind), field, wrong)

    (shown,) = result.explanations
    assert wrong not in getattr(shown, field), (
        f"shown for a row whose facts are permanent={rule.permanent}, "
        f"delete effect {delete_effect_of(rule, kind)}: {getattr(shown, field)}"
    )
