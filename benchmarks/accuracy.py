"""Accuracy of the offline classifier on the labelled dev set (reason_text + status only).

Usage: python benchmarks/accuracy.py [path/to/bounce-reasons-dev.jsonl] [--quiet] [--smoke]
Counts ``alt_reasons`` as correct. Prints overall accuracy, a per-reason table and every miss.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

from app.core.classify.classifier import Classifier

# Labeled bounce texts (resources/sandbox/README.md; the sandbox uses them too).
DEFAULT_DATA = (
    Path(__file__).resolve().parents[1] / "resources" / "sandbox" / "bounce-reasons.jsonl"
)


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
        got = classifier.classify(str(row["reason_text"]), str(row.get("status") or ""))
        total[expected] += 1
        if got.reason in accepted:
            right[expected] += 1
        else:
            misses.append((expected, got.reason, got.rule_id, row))
    return sum(right.values()), total, right, misses


def main(argv: list[str]) -> int:
    args = [a for a in argv if not a.startswith("--")]
    path = Path(args[0]) if args else DEFAULT_DATA
    rows = load_rows(path)
    if "--smoke" in argv:  # the test suite's tiny run
        rows = rows[:20]
    correct, total, right, misses = evaluate(Classifier.load(), rows)
    print(f"overall: {correct}/{len(rows)} = {100 * correct / len(rows):.1f}%")
    print(f"{'reason':<16}{'count':>6}{'correct':>9}{'%':>8}")
    for reason, count in sorted(total.items(), key=lambda item: (-item[1], item[0])):
        print(f"{reason:<16}{count:>6}{right[reason]:>9}{100 * right[reason] / count:>7.0f}%")
    if "--quiet" not in argv:
        print(f"\nmisclassified ({len(misses)}):")
        for expected, got, rule_id, row in misses:
            text = str(row["reason_text"]).replace("\n", " ")[:160]
            print(
                f"- expected {expected}, got {got} [{rule_id or '-'}] status={row.get('status')!r}"
            )
            print(f"    {text}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
