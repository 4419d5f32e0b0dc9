"""The rules as loaded (``Rule``, ``Advice``) and the ordered matcher over them (``RuleSet``)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from app.core.classify.facts import Facts
from app.core.classify.literal_index import LiteralIndex


def any_matches(guarded: tuple[tuple[tuple[str, ...], re.Pattern[str]], ...], text: str) -> bool:
    """Whether one of the guarded patterns matches ``text``: each regex runs only when one of
    its literals is in the text (or it has none)."""
    for literals, pattern in guarded:
        if literals:
            for literal in literals:
                if literal in text:
                    break
            else:
                continue  # none of its literals: this pattern cannot match
        if pattern.search(text):
            return True
    return False


@dataclass(frozen=True, slots=True)
class Example:
    """A text a rule must classify to itself (checked by the tests)."""

    text: str
    status: str = ""
    email: str = ""
    list_kind: str = ""


@dataclass(frozen=True, slots=True)
class Rule:
    """One ordered rule: every given condition must hold."""

    id: str
    reason: str
    any: tuple[re.Pattern[str], ...] = ()
    all: tuple[re.Pattern[str], ...] = ()
    none: tuple[re.Pattern[str], ...] = ()
    codes: re.Pattern[str] | None = None
    no_codes: re.Pattern[str] | None = None
    reply: re.Pattern[str] | None = None
    hosts: frozenset[str] = frozenset()
    lists: frozenset[str] = frozenset()
    explanation_ja: str = ""
    fix_ja: str = ""
    delete_ja: str = ""
    # The reason's short label, said more exactly for this rule's texts (greylisting is filed
    # under speeding but is not "sending too fast"); "" keeps the reason's own.
    label_ja: str = ""
    examples: tuple[Example, ...] = ()
    source_file: str = ""
    sources: tuple[str, ...] = ()  # ids of sources.toml: the public pages this rule stands on
    temporary: bool = False  # the text names a condition that passes by itself (greylisting)
    # The text names a refusal that lasts until someone changes something, even in a 4xx reply
    # ("TLS required", "permanently deferred", a mail loop): permanent whatever the class says.
    lasting: bool = False
    # (literals, pattern) per `any` pattern: a pattern runs only when one of the literals every
    # match contains is in the text (C-level substring tests), which skips most regex scans;
    # () for a pattern without such literals, which always runs.
    any_guarded: tuple[tuple[tuple[str, ...], re.Pattern[str]], ...] = ()

    def matches(self, facts: Facts) -> bool:
        if self.hosts and facts.host not in self.hosts:
            return False
        if self.lists and facts.list_kind not in self.lists:
            return False
        if self.codes is not None and not self.codes.fullmatch(facts.code):
            return False
        if self.no_codes is not None and self.no_codes.fullmatch(facts.code):
            return False
        if self.reply is not None and not self.reply.fullmatch(facts.reply):
            return False
        text = facts.text
        if self.any_guarded and not any_matches(self.any_guarded, text):
            return False
        if not all(pattern.search(text) for pattern in self.all):
            return False
        return not any(pattern.search(text) for pattern in self.none)


@dataclass(frozen=True, slots=True)
class Advice:
    """Extra next-step text for a host group (e.g. lg.jp), appended after the reason's fix."""

    id: str
    hosts: frozenset[str]
    reasons: frozenset[str]  # empty = every reason
    fix_ja: str
    # Only where the reason's generic next step is used: a rule with its own fix_ja for this
    # host group already says it (the carriers' 指定受信), and saying it twice reads as noise.
    generic_fix_only: bool = False


@dataclass(frozen=True, slots=True)
class RuleSet:
    rules: tuple[Rule, ...]
    advice: tuple[Advice, ...]
    # Indexes of the rules without a host condition, in order.
    generic: tuple[int, ...] = field(init=False, repr=False, compare=False)
    # Per host group, in order, the indexes of the rules limited to it (``first_for_host``).
    by_host: dict[str, tuple[int, ...]] = field(init=False, repr=False, compare=False)
    # The generic rules a text may match, found by one scan for all their guard literals. A
    # rule whose literals all hold a provider id's shape ("_416", "ib504") is no candidate for a
    # text without ids: after the leading codes only a kept id has a letter next to a digit 1-9.
    generic_index: LiteralIndex = field(init=False, repr=False, compare=False)
    # Per host group, in order, the advice for it (``advice_for``).
    advice_by_host: dict[str, tuple[Advice, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        generic = tuple(index for index, rule in enumerate(self.rules) if not rule.hosts)
        object.__setattr__(self, "generic", generic)
        by_host: dict[str, list[int]] = {}
        for index, rule in enumerate(self.rules):
            for host in rule.hosts:
                by_host.setdefault(host, []).append(index)
        object.__setattr__(self, "by_host", {h: tuple(i) for h, i in by_host.items()})
        object.__setattr__(self, "generic_index", LiteralIndex(self.rules, generic))
        advice_by_host: dict[str, list[Advice]] = {}
        for item in self.advice:
            for host in item.hosts:
                advice_by_host.setdefault(host, []).append(item)
        object.__setattr__(
            self, "advice_by_host", {h: tuple(items) for h, items in advice_by_host.items()}
        )

    def first_match(self, facts: Facts) -> Rule | None:
        index = self.first_for_host(facts, self.first_generic(facts))
        return self.rules[index] if index < len(self.rules) else None

    def first_generic(self, facts: Facts) -> int:
        """Index of the first matching rule without a host condition (len(rules) if none).

        Split from the host rules so the classifier can memoise it once per text for every
        recipient host group, instead of re-running every regex per group.
        """
        rules = self.rules
        for candidate in self.generic_index.candidates(facts.text):
            if rules[candidate].matches(facts):
                return candidate
        return len(rules)

    def first_for_host(self, facts: Facts, limit: int) -> int:
        """Index of the first host rule before ``limit`` that matches, else ``limit``."""
        rules = self.rules
        for index in self.by_host.get(facts.host, ()) if facts.host else ():
            if index >= limit:
                break
            if rules[index].matches(facts):
                return index
        return limit

    def advice_for(self, host: str, reason: str) -> tuple[Advice, ...]:
        return tuple(
            item
            for item in self.advice_by_host.get(host, ())
            if not item.reasons or reason in item.reasons
        )
