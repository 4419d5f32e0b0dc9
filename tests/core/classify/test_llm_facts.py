"""AI refinement keeps the rules' facts, and the wire carries neither personal data nor platform
details: the real `openai` client against the loopback OpenAI imitation (its request log)."""

from __future__ import annotations

import json
import platform
from pathlib import Path
from typing import Any

import pytest

from app.core.classify.cache import ExplanationCache
from app.core.classify.classifier import Classifier
from app.core.classify.llm import LlmRefiner, LlmSettings
from app.core.classify.llm_guard import contradictions, delete_effect_of
from app.core.types import Explanation, ListKind
from app.sandbox.openai_server import OpenAISandbox, ScriptedReply
from tests.helpers.llm import LLM_KEY as KEY

SPAMHAUS = (
    "550 5.7.1 Service unavailable, Client host [149.72.120.31] blocked using Spamhaus. To "
    "request removal from this list see https://www.spamhaus.org/query/ip/149.72.120.31 "
    "AS(1440)"
)
GREYLISTED = "450 4.2.0 <kuro@example.com>: Recipient address rejected: Greylisted, see "
FULL = "452 4.2.2 The recipient's inbox is out of storage space. ab12cd - gsmtp"


@pytest.fixture(scope="module")
def classifier() -> Classifier:
    return Classifier.load()


def refiner(base_url: str, cache: ExplanationCache) -> LlmRefiner:
    settings = LlmSettings(base_url, "sandbox-model", KEY, timeout_s=5.0, enabled=True)
    return LlmRefiner(settings, cache)


def sent_items(sandbox: OpenAISandbox) -> list[dict[str, Any]]:
    body = sandbox.chat_requests[-1].body
    return list(json.loads(body["messages"][1]["content"])["items"])


def say(**texts: str) -> ScriptedReply:
    return ScriptedReply(
        mutate=lambda reply: {"items": [{**item, **texts} for item in reply["items"]]}
    )


# -- the wire ---------------------------------------------------------------------------------


def test_no_header_reveals_the_os_python_or_client(sandbox, cache, classifier) -> None:
    url = sandbox.start()
    rule = classifier.classify(SPAMHAUS, "5.7.1", "", ListKind.BOUNCES)
    refiner(url, cache).refine([(SPAMHAUS, "5.7.1", ListKind.BOUNCES, rule)])

    (request,) = sandbox.chat_requests
    names = set(request.headers)
    assert not {name for name in names if name.startswith("x-stainless")}, names
    assert request.headers.get("user-agent") == "Todoku"
    values = " ".join(request.headers.values()).lower()
    for revealing in (platform.python_version(), platform.python_implementation(), "openai/"):
        assert revealing.lower() not in values
    assert platform.system().lower() not in values
    assert request.headers["authorization"] == f"Bearer {KEY}"  # still an ordinary request


def test_masking_closes_the_wire_gaps_and_keeps_diagnostic_ids(sandbox, cache, classifier):
    texts = [
        SPAMHAUS,
        "550 5.7.511 Access denied, banned sender[203.0.113.19]. AS(201806281) "
        "http://bbl.barracudacentral.com/q.cgi?ip=203.0.113.19",
        "#550 5.1.1 RESOLVER.ADR.RecipNotFound; MSEXCH:IMS:Kijitora Shoji KK:TokyoSite:EXCH01 "
        "0 (000C05A6) Unknown Recipient ##",
        "550 5.2.0 山田太郎様宛のメールは受信者の設定により拒否されました。"
        "田中さんにご確認ください",
    ]
    items = [(t, "", ListKind.BOUNCES, classifier.classify(t)) for t in texts]
    refiner(sandbox.start(), cache).refine(items)

    sent = " ".join(item["reason_text"] for item in sent_items(sandbox))
    for secret in ("149.72.120.31", "203.0.113.19", "Kijitora", "TokyoSite", "EXCH01"):
        assert secret not in sent
    for secret in ("山田", "太郎", "田中"):
        assert secret not in sent
    assert "https://www.spamhaus.org/query/ip/<ip>" in sent
    assert "AS(201806281)" in sent and "AS(1440)" in sent
    assert "RESOLVER.ADR.RecipNotFound" in sent
    assert "MSEXCH:IMS:<org>" in sent
    assert "<name>様" in sent and "<name>さん" in sent


