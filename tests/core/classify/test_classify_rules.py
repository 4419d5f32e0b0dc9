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


_SOURCES = '[source.t]\ntitle = "a test page"\nurl = "https://example.org/"\n'
_SRC = 'sources = ["t"]\n'


def _rules_dir(path: Path, **files: str) -> Path:
    (path / "sources.toml").write_text(_SOURCES, encoding="utf-8")
    for name, body in files.items():
        (path / name).write_text(body, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            '[[rule]]\nid = "x"\nreason = "nosuchreason"\nexamples = ["a"]\n' + _SRC,
            "unknown reason",
        ),
        ('[[rule]]\nid = "x"\nreason = "blocked"\nany = ["("]\nexamples = ["a"]\n' + _SRC, "x"),
        ('[[rule]]\nid = "x"\nreason = "blocked"\nany = ["a"]\n' + _SRC, "example"),
        (
            '[[rule]]\nid = "x"\nreason = "blocked"\nexamples = ["a"]\nwhen = 1\n' + _SRC,
            "unknown keys",
        ),
        (
            '[[rule]]\nid = "x"\nreason = "blocked"\ncodes = ["5.*.x"]\nexamples = ["a"]\n' + _SRC,
            "code",
        ),
        ("[[rule]\n", "20-bad.toml"),
        ('[[rule]]\nid = "x"\nreason = "blocked"\nany = ["a"]\nexamples = ["a"]\n', "sources"),
        ('[[rule]]\nid = "x"\nreason = "blocked"\nsources = ["nope"]\nexamples = ["a"]\n', "nope"),
        # A rule's own label is a short line, as the reasons' are (the grid and report show it).
        (
            '[[rule]]\nid = "x"\nreason = "blocked"\nany = ["a"]\nexamples = ["a"]\n'
            + 'label_ja = "'
            + "長" * 21
            + '"\n'
            + _SRC,
            "label_ja",
        ),
        # A mailbox-provider catalogue cannot hold a rule that would fire for every host.
        (
            'layer = "hosts"\n[[rule]]\nid = "x"\nreason = "filtered"\nany = ["unknown user"]\n'
            + _SRC
            + 'examples = ["a"]\n',
            "needs hosts",
        ),
    ],
)
def test_malformed_rule_files_are_refused(tmp_path: Path, body: str, message: str) -> None:
    with pytest.raises(RuleError, match=message):
        load_rules(_rules_dir(tmp_path, **{"20-bad.toml": body}))


def test_duplicate_rule_ids_are_refused(tmp_path: Path) -> None:
    rule = '[[rule]]\nid = "same"\nreason = "blocked"\nany = ["a"]\nexamples = ["a"]\n' + _SRC
    with pytest.raises(RuleError, match="duplicate"):
        load_rules(_rules_dir(tmp_path, **{"a.toml": rule, "b.toml": rule}))


def test_explicit_rules_dir_is_used(tmp_path: Path) -> None:
    rule = (
        '[[rule]]\nid = "everything-blocked"\nreason = "blocked"\nany = ["."]\nexamples = ["x"]\n'
    )
    classifier = Classifier.load(_rules_dir(tmp_path, **{"only.toml": rule + _SRC}))
    assert classifier.classify("550 5.1.1 user unknown").rule_id == "everything-blocked"
    assert Classifier.load(default_rules_dir()).classify("550 5.1.1 user unknown").reason == (
        "userunknown"
    )


def test_every_rule_cites_known_public_sources() -> None:
    from app.core.classify.rules import load_sources

    sources = load_sources(default_rules_dir())
    assert all(entry["url"].startswith(("https://", "http://")) for entry in sources.values())
    for rule in CLASSIFIER.rule_set.rules:
        assert rule.sources and set(rule.sources) <= set(sources), rule.id


@pytest.mark.parametrize(
    ("pattern", "literals"),
    [
        ("user unknown", ("user unknown",)),
        ("users? unknown", ("user",)),
        ("mail ?box", ("mail",)),
        ("Over Quota", ("over quota",)),
        ("relay(ing)? denied", ("relay",)),
        ("ab|cd", ("ab", "cd")),
        ("a[bc]d|e", ("abd", "acd", "e")),
        ("(spf|dmarc) check", ("dmarc check", "spf check")),
        ("\\bspf\\b", ("spf",)),
        ("(?<![\\w-])header error", ("header error",)),
        ("\\(rtr:rd\\)", ("(rtr:rd)",)),
        ("(address|addressee)s? invalid", ("address",)),  # "addressee" holds "address"
        ("x{2,}yz", ("x",)),
        ("(?:x|)y", ("y",)),
        # Nothing every match must contain: no guard, the regex always runs.
        ("a*b", ()),
        ("\\d+ foo", ()),
        ("[a-z]oo", ()),
        ("(a|.)b", ()),
        ("(", ()),
    ],
)
def test_required_literals_are_in_every_match(pattern: str, literals: tuple[str, ...]) -> None:
    from app.core.classify.literals import required_literals

    assert required_literals(pattern) == literals


