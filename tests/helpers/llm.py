"""The key the OpenAI imitation accepts in the LLM tests (no real key anywhere), and one row
refined with a scripted reply."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.core.classify.cache import ExplanationCache
    from app.core.classify.llm import RefineResult
    from app.core.types import Explanation, ListKind
    from app.sandbox.openai_server import OpenAISandbox

LLM_KEY = "sk-sandbox-test-key-0123456789"


def refine_with_text(
    sandbox: OpenAISandbox,
    cache: ExplanationCache,
    row: tuple[str, str, ListKind],
    field: str,
    text: str,
) -> tuple[Explanation, RefineResult]:
    """Refine one row (reason text, status, list) while the imitation answers with ``text`` in
    ``field`` (and the rule's own reason): the rule result and what refinement made of it."""
    from app.core.classify.classifier import Classifier
    from app.core.classify.llm import LlmRefiner, LlmSettings
    from app.sandbox.openai_server import ScriptedReply

    reason_text, status, kind = row
    rule = Classifier.load().classify(reason_text, status, "", kind)
    sandbox.script(
        ScriptedReply(
            mutate=lambda reply: {
                "items": [{**item, "reason": rule.reason, field: text} for item in reply["items"]]
            }
        )
    )
    settings = LlmSettings(sandbox.start(), "sandbox-model", LLM_KEY, timeout_s=5.0, enabled=True)
    return rule, LlmRefiner(settings, cache).refine([(reason_text, status, kind, rule)])