# -- the facts --------------------------------------------------------------------------------


def test_advice_to_delete_a_block_is_refused_and_the_rule_text_kept(sandbox, cache, classifier):
    rule = classifier.classify(SPAMHAUS, "5.7.1", "", ListKind.BLOCKS)
    assert delete_effect_of(rule, ListKind.BLOCKS) == "no_effect"
    sandbox.script(say(action_ja="ブロックリストから外れました。一覧から削除すると再送できます。"))

    result = refiner(sandbox.start(), cache).refine([(SPAMHAUS, "5.7.1", ListKind.BLOCKS, rule)])

    assert result.explanations == [rule]
    assert any("contradicts" in line and "no_effect" in line for line in result.failures)


def test_a_temporary_text_called_permanent_keeps_the_rules(sandbox, cache, classifier):
    rule = classifier.classify(GREYLISTED, "4.2.0", "", ListKind.BOUNCES)
    sandbox.script(say(explanation_ja="この宛先には二度と届きません。"))

    result = refiner(sandbox.start(), cache).refine([(GREYLISTED, "4.2.0", ListKind.BOUNCES, rule)])

    assert result.explanations == [rule]
    assert any("temporary cause permanent" in line for line in result.failures)


def test_reworded_text_without_delete_advice_gets_the_rule_advice_back(sandbox, cache, classifier):
    rule = classifier.classify(FULL, "4.2.2", "", ListKind.BOUNCES)
    rule_delete = [s + "。" for s in rule.action_ja.split("。") if "削除" in s]
    assert rule_delete, "the rule itself says what deleting does"
    sandbox.script(
        say(reason=rule.reason, action_ja="受信者に受信箱の空き容量を確保してもらってください。")
    )

    result = refiner(sandbox.start(), cache).refine([(FULL, "4.2.2", ListKind.BOUNCES, rule)])

    (merged,) = result.explanations
    assert merged.source == "llm"
    assert merged.action_ja.startswith("受信者に受信箱の空き容量を確保してもらってください。")
    for sentence in rule_delete:
        assert sentence in merged.action_ja
    assert (merged.reason, merged.category, merged.permanent) == (
        rule.reason,
        rule.category,
        rule.permanent,
    )


def test_an_uncertain_4xx_never_becomes_permanent(sandbox, cache) -> None:
    unsure = Explanation(
        "onhold", "Unclassified", False, "判定保留", "規則: 不明", "原文を確認", needs_review=True
    )
    text = "451 4.7.1 please come back later, we are counting"
    sandbox.script(say(reason="blocked", permanent=True))  # type: ignore[arg-type]

    result = refiner(sandbox.start(), cache).refine([(text, "4.7.1", ListKind.BOUNCES, unsure)])

    (merged,) = result.explanations
    assert merged.reason == "blocked" and merged.source == "llm"
    assert merged.permanent is False


def test_the_sandbox_default_answers_never_trip_the_guard(sandbox, cache, classifier) -> None:
    texts = [SPAMHAUS, GREYLISTED, FULL, "550 5.1.1 The email account does not exist. - gsmtp"]
    items = [
        (text, "", kind, classifier.classify(text, "", "", kind))
        for text in texts
        for kind in (ListKind.BOUNCES, ListKind.BLOCKS)
    ]
    result = refiner(sandbox.start(), cache).refine(items)

    assert not [line for line in result.failures if "contradicts" in line], result.failures
    assert all(explanation.source == "llm" for explanation in result.explanations)
    for (_text, _status, kind, rule), merged in zip(items, result.explanations, strict=True):
        facts = (merged.reason, merged.category, merged.permanent)
        assert facts == (rule.reason, rule.category, rule.permanent)
        prose = {"action_ja": merged.action_ja, "explanation_ja": merged.explanation_ja}
        effect = delete_effect_of(rule, kind)
        assert not contradictions(prose, permanent=rule.permanent, delete_effect=effect)