def test_literal_guards_never_change_which_rule_matches() -> None:
    """The substring guard only skips regexes that could not match: compare with plain search."""
    import json

    from app.core.classify.rules import any_matches, canonical

    path = Path(__file__).resolve().parents[3] / "resources" / "sandbox" / "bounce-reasons.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()
    texts = [json.loads(line)["reason_text"] for line in lines if line.strip()]
    texts += [example.text for rule in CLASSIFIER.rule_set.rules for example in rule.examples]
    for data in sorted((path.parents[2] / "benchmarks" / "data").glob("*.jsonl")):
        rows = data.read_text(encoding="utf-8").splitlines()
        texts += [json.loads(line)["reason_text"] for line in rows if line.strip()]
    for text in texts:
        form = canonical(text)
        for rule in CLASSIFIER.rule_set.rules:
            plain = not rule.any or any(pattern.search(form) for pattern in rule.any)
            guarded = not rule.any_guarded or any_matches(rule.any_guarded, form)
            assert plain == guarded, (rule.id, text)
            # Stronger than the answer: every match found holds one of its pattern's literals.
            for literals, pattern in rule.any_guarded:
                found = pattern.search(form)
                if found and literals:
                    assert any(literal in found.group() for literal in literals), (rule.id, text)


@pytest.mark.parametrize(
    "text",
    [
        "451 4.7.1 Greylisting in action, please come back later",
        "450 4.2.0 <a@example.org>: Recipient address rejected: Greylisted, see"
        " http://postgrey.schweikert.ch/help/example.org.html",
        "451 Internal resource temporarily unavailable - https://community.mimecast.com/docs/DOC-1369#451",
    ],
)
def test_greylisting_is_labelled_as_what_it_is(text: str) -> None:
    """Greylisting is filed under speeding (a temporary deferral that passes), but it is not
    "sending too fast": its label says 一時保留（グレーリスト）, the reason stays speeding."""
    answer = CLASSIFIER.classify(text)
    assert answer.reason == "speeding" and not answer.permanent
    assert answer.label_ja == "一時保留（グレーリスト）", answer.rule_id
    assert CLASSIFIER.classify("421 4.7.0 Try again later, closing connection.").label_ja == (
        REASONS["speeding"].label_ja
    )


@pytest.mark.parametrize(
    ("text", "label"),
    [
        (
            "Delivery to the following recipient has been delayed: Message will be retried for"
            " 2 more day(s)",
            "配送の遅延（再送中）",
        ),
        ("554 5.4.6 Hop count exceeded - possible mail loop", "メールの転送ループ"),
        ("450 4.7.1 Try again later", "一時保留（理由の記載なし）"),
        (
            "550 5.4.5 Daily user sending limit exceeded. For more information on Gmail sending"
            " limits go to https://support.google.com/a/answer/166852",
            "送信側の送信上限",
        ),
        (
            "554 Message rejected: Email address is not verified. The following identities"
            " failed the check in region US-EAST-1: shop@example.jp",
            "送信元が SES で未検証",
        ),
    ],
)
def test_labels_do_not_claim_more_than_the_text_says(text: str, label: str) -> None:
    """A delay notice is not an expiry, a loop is not a network failure, and a bare "try
    again later" names no cause: their labels said 配送期限切れ, ネットワーク・DNS の障害 and
    送信ペースが速すぎる."""
    assert CLASSIFIER.classify(text).label_ja == label


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("5.4.1 Destinataire refusé : accès refusé", "userunknown"),
        ("5.4.1 Connection timed out", "expired"),
        ("5.4.1 Message delayed, will retry", "expired"),
        ("", "expired"),
    ],
)
def test_a_bare_5_4_1_is_exchanges_refusal_unless_it_says_otherwise(text: str, reason: str) -> None:
    """Exchange Online's translated NDRs may carry 5.4.1 without the 550: the server answered
    and refused the address, which RFC 3463's "no answer from host" cannot mean."""
    assert CLASSIFIER.classify(text, "5.4.1").reason == reason
