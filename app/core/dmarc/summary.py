"""The Japanese text summary (CLI, notifications) and the JSON form of a DMARC result."""

from __future__ import annotations

from typing import Any

from app.core.dmarc.analysis import DmarcResult
from app.core.dmarc.dns_check import policy_from_tags
from app.core.dmarc.model import PublishedPolicy
from app.core.dmarc.policy_advice import policy_advice_ja
from app.core.dmarc.service import PublishedCheck

MAX_SOURCES_SHOWN = 20
# A report's fields are text of any length from a stranger: an address or a domain is shown on
# one line of at most this many characters (a domain has at most 253), the advice (a few
# hundred characters quoting the From domain) at most MAX_ADVICE_CHARS. Controls are left for
# the terminal's own cleaning, which shows them as U+FFFD.
MAX_FIELD_CHARS = 320
MAX_ADVICE_CHARS = 1_000
_LINE_BREAKS = str.maketrans(dict.fromkeys("\r\n\v\f\x1c\x1d\x1e\x85\u2028\u2029", " "))


def _one_line(text: str, limit: int = MAX_FIELD_CHARS) -> str:
    line = text[: limit + 1].translate(_LINE_BREAKS)
    return line if len(line) <= limit else line[: limit - 1] + "…"


def summary_ja(result: DmarcResult, published: PublishedCheck | None = None) -> str:
    lines: list[str] = []
    period = (
        f"{result.first_day:%Y/%m/%d}〜{result.last_day:%Y/%m/%d}"
        if result.first_day and result.last_day
        else "期間なし"
    )
    rate = result.dmarc_pass / result.messages * 100 if result.messages else 0.0
    lines.append(
        f"DMARC レポート {result.reports:,} 件（{period}、日本時間）"
        f" / メッセージ {result.messages:,} 通、DMARC 合格 {rate:.1f}%"
    )
    if result.duplicates:
        lines.append(f"重複レポート {result.duplicates:,} 件は 1 件として数えました。")
    counts = result.verdict_counts()
    lines.append(
        "送信元: " + "、".join(f"{verdict.label_ja} {n:,}" for verdict, n in counts.items())
    )
    failing = result.failing_sources
    for source in failing[:MAX_SOURCES_SHOWN]:
        name = source.reverse_name or source.name_note_ja
        lines.append(
            f"- [{source.verdict_ja}] {_one_line(source.source_ip)}（{_one_line(name)}）"
            f"From {_one_line(source.header_from)}: "
            f"失敗 {source.dmarc_fail:,} / {source.messages:,} 通"
        )
        lines.append(f"  対応: {_one_line(source.advice_ja, MAX_ADVICE_CHARS)}")
    if len(failing) > MAX_SOURCES_SHOWN:
        lines.append(f"  ほか {len(failing) - MAX_SOURCES_SHOWN:,} 件の送信元（--xlsx で全件）")
    if not failing and result.sources:
        lines.append("すべての送信元が DMARC に合格しています。")
    policies: dict[str, PublishedPolicy | None] = {p.domain: p for p in result.policies}
    if published is not None:
        if published.offline_ja:
            lines.append(f"DNS: {published.offline_ja}（レポート記載のポリシーで助言します）")
        for check in published.checks:
            lines.append(f"DNS {check.domain}: DMARC={check.dmarc.text or '（なし）'}")
            lines.append(f"DNS {check.domain}: SPF={check.spf.text or '（なし）'}")
            lines.extend(f"  注意: {problem}" for problem in check.problems_ja)
            # What DNS publishes now outranks what older reports saw.
            policies[check.domain] = policy_from_tags(check.domain, check.dmarc_tags)
        if published.left_out_ja:
            lines.append(f"DNS: {published.left_out_ja}")
    for domain in result.domains:
        lines.append(f"{_one_line(domain)} のポリシー:")
        lines.extend(f"  ・{step}" for step in policy_advice_ja(policies.get(domain), result))
    if result.problems:
        lines.append(f"読み込めなかったファイル {len(result.problems):,} 件:")
        lines.extend(f"  - {p.origin}: {p.reason_ja}" for p in result.problems[:MAX_SOURCES_SHOWN])
    return "\n".join(lines)


def result_json(result: DmarcResult, published: PublishedCheck | None = None) -> dict[str, Any]:
    """Plain JSON-able data; keys in English, texts in Japanese."""
    return {
        "reports": result.reports,
        "duplicates": result.duplicates,
        "messages": result.messages,
        "dmarc_pass": result.dmarc_pass,
        "first_day": result.first_day.isoformat() if result.first_day else None,
        "last_day": result.last_day.isoformat() if result.last_day else None,
        "domains": list(result.domains),
        "schemas": dict(result.schemas),
        "fails_alignment": bool(result.failing_sources),
        "sources": [
            {
                "source_ip": s.source_ip,
                "reverse_name": s.reverse_name,
                "organisation": s.organisation or s.service,
                "name_note": s.name_note_ja,
                "header_from": s.header_from,
                "messages": s.messages,
                "dmarc_pass": s.dmarc_pass,
                "dmarc_fail": s.dmarc_fail,
                "spf_aligned_pass": s.spf_aligned_pass,
                "dkim_aligned_pass": s.dkim_aligned_pass,
                "spf_results": [list(item) for item in s.spf_domains],
                "dkim_results": [list(item) for item in s.dkim_domains],
                "dispositions": dict(s.dispositions),
                "reasons": dict(s.reasons),
                "reporters": list(s.reporters),
                "verdict": s.verdict.name.lower(),
                "verdict_ja": s.verdict_ja,
                "advice_ja": s.advice_ja,
            }
            for s in result.sources
        ],
        "reporters": [
            {
                "org_name": r.org_name,
                "reports": r.reports,
                "messages": r.messages,
                "dmarc_pass": r.dmarc_pass,
            }
            for r in result.reporters
        ],
        "days": [
            {
                "day": d.day.isoformat(),
                "reports": d.reports,
                "messages": d.messages,
                "dmarc_pass": d.dmarc_pass,
            }
            for d in result.days
        ],
        "problems": [{"origin": p.origin, "reason_ja": p.reason_ja} for p in result.problems],
        "dns": None
        if published is None
        else {
            "offline_ja": published.offline_ja,
            "left_out_ja": published.left_out_ja,
            "checks": [
                {
                    "domain": c.domain,
                    "dmarc": c.dmarc.text,
                    "spf": c.spf.text,
                    "problems_ja": list(c.problems_ja),
                }
                for c in published.checks
            ],
        },
    }