def test_the_rules_own_texts_pass_the_guard(classifier) -> None:
    """A faithful rewording of the rule's own advice must never be refused."""
    root = Path(__file__).resolve().parents[3]
    rows = []
    for path in (
        "resources/sandbox/bounce-reasons.jsonl",
        "benchmarks/data/provider-catalogue.jsonl",
    ):
        lines = (root / path).read_text("utf-8").splitlines()
        rows.extend(json.loads(line) for line in lines if line.strip())
    # Every rule's own examples, at the host they were written for: each rule's texts are read.
    rows.extend(
        {"reason_text": ex.text, "status": ex.status, "email": ex.email, "list": ex.list_kind}
        for rule in classifier.rule_set.rules
        for ex in rule.examples
    )
    refused = set()
    every_kind = (ListKind.BOUNCES, ListKind.BLOCKS, ListKind.INVALID_EMAILS)
    for row in rows:
        for kind in (ListKind(row["list"]),) if row.get("list") else every_kind:
            text, status, email = row["reason_text"], row.get("status") or "", row.get("email", "")
            rule = classifier.classify(text, status, email, kind)
            prose = {"explanation_ja": rule.explanation_ja, "action_ja": rule.action_ja}
            effect = delete_effect_of(rule, kind)
            if contradictions(prose, permanent=rule.permanent, delete_effect=effect):
                refused.add((rule.rule_id, kind.value, rule.permanent, text[:60]))
    assert not refused


def test_a_block_of_a_provider_whose_blocks_stop_sending_keeps_its_bounce_advice(
    sandbox, cache, classifier
) -> None:
    # CMC's 配信停止 / Infobip's OVER_QUOTA rows are explained as bounces; the AI path must not
    # turn them back into SendGrid's "deleting a block changes nothing".
    from datetime import UTC, datetime

    from app.core.classify import explain_blocks_as_suppressions
    from app.core.types import SuppressionEntry

    entry = SuppressionEntry(
        ListKind.BLOCKS, "kuro@example.com", datetime(2026, 1, 1, tzinfo=UTC), "5.7.1", SPAMHAUS
    )
    (cmc_rule,) = explain_blocks_as_suppressions(classifier.classify_entries)([entry])
    sendgrid_rule = classifier.classify_entry(entry)
    assert (str(cmc_rule.delete_effect), str(sendgrid_rule.delete_effect)) == (
        "after_fix",
        "no_effect",
    )
    assert delete_effect_of(cmc_rule, ListKind.BLOCKS) == "after_fix"

    result = refiner(sandbox.start(), cache).refine(
        [(SPAMHAUS, "5.7.1", ListKind.BLOCKS, cmc_rule)]
    )

    assert sent_items(sandbox)[0]["rule_hint"]["delete_effect"] == "after_fix"
    (merged,) = result.explanations
    assert merged.source == "llm", result.failures
    assert str(merged.delete_effect) == "after_fix"
    assert "影響しません" not in merged.action_ja and "削除" in merged.action_ja


def test_the_prompt_and_the_practice_answers_name_sendgrid_only_as_an_example() -> None:
    # Rows of CMC, Infobip and SES accounts are refined with the same prompt and practice
    # answers: 配信サービス is the subject, SendGrid at most an example or its screen's name.
    import ast
    import re

    from app.core.classify.llm import SYSTEM_PROMPT
    from app.sandbox import openai_answers

    tree = ast.parse(Path(openai_answers.__file__).read_text(encoding="utf-8"))
    texts = [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and any(ord(char) > 0x3000 for char in node.value)
    ]
    assert len(texts) > 50
    bare = [t for t in texts if re.sub(r"（SendGrid など）|SendGrid では", "", t).count("SendGrid")]
    assert bare == []
    assert "SendGrid retries" not in SYSTEM_PROMPT and "配信サービス" in SYSTEM_PROMPT
