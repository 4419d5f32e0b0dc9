"""Every rule file loads, every rule's own examples classify to that rule, malformed rules fail."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.classify.classifier import Classifier, default_rules_dir
from app.core.classify.rules import RuleError, load_rules
from app.core.classify.vocabulary import REASONS
from app.core.types import ListKind

CLASSIFIER = Classifier.load()
EXAMPLES = [
    pytest.param(rule, example, id=f"{rule.id}[{number}]")
    for rule in CLASSIFIER.rule_set.rules
    for number, example in enumerate(rule.examples)
]


@pytest.mark.parametrize(("rule", "example"), EXAMPLES)
def test_every_example_classifies_to_its_rule(rule, example) -> None:
    kind = ListKind(example.list_kind) if example.list_kind else None
    explanation = Classifier.load().classify(example.text, example.status, example.email, kind)
    assert (explanation.rule_id, explanation.reason) == (rule.id, rule.reason)


def test_rules_exist_for_every_failure_reason() -> None:
    produced = {rule.reason for rule in CLASSIFIER.rule_set.rules}
    # Reasons the rules must be able to produce (the rest come from list kinds or 要確認).
    not_from_rules = {"onhold", "feedback", "unsubscribed"}
    assert set(REASONS) - not_from_rules - produced == set()


def test_examples_are_not_copies_of_dev_fixtures() -> None:
    dev = Path(__file__).resolve().parents[3] / "resources/sandbox/bounce-reasons.jsonl"
    import json

    with dev.open(encoding="utf-8") as handle:
        fixtures = {json.loads(line)["reason_text"] for line in handle}
    copied = [
        example.text
        for rule in CLASSIFIER.rule_set.rules
        for example in rule.examples
        if example.text and example.text in fixtures
    ]
    assert copied == []


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('[[rule]]\nid = "x"\nreason = "nosuchreason"\nexamples = ["a"]\n', "unknown reason"),
        ('[[rule]]\nid = "x"\nreason = "blocked"\nany = ["("]\nexamples = ["a"]\n', "x"),
        ('[[rule]]\nid = "x"\nreason = "blocked"\nany = ["a"]\n', "example"),
        ('[[rule]]\nid = "x"\nreason = "blocked"\nexamples = ["a"]\nwhen = 1\n', "unknown keys"),
        ('[[rule]]\nid = "x"\nreason = "blocked"\ncodes = ["5.*.x"]\nexamples = ["a"]\n', "code"),
        ("[[rule]\n", "20-bad.toml"),
    ],
)
def test_malformed_rule_files_are_refused(tmp_path: Path, body: str, message: str) -> None:
    (tmp_path / "20-bad.toml").write_text(body, encoding="utf-8")
    with pytest.raises(RuleError, match=message):
        load_rules(tmp_path)


def test_duplicate_rule_ids_are_refused(tmp_path: Path) -> None:
    rule = '[[rule]]\nid = "same"\nreason = "blocked"\nany = ["a"]\nexamples = ["a"]\n'
    (tmp_path / "a.toml").write_text(rule, encoding="utf-8")
    (tmp_path / "b.toml").write_text(rule, encoding="utf-8")
    with pytest.raises(RuleError, match="duplicate"):
        load_rules(tmp_path)


def test_explicit_rules_dir_is_used(tmp_path: Path) -> None:
    (tmp_path / "only.toml").write_text(
        '[[rule]]\nid = "everything-blocked"\nreason = "blocked"\nany = ["."]\nexamples = ["x"]\n',
        encoding="utf-8",
    )
    classifier = Classifier.load(tmp_path)
    assert classifier.classify("550 5.1.1 user unknown").rule_id == "everything-blocked"
    assert Classifier.load(default_rules_dir()).classify("550 5.1.1 user unknown").reason == (
        "userunknown"
    )
