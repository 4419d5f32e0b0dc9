"""The literal index only skips rules that cannot match: same first rule as trying every rule."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from app.core.classify.classifier import Classifier
from app.core.classify.literal_index import LiteralIndex
from app.core.classify.rules import canonical, extract_facts

ROOT = Path(__file__).resolve().parents[3]


@dataclass(frozen=True)
class _Rule:
    any_guarded: tuple[tuple[tuple[str, ...], re.Pattern[str]], ...]


def _rule(*literal_sets: tuple[str, ...]) -> _Rule:
    return _Rule(tuple((literals, re.compile(".")) for literals in literal_sets))


RULES = [
    _rule(("user",)),  # 0
    _rule(("user unknown",)),  # 1
    _rule(("mail box",)),  # 2
    _rule(("box full",)),  # 3: overlaps the end of "mail box"
    _rule(("ox f",)),  # 4: starts inside "box full"
    _rule(("spf", "dkim")),  # 5
    _rule(()),  # 6: a pattern without literals always runs
    _Rule(()),  # 7: no `any` at all (codes only)
    _rule(("unknown",)),  # 8: inside "user unknown"
]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", [6, 7]),
        ("user unknown", [0, 1, 6, 7, 8]),
        ("mail box full", [2, 3, 4, 6, 7]),
        ("superuser", [0, 6, 7]),
        ("dkim=fail", [5, 6, 7]),
        ("nothing here", [6, 7]),
    ],
)
def test_candidates_are_the_rules_one_of_whose_literals_is_present(
    text: str, expected: list[int]
) -> None:
    index = LiteralIndex(RULES, range(len(RULES)))
    assert index.candidates(text) == expected


def test_order_limits_the_rules_considered() -> None:
    index = LiteralIndex(RULES, [1, 3, 6])
    assert index.candidates("user unknown, mail box full") == [1, 3, 6]


def test_first_generic_is_the_first_rule_that_matches_for_every_known_text() -> None:
    """Against a plain walk over every generic rule, on the dev set, every rule example and
    every labelled set's texts (only the texts are read)."""
    rule_set = Classifier.load().rule_set
    texts = [example.text for rule in rule_set.rules for example in rule.examples]
    for path in [ROOT / "resources/sandbox/bounce-reasons.jsonl",
                 *sorted((ROOT / "benchmarks/data").glob("*.jsonl"))]:  # fmt: skip
        lines = path.read_text(encoding="utf-8").splitlines()
        texts += [json.loads(line)["reason_text"] for line in lines if line.strip()]
    rules = rule_set.rules
    for text in texts:
        facts = extract_facts(canonical(text), "")
        walked = next((i for i in rule_set.generic if rules[i].matches(facts)), len(rules))
        assert rule_set.first_generic(facts) == walked, text


def test_few_rule_patterns_run_on_every_text() -> None:
    # A pattern whose start the literal reader cannot follow (a leading optional group such as
    # "(a )?block …", a character range) gets no guard and runs its regex on every new text.
    # The 25 such patterns of the rule base are deliberate (codes, anchored forms); a new one
    # usually is not, and each costs every distinct text a scan: write it starting with its
    # words, or raise this bound and say why in the rule's note.
    rules = Classifier.load().rule_set.rules
    unguarded = [
        (rule.id, pattern.pattern)
        for rule in rules
        for literals, pattern in rule.any_guarded
        if not literals
    ]
    assert len(unguarded) <= 25, unguarded
