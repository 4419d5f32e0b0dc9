"""Hostile reasons: worst classify time on texts built to make regexes backtrack, as a ratio.

Two measurements, each against a baseline taken in the same run on the same machine:

1. ``classify()`` of crafted reasons of ``--chars`` characters (long runs of one character,
   repeated tokens, long spaces, "a…a@" that once made the quoted-address search quadratic),
   each on a fresh Classifier (cold memos), against a plain reply of the same length.
2. Every compiled rule pattern (resources/rules/*.toml) searched in crafted texts as long as
   the head the classifier reads (``MATCH_CHARS``), against the same search in a plain reply of
   that length. Patterns read only that head, so this is the worst a reason can cost them.

Prints the worst ratio of each and the inputs behind it. A ratio near 1 means no crafted text
costs more than ordinary text; a catastrophic pattern shows up as a ratio in the thousands.
"""

from __future__ import annotations

import argparse
import re
import time

from app.core.classify.classifier import MATCH_CHARS, Classifier
from app.core.classify.rules import RuleSet

_PLAIN = "550 5.1.1 The email account that you tried to reach does not exist. Please check. "
# The patterns' baseline: ordinary words no rule matches, so each search scans the whole text.
_FILLER = "the quick brown fox jumps over the lazy dog while it rains in kyoto today. "


def _crafted(chars: int) -> dict[str, str]:
    half = chars // 2
    texts = {
        "a*N+@": "a" * chars + "@",
        "@+a*N": "@" + "a" * chars,
        "(a.)*N+@": "a." * half + "@",
        "(a@)*N": "a@" * half,
        "spaces": " " * chars,
        "550+spaces+x": "550" + " " * chars + "x",
        "digits": "5" * chars,
        "(5.)*N": "5." * half,
        "550 5.1.1 repeated": "550 5.1.1 " * (chars // 10),
        "user unknown repeated": "user unknown " * (chars // 13),
        "(x-)*N": "x-" * half,
        "newlines": "\n" * chars,
        "<*N": "<" * chars,
        "(<a@)*N": "<a@" * (chars // 3),
        "(*N": "(" * chars,
        "full-width": "ａ" * chars,
        "NFKC 18-fold (U+FDFA)": "\ufdfa" * chars,
        "zero-width": "\u200b" * chars,
        "japanese": "あ" * chars,
        "NUL": "\0" * chars,
        # qmail's log form ("failure: a_b_c/...") is unfolded before anything else is read
        "qmail log (a_)*N+x": "failure: " + "a_" * half + " x",
        "qmail log (_/)*N": "delivery 1: failure: " + "_/" * half,
    }
    return {name: text[: chars + 1] for name, text in texts.items()}


def _plain(chars: int, sample: str = _PLAIN) -> str:
    return (sample * (chars // len(sample) + 1))[:chars]


def _best_of(rounds: int, work: object) -> float:
    assert callable(work)
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - start)
    return best


def classify_ratio(rules: RuleSet, chars: int, rounds: int) -> tuple[float, str, float]:
    """(worst crafted ÷ plain, its name, plain seconds) for one classify() on a cold memo."""

    def timed(text: str) -> float:
        return _best_of(rounds, lambda: Classifier(rules).classify(text))

    plain = timed(_plain(chars))
    worst_name, worst = max(
        ((name, timed(text)) for name, text in _crafted(chars).items()), key=lambda item: item[1]
    )
    return worst / plain, worst_name, plain


def _pattern_inputs(pattern: re.Pattern[str], chars: int) -> list[tuple[str, str]]:
    words = sorted(set(re.findall(r"[a-z]{2,}", pattern.pattern.lower()))) or ["a"]
    inputs = [(f"char {c!r}", c * chars) for c in " a0.-@<(#"]
    for word in words:
        count = chars // (len(word) + 1) + 1
        for glue in ("", " ", "-", "."):
            inputs.append((f"({word}{glue})*N", ((word + glue) * count)[:chars]))
        inputs.append((f"{word}+spaces", (word + " " * chars)[:chars]))
    return inputs


def pattern_ratio(
    rules: RuleSet, chars: int, limit: int | None, rounds: int
) -> tuple[float, str, str, float]:
    """(worst crafted ÷ plain search time, rule id, input, its seconds) over every pattern."""
    plain = _plain(chars, _FILLER)
    worst = (0.0, "", "", 0.0)
    patterns = [
        (rule.id, pattern) for rule in rules.rules for pattern in (*rule.any, *rule.all, *rule.none)
    ]
    for rule_id, pattern in patterns[:limit]:
        base = max(_best_of(3, lambda p=pattern: p.search(plain)), 1e-6)
        for name, text in _pattern_inputs(pattern, chars):
            took = _best_of(rounds, lambda p=pattern, t=text: p.search(t))
            if took / base > worst[0]:
                worst = (took / base, rule_id, f"{name} on /{pattern.pattern[:60]}/", took)
    return worst


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--chars", type=int, default=100_000, help="length of crafted reasons")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--smoke", action="store_true", help="a tiny run (the test suite's)")
    args = parser.parse_args()
    limit = None
    head = MATCH_CHARS
    if args.smoke:
        args.chars, args.rounds, limit, head = 2_000, 1, 40, 500
    rules = Classifier.load().rule_set

    ratio, name, plain = classify_ratio(rules, args.chars, args.rounds)
    print(f"classify, {args.chars:,}-character reasons: plain {plain * 1000:.2f} ms")
    print(f"  worst crafted / plain ratio: {ratio:.1f} ({name})")

    ratio, rule_id, what, took = pattern_ratio(rules, head, limit, args.rounds)
    print(f"rule patterns on {head:,}-character heads (what the classifier reads):")
    print(f"  worst crafted / plain search ratio: {ratio:.1f} (rule {rule_id}: {what})")
    print(f"  that search took {took * 1000:.2f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
