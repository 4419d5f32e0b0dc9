"""Japanese Explanations from a decided reason: the rule's texts or the reason's defaults, the
host group's advice, what deleting the entry does, and one shared object per equal answer."""

from __future__ import annotations

import functools

from app.core.classify.rule_set import RuleSet
from app.core.classify.vocabulary import (
    BLOCK_DELETE_JA,
    BLOCK_NOTE_JA,
    DELETE_AFTER_FIX_JA,
    NEEDS_REVIEW_REASONS,
    REASONS,
    ReasonInfo,
)
from app.core.types import DeleteEffect, Explanation, ListKind


def delete_effect(
    kind: str, info: ReasonInfo, *, passes: bool = False, lasting: bool = False
) -> DeleteEffect:
    """What deleting the entry does, from its list first and then its cause."""
    if kind == ListKind.BLOCKS:
        return DeleteEffect.NO_EFFECT  # SendGrid keeps sending to blocked addresses anyway
    if kind == ListKind.SPAM_REPORTS or kind == ListKind.UNSUBSCRIBES:
        return DeleteEffect.HARMFUL
    if lasting:
        return DeleteEffect.AFTER_FIX
    return DeleteEffect.RESEND if passes else info.bounce_delete_effect


class ExplanationBuilder:
    """Builds the classifier's answers over one rule set (its advice per host group)."""

    def __init__(self, rule_set: RuleSet) -> None:
        self._rules = rule_set
        # Equal answers are one shared object: at a million rows this saves memory and lets
        # the grid match its filter once per distinct explanation instead of once per row.
        self._interned: dict[Explanation, Explanation] = {}
        # The same arguments, the same answer: one dict lookup instead of the advice search
        # and an Explanation to hash (the arguments come from a bounded set: rules, reasons,
        # host groups, lists and the fixed 要確認 hints).
        self.build = functools.cache(self._explain)

    def _explain(
        self,
        reason: str,
        rule_id: str,
        explanation_ja: str,
        fix_ja: str,
        delete_ja: str,
        host: str,
        kind: str,
        *,
        temporary: bool,
        passes: bool = False,
        known_permanent: bool = False,
        lasting: bool = False,
        label_ja: str = "",
    ) -> Explanation:
        """``passes``: the rule says the condition goes away by itself (greylisting), so deleting
        the entry lets mail go again; ``known_permanent``: an unknown text with a permanent code."""
        info = REASONS[reason]
        explanation = explanation_ja or info.explanation_ja
        fix = fix_ja or info.fix_ja
        for advice in self._rules.advice_for(host, reason):
            if not (advice.generic_fix_only and fix_ja):
                fix += advice.fix_ja
        # A 4xx answer is temporary unless the rule knows the refusal lasts until a change
        # (a mail loop, "TLS required", "permanently deferred"); rate limits never last.
        permanent = lasting or ((info.permanent or known_permanent) and not temporary)
        if kind == ListKind.BLOCKS:
            explanation = explanation + BLOCK_NOTE_JA
            action = BLOCK_DELETE_JA + fix
        elif delete_ja:
            action = fix + delete_ja
        else:
            lasts_unlike_usual = permanent and not info.permanent
            action = fix + (DELETE_AFTER_FIX_JA if lasts_unlike_usual else info.delete_ja)
        answer = Explanation(
            reason=reason,
            category=info.category,
            permanent=permanent,
            label_ja=label_ja or info.label_ja,
            explanation_ja=explanation,
            action_ja=action,
            source="rules",
            rule_id=rule_id,
            needs_review=reason in NEEDS_REVIEW_REASONS,
            delete_effect=delete_effect(kind, info, passes=passes, lasting=lasting),
        )
        return self._interned.setdefault(answer, answer)
