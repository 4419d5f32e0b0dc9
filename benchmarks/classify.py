"""Classify speed vs json.loads of the same entries, measured in the same run.

Usage: python benchmarks/classify.py [--entries N] [--seed S] [--save-templates F | --templates F]

Builds N suppression entries (default 1,000,000) from ~350 reason templates (the dev set texts and
the rules' own examples) with fresh addresses, IPs and ids in every entry, repeated with a skewed
(Zipf-like) frequency as in real lists. Baseline: ``json.loads`` of the N entries as JSON lines.
Goal: classify time <= json.loads time (ratio <= 1.0).

The templates come from the rules' own examples, so a commit that adds examples also changes the
mix. To compare two commits on the same entries, save the templates at one
(``--save-templates F``) and run both with ``--templates F``.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import re
import time
import zlib
from datetime import UTC, datetime
from pathlib import Path

from app.core.classify.classifier import Classifier
from app.core.types import ListKind, SuppressionEntry

DEV_DATA = Path(__file__).resolve().parents[1] / "resources/sandbox/bounce-reasons.jsonl"
_EMAIL = re.compile(r"[\w.+-]+@([\w-]+\.)+[\w-]+")
_IP = re.compile(r"\b\d{1,3}(?:\.\d{1,3}){3}\b")
_HEX_ID = re.compile(r"\b[0-9a-f]{8,}\b", re.IGNORECASE)
_DOMAINS = (
    ["gmail.com"] * 30 + ["docomo.ne.jp"] * 8 + ["ezweb.ne.jp"] * 5 + ["au.com"] * 3
    + ["softbank.ne.jp"] * 4 + ["i.softbank.jp"] * 4 + ["yahoo.co.jp"] * 10 + ["outlook.jp"] * 4
    + ["hotmail.com"] * 4 + ["icloud.com"] * 6 + ["city.example.lg.jp"] * 2
    + [f"corp{i}.example.co.jp" for i in range(40)]
)  # fmt: skip


def _templates(classifier: Classifier) -> list[tuple[str, str]]:
    templates: list[tuple[str, str]] = []
    if DEV_DATA.exists():
        with DEV_DATA.open(encoding="utf-8") as handle:
            for line in handle:
                row = json.loads(line)
                templates.append((row["reason_text"], row.get("status") or ""))
    for rule in classifier.rule_set.rules:
        templates.extend((example.text, example.status) for example in rule.examples)
    return templates


def _entries(templates: list[tuple[str, str]], count: int, rng: random.Random) -> list[dict]:
    weights = [1 / (rank + 1) for rank in range(len(templates))]  # Zipf-like skew
    # Rank by a hash of each text, not by a shuffle: a shuffle let every rule added to
    # resources/rules reorder the whole mix (and so the measured ratio); with a fixed key a new
    # template only takes its own place.
    templates.sort(key=lambda template: zlib.crc32(template[0].encode("utf-8")))
    picks = rng.choices(range(len(templates)), weights=weights, k=count)
    entries = []
    for index in picks:
        text, status = templates[index]
        local = f"user{rng.randrange(10**7)}"
        domain = rng.choice(_DOMAINS)
        email = f"{local}@{domain}"
        text = _EMAIL.sub(email, text)
        text = _IP.sub(lambda _m: ".".join(str(rng.randrange(256)) for _ in range(4)), text)
        text = _HEX_ID.sub(lambda _m: f"{rng.getrandbits(64):016x}", text)
        entries.append(
            {"email": email, "created": 1_700_000_000 + rng.randrange(10**7), "reason": text,
             "status": status}
        )  # fmt: skip
    return entries


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--smoke", action="store_true", help="a tiny run (the test suite's)")
    parser.add_argument("--save-templates", type=Path, help="write the templates (JSON) and stop")
    parser.add_argument("--templates", type=Path, help="use templates written by --save-templates")
    args = parser.parse_args()
    if args.smoke:
        args.entries, args.rounds = 2_000, 1

    classifier = Classifier.load()
    rng = random.Random(args.seed)
    if args.templates:
        saved = json.loads(args.templates.read_text(encoding="utf-8"))
        templates = [(str(text), str(status)) for text, status in saved]
    else:
        templates = _templates(classifier)
    if args.save_templates:
        args.save_templates.write_text(json.dumps(templates, ensure_ascii=False), "utf-8")
        print(f"{len(templates)} templates written to {args.save_templates}")
        return 0
    entries = _entries(templates, args.entries, rng)
    lines = [json.dumps(entry, ensure_ascii=False) for entry in entries]
    created = datetime.fromtimestamp(1_700_000_000, tz=UTC)
    # The app classifies SuppressionEntry objects page by page (500 per page), as here.
    records = [
        SuppressionEntry(ListKind.BOUNCES, e["email"], created, e["status"], e["reason"])
        for e in entries
    ]
    pages = [records[i : i + 500] for i in range(0, len(records), 500)]
    del entries
    print(f"entries: {len(lines):,} from {len(templates)} templates")

    # The machine is shared: interleave several rounds and compare the best of each. Every
    # classify round starts from a fresh Classifier, so its memo is cold (loading excluded).
    loads = json.loads
    json_times: list[float] = []
    classify_times: list[float] = []
    memo_entries = 0
    for round_number in range(1, args.rounds + 1):
        # Garbage left by the set-up (or the other side) must not be collected on either
        # side's clock; collections caused by the timed code itself stay in its time.
        gc.collect()
        start = time.perf_counter()
        for line in lines:
            loads(line)
        json_times.append(time.perf_counter() - start)

        fresh = Classifier(classifier.rule_set)
        classify_entries = fresh.classify_entries
        gc.collect()
        start = time.perf_counter()
        for page in pages:
            classify_entries(page)
        classify_times.append(time.perf_counter() - start)
        memo_entries = fresh.memo_entries
        print(
            f"round {round_number}: json.loads {json_times[-1]:.3f} s, classify "
            f"{classify_times[-1]:.3f} s, ratio {classify_times[-1] / json_times[-1]:.2f}"
        )

    n = len(lines)
    best_json, best_classify = min(json_times), min(classify_times)
    print(f"json.loads : {best_json:7.3f} s  {n / best_json:12,.0f} entries/s (best round)")
    print(f"classify   : {best_classify:7.3f} s  {n / best_classify:12,.0f} entries/s (best round)")
    print(f"distinct canonical keys (level-2 memo): {memo_entries:,}")
    print(f"ratio classify/json.loads = {best_classify / best_json:.2f} (goal <= 1.00)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
