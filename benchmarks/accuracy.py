"""Accuracy of the offline classifier on labelled sets, each scored on its own.

Usage: python benchmarks/accuracy.py [SET.jsonl ...] [--quiet] [--by-source]

Without paths it scores the dev set (resources/sandbox/bounce-reasons.jsonl, texts from Sisimai's
public fixtures) and our own catalogue set (benchmarks/data/own-catalogue.jsonl, texts written
in the wording the mailbox providers and MTAs document, written before their rules). Counts
``alt_reasons`` as correct. A row may carry ``email`` (its host group then counts, as in the app)
and ``permanent`` (then the ``permanent`` flag is scored too). ``--by-source`` scores the rules
by the sources they cite: a rule citing only ``dev-set`` must not carry the other sets.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

from app.core.classify.classifier import Classifier
from app.core.classify.rules import RuleSet

ROOT = Path(__file__).resolve().parents[1]
# The labelled dev set: texts and labels from Sisimai's public test fixtures (the sandbox uses it).
DEFAULT_DATA = ROOT / "resources" / "sandbox" / "bounce-reasons.jsonl"
OWN_CATALOGUE = ROOT / "benchmarks" / "data" / "own-catalogue.jsonl"
DEV_SOURCE = "dev-set"


def load_rows(path: Path) -> list[dict[str, object]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def evaluate(classifier: Classifier, rows: list[dict[str, object]]):
    """Return (correct count, per-reason Counter pairs, misses)."""
    total: Counter[str] = Counter()
    right: Counter[str] = Counter()
    misses = []
    for row in rows:
        expected = str(row["expected_reason"])
        accepted = {expected, *(str(alt) for alt in row.get("alt_reasons") or [])}
        got = classify_row(classifier, row)
        total[expected] += 1
        if got.reason in accepted:
            right[expected] += 1
        else:
            misses.append((expected, got.reason, got.rule_id, row))
    return sum(right.values()), total, right, misses


def classify_row(classifier: Classifier, row: dict[str, object]):
    """A row's address, or one at its ``recipient_domain``: host groups count, as in the app."""
    email = str(row.get("email") or "")
    if not email and row.get("recipient_domain"):
        email = f"someone@{row['recipient_domain']}"
    return classifier.classify(str(row["reason_text"]), str(row.get("status") or ""), email)


def permanent_score(classifier: Classifier, rows: list[dict[str, object]]) -> tuple[int, int, int]:
    """(rows with a permanent label, rows right, temporary rows called permanent)."""
    labelled = [row for row in rows if isinstance(row.get("permanent"), bool)]
    right = wrong_temporary = 0
    for row in labelled:
        got = classify_row(classifier, row).permanent
        right += got is row["permanent"]
        wrong_temporary += got and row["permanent"] is False
    return len(labelled), right, wrong_temporary


def by_source(classifier: Classifier, sets: dict[str, list[dict[str, object]]]) -> None:
    """How many right answers each rule source carries per set (dev-only rules should carry none
    outside the dev set)."""
    sources = {rule.id: rule.sources for rule in classifier.rule_set.rules}
    for name, rows in sets.items():
        carried: Counter[str] = Counter()
        for row in rows:
            got = classify_row(classifier, row)
            accepted = {str(row["expected_reason"]), *(row.get("alt_reasons") or [])}
            if got.reason in accepted:
                for source in sources.get(got.rule_id, ("(none)",)):
                    carried[source] += 1
        listing = ", ".join(f"{source} {count}" for source, count in carried.most_common())
        print(f"  {name}: right answers by rule source: {listing}")


def without_dev_rules(classifier: Classifier) -> Classifier:
    """The same rules minus those that cite the dev set (they exist for one of its lines)."""
    rules = classifier.rule_set
    kept = tuple(rule for rule in rules.rules if DEV_SOURCE not in rule.sources)
    return Classifier(RuleSet(kept, rules.advice))


def report(name: str, classifier: Classifier, rows: list[dict[str, object]], quiet: bool) -> None:
    correct, total, right, misses = evaluate(classifier, rows)
    print(f"== {name}: {correct}/{len(rows)} = {100 * correct / len(rows):.1f}%")
    plain = evaluate(without_dev_rules(classifier), rows)[0]
    share = 100 * plain / len(rows)
    print(f"   without rules citing {DEV_SOURCE}: {plain}/{len(rows)} = {share:.1f}%")
    labelled, perm_right, temp_called_perm = permanent_score(classifier, rows)
    if labelled:
        print(
            f"   permanent right: {perm_right}/{labelled} = {100 * perm_right / labelled:.1f}%;"
            f" temporary texts called permanent: {temp_called_perm}"
        )
    if quiet:
        return
    print(f"{'reason':<16}{'count':>6}{'correct':>9}{'%':>8}")
    for reason, count in sorted(total.items(), key=lambda item: (-item[1], item[0])):
        print(f"{reason:<16}{count:>6}{right[reason]:>9}{100 * right[reason] / count:>7.0f}%")
    print(f"\nmisclassified ({len(misses)}):")
    for expected, got, rule_id, row in misses:
        text = str(row["reason_text"]).replace("\n", " ")[:160]
        print(f"- expected {expected}, got {got} [{rule_id or '-'}] status={row.get('status')!r}")
        print(f"    {text}")


def main(argv: list[str]) -> int:
    args = [a for a in argv if not a.startswith("--")]
    paths = [Path(a) for a in args] or [DEFAULT_DATA, OWN_CATALOGUE]
    classifier = Classifier.load()
    sets = {path.name: load_rows(path) for path in paths}
    for name, rows in sets.items():
        report(name, classifier, rows, "--quiet" in argv)
    if "--by-source" in argv:
        by_source(classifier, sets)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
