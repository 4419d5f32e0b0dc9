"""LLM refinement cost: requests per distinct template, cache reuse, and masking speed.

Run: .venv/bin/python benchmarks/llm_requests.py [--entries 100000] [--batch 25]
Builds entries from ~300 distinct reason wordings with a different address, IP and message id
in every entry, refines them twice against the local OpenAI sandbox (second run with a new
refiner and a new cache connection), and prints requests vs templates. Goals: first run
<= templates/10 requests, second run 0. Masking speed is printed as a ratio against a
whitespace-collapse baseline measured in the same run.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.core.classify.cache import ExplanationCache
from app.core.classify.llm import LlmRefiner, LlmSettings
from app.core.classify.template import reason_template
from app.core.types import Explanation, ListKind
from app.sandbox.openai_server import OpenAISandbox

PHRASES = [
    "User unknown",
    "Mailbox full",
    "Recipient address rejected: Access denied",
    "Message rejected due to local policy",
    "Requested action not taken: mailbox unavailable",
    "Sender address rejected: Domain not found",
    "Client host rejected: blocked using spamhaus",
    "Message content rejected as spam",
    "Temporary deferral due to unexpected volume",
    "DMARC policy violation for sending domain",
    "TLS required but not offered",
    "Message size exceeds fixed maximum",
    "Too many connections from your host",
    "Account disabled for inactivity",
    "Relay access denied",
    "Host or domain name not found",
    "Connection timed out while talking to mail exchanger",
    "Service unavailable, try again later",
    "Reverse DNS lookup failed for client",
    "Mailbox has moved, no forwarding address",
]
CODES = [
    ("550", "5.1.1"),
    ("550", "5.7.1"),
    ("554", "5.7.1"),
    ("552", "5.2.2"),
    ("421", "4.7.0"),
    ("450", "4.2.1"),
    ("451", "4.3.0"),
    ("553", "5.1.8"),
    ("550", "5.7.26"),
    ("552", "5.3.4"),
    ("530", "5.7.0"),
    ("550", "5.2.1"),
    ("554", "5.4.6"),
    ("550", "5.1.2"),
    ("452", "4.2.2"),
]
SHAPES = [
    "{code} {enh} <{addr}>... {phrase} [{ip}] {mid} - gsmtp",
    "{code} {enh} {phrase}: {addr} (queued as {mid}) from {host}[{ip}]",
]
DOMAINS = ["docomo.ne.jp", "gmail.com", "ezweb.ne.jp", "shop{n}.example.co.jp", "city{n}.lg.jp"]

HINT = Explanation(
    "onhold", "Unclassified", False, "判定保留", "不明", "原文を確認", needs_review=True
)


def build_entries(
    count: int, seed: int = 7, *, mixed_domains: bool = False
) -> list[tuple[str, str, ListKind, Explanation]]:
    """``count`` entries over 300 wordings; every entry has its own address, IP and id.

    Each wording comes with one kind of recipient domain (a carrier, a big provider, or an
    ordinary company) unless ``mixed_domains``: then any wording may meet any domain, and a
    big provider's group label (``<email:docomo>``) makes extra templates.
    """
    rng = random.Random(seed)
    wordings = [
        (shape, phrase, code)
        for phrase in PHRASES
        for code in CODES[: 300 // (len(PHRASES) * len(SHAPES)) or 1]
        for shape in SHAPES
    ]
    entries = []
    for i in range(count):
        shape, phrase, (code, enh) = wordings[i % len(wordings)]
        n = rng.randrange(10_000)
        local = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(8)) + str(n)
        kind = rng.choice(DOMAINS) if mixed_domains else DOMAINS[i % len(wordings) % len(DOMAINS)]
        domain = kind.format(n=n)
        ip = ".".join(str(rng.randrange(256) if k else rng.randrange(1, 224)) for k in range(4))
        mid = f"{rng.getrandbits(64):016x}-{rng.getrandbits(32):x}si{rng.randrange(10**9)}"
        host = f"mx{n}.{domain.split('.', 1)[-1]}"
        text = shape.format(
            code=code, enh=enh, addr=f"{local}@{domain}", phrase=phrase, ip=ip, mid=mid, host=host
        )
        entries.append((text, enh, ListKind.BOUNCES, HINT))
    return entries


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=25)
    parser.add_argument("--smoke", action="store_true", help="a tiny run (the test suite's)")
    args = parser.parse_args()
    if args.smoke:
        args.entries = 2_000

    entries = build_entries(args.entries)
    texts = [text for text, *_ in entries]

    started = time.perf_counter()
    baseline = [" ".join(t.split()) for t in texts]
    baseline_s = time.perf_counter() - started
    started = time.perf_counter()
    templates = {reason_template(t) for t in texts}
    masking_s = time.perf_counter() - started
    print(f"entries: {len(entries)}  distinct raw texts: {len(set(baseline))}")
    print(f"distinct templates: {len(templates)}")
    mixed = {reason_template(t) for t, *_ in build_entries(args.entries, mixed_domains=True)}
    print(f"(same wordings with any recipient domain per entry: {len(mixed)} templates)")
    print(
        f"masking: {masking_s:.2f} s ({len(texts) / masking_s:,.0f} texts/s); "
        f"whitespace baseline {baseline_s:.3f} s; ratio {masking_s / baseline_s:.1f}x"
    )

    with tempfile.TemporaryDirectory() as tmp, OpenAISandbox() as sandbox:
        cache_path = Path(tmp) / "cache.sqlite3"
        settings = LlmSettings(
            sandbox.base_url, "sandbox-model", "sk-sandbox", batch_size=args.batch, enabled=True
        )
        with ExplanationCache(cache_path) as cache:
            started = time.perf_counter()
            first = LlmRefiner(settings, cache).refine(entries)
            first_s = time.perf_counter() - started
        with ExplanationCache(cache_path) as cache:
            started = time.perf_counter()
            second = LlmRefiner(settings, cache).refine(entries)
            second_s = time.perf_counter() - started
        wire = len(sandbox.chat_requests)

    refined = sum(e.source == "llm" for e in first.explanations)
    goal = first.templates_total / 10
    print(
        f"first run: {first.requests_made} requests for {first.templates_total} templates "
        f"(ratio {first.requests_made / max(1, first.templates_total):.3f}; goal <= {goal:.0f}: "
        f"{'met' if first.requests_made <= goal else 'NOT met'}), {refined} entries refined, "
        f"{len(first.failures)} failures, {first_s:.2f} s"
    )
    print(
        f"second run: {second.requests_made} requests, {second.templates_from_cache} templates "
        f"from cache (goal 0: {'met' if second.requests_made == 0 else 'NOT met'}), "
        f"{second_s:.2f} s; identical results: {second.explanations == first.explanations}"
    )
    print(f"requests seen by the sandbox: {wire}")
    return 0 if first.requests_made <= goal and second.requests_made == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
