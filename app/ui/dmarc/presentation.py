"""What the DMARC tab shows, as plain strings and frozen chart data built by pure functions
(no Qt here), so tests check the texts and the charts' values without a window.

Everything from a report (reporter names, domains, reasons) is untrusted: it is only ever put
into plain-text widgets, escaped tooltips and painted text.
"""

from __future__ import annotations

import socket
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from app.core.dmarc.analysis import DayView, DmarcResult, ReporterView, SourceView
from app.core.dmarc.dns_check import OFFLINE_NOTE_JA
from app.core.dmarc.verdict import VERDICT_ORDER, Verdict
from app.ui.dmarc import texts
from app.ui.widgets.chart_model import (
    AxisTick,
    BreakdownChartModel,
    BreakdownRow,
    BreakdownSection,
    count_axis,
    percent_share,
)

# Badge colours (background, text) per verdict: green ok, amber forwarding, orange set-up gap,
# red spoofing — the same meaning as the 配信状況 colours.
VERDICT_COLOURS: dict[Verdict, tuple[str, str]] = {
    Verdict.OK: ("#e7f5ea", "#1d6b34"),
    Verdict.FORWARDED: ("#fff4d6", "#7a5200"),
    Verdict.MISCONFIGURED: ("#ffe3c7", "#8a3b00"),
    Verdict.SPOOFED: ("#fde8e8", "#a61b1b"),
}
REPORTER_SECTION = "報告元別のメッセージ数"
REPORTER_FAIL_SECTION = "報告元別の DMARC 失敗（% はその報告元での失敗率）"


def reverse_text(source: SourceView) -> str:
    """逆引き名（組織）, or why there is none (offline is said in short)."""
    if source.reverse_name:
        if source.organisation:
            return f"{source.reverse_name}（{source.organisation}）"
        return source.reverse_name
    if source.name_note_ja == OFFLINE_NOTE_JA:
        return texts.OFFLINE_SHORT
    return source.name_note_ja


def auth_text(aligned_pass: int, messages: int, domains: Sequence[tuple[str, str, int]]) -> str:
    """ "120/150 · sendgrid.net=pass": aligned passes of all messages (the column title says
    整合), then the raw result for the most frequent domain."""
    text = f"{aligned_pass:,}/{messages:,}"
    if domains:
        domain, result, _ = domains[0]
        text += f" · {domain}={result}"
        if len(domains) > 1:
            text += f" ほか {len(domains) - 1}"
    return text


def dispositions_text(source: SourceView) -> str:
    return "、".join(f"{name} {count:,}" for name, count in source.dispositions)


def cell_texts(source: SourceView) -> tuple[str, ...]:
    """One row of the per-source table, in texts.COLUMN_TITLES order."""
    return (
        source.verdict_ja,
        source.source_ip,
        reverse_text(source),
        source.header_from,
        f"{source.messages:,}",
        auth_text(source.spf_aligned_pass, source.messages, source.spf_domains),
        auth_text(source.dkim_aligned_pass, source.messages, source.dkim_domains),
        dispositions_text(source),
    )


def sort_key(source: SourceView, column: int) -> Any:
    """The value ``column`` sorts ``source`` by: numbers as numbers, addresses numerically."""
    if column == 0:
        return VERDICT_ORDER.index(source.verdict)
    if column == 1:
        return _ip_sort_key(source.source_ip)
    if column == 2:
        return reverse_text(source)
    if column == 3:
        return source.header_from
    if column == 4:
        return source.messages
    if column == 5:
        return source.spf_aligned_pass / max(1, source.messages)
    if column == 6:
        return source.dkim_aligned_pass / max(1, source.messages)
    return dispositions_text(source)


def _ip_sort_key(text: str) -> bytes:
    """IPv4 before IPv6, each by number; unreadable text last. Bytes, not a tuple: they
    compare several times faster, which a header click on 160,000 rows feels; and inet_pton,
    not the ipaddress module, for the same reason."""
    for tag, family in ((b"4", socket.AF_INET), (b"6", socket.AF_INET6)):
        try:
            return tag + socket.inet_pton(family, text)
        except (OSError, ValueError):
            continue
    return b"9" + text.encode("utf-8", "surrogatepass")


def details_text(source: SourceView) -> str:
    """The details pane: verdict, what to do, then the evidence."""

    def results(domains: Sequence[tuple[str, str, int]]) -> str:
        if not domains:
            return "    （記録なし）"
        return "\n".join(f"    {domain}: {result}（{n:,} 通）" for domain, result, n in domains)

    lines = [
        f"判定: {source.verdict_ja}",
        "",
        "対応:",
        source.advice_ja or "対応は必要ありません。",
        "",
        f"送信元 IP: {source.source_ip}",
        f"逆引き名・組織: {reverse_text(source)}",
        f"From ドメイン: {source.header_from}",
        f"メッセージ: {source.messages:,} 通（DMARC 合格 {source.dmarc_pass:,} / "
        f"失敗 {source.dmarc_fail:,}）",
        f"SPF 整合合格: {source.spf_aligned_pass:,} 通 / DKIM 整合合格: "
        f"{source.dkim_aligned_pass:,} 通",
        "SPF の認証結果:",
        results(source.spf_domains),
        "DKIM の認証結果:",
        results(source.dkim_domains),
        f"受信側の処理: {dispositions_text(source) or '—'}",
    ]
    if source.reasons:
        reasons = "、".join(f"{reason} {count:,}" for reason, count in source.reasons)
        lines.append(f"上書き理由: {reasons}")
    lines.append(f"報告元: {'、'.join(source.reporters)}")
    lines.append(f"期間: {source.first_day:%Y/%m/%d} 〜 {source.last_day:%Y/%m/%d}（日本時間）")
    return "\n".join(lines)


def summary_line(result: DmarcResult) -> str:
    if result.reports == 0:
        return texts.NOTHING_READ.format(problems=len(result.problems))
    return texts.SUMMARY.format(
        reports=result.reports,
        duplicates=result.duplicates,
        problems=len(result.problems),
        sources=len(result.sources),
        messages=result.messages,
        failed=result.messages - result.dmarc_pass,
    )


def problems_text(result: DmarcResult) -> str:
    return "\n".join(f"{problem.origin}: {problem.reason_ja}" for problem in result.problems)


# -- charts -----------------------------------------------------------------------------------


def reporter_breakdown(reporters: Sequence[ReporterView]) -> BreakdownChartModel:
    """Per reporter: messages reported, and DMARC failures (painted by BreakdownChart)."""
    total = sum(r.messages for r in reporters)
    failed = sum(r.dmarc_fail for r in reporters)
    largest = max((r.messages for r in reporters), default=0)
    largest_fail = max((r.dmarc_fail for r in reporters), default=0)
    rows = tuple(
        BreakdownRow(
            label=r.org_name,
            count=r.messages,
            fraction=r.messages / largest if largest else 0.0,
            share_text=percent_share(r.messages, total),
            tooltip=_reporter_tooltip(r),
        )
        for r in reporters
    )
    fail_rows = tuple(
        BreakdownRow(
            label=r.org_name,
            count=r.dmarc_fail,
            fraction=r.dmarc_fail / largest_fail if largest_fail else 0.0,
            share_text=percent_share(r.dmarc_fail, r.messages),
            tooltip=_reporter_tooltip(r),
        )
        for r in sorted(reporters, key=lambda r: (-r.dmarc_fail, r.org_name))
    )
    return BreakdownChartModel(
        sections=(
            BreakdownSection(REPORTER_SECTION, rows, total),
            BreakdownSection(REPORTER_FAIL_SECTION, fail_rows, failed),
        ),
        total=total,
    )


def _reporter_tooltip(reporter: ReporterView) -> str:
    return (
        f"{reporter.org_name}\n"
        f"レポート {reporter.reports:,} 件 / メッセージ {reporter.messages:,} 通\n"
        f"DMARC 合格 {reporter.dmarc_pass:,} 通 / 失敗 {reporter.dmarc_fail:,} 通"
    )


@dataclass(frozen=True, slots=True)
class DayBar:
    label: str  # "11/28"
    pass_fraction: float  # of the plot height
    fail_fraction: float
    tooltip: str


@dataclass(frozen=True, slots=True)
class DayChartModel:
    bars: tuple[DayBar, ...]
    count_max: int
    ticks: tuple[AxisTick, ...]

    @property
    def empty(self) -> bool:
        return not self.bars


def day_chart(days: Sequence[DayView]) -> DayChartModel:
    """Stacked bars per JST day: DMARC pass below, failures on top, on a round count axis."""
    count_max, step = count_axis(max((day.messages for day in days), default=0))
    bars = tuple(
        DayBar(
            label=f"{day.day.month}/{day.day.day}",
            pass_fraction=day.dmarc_pass / count_max,
            fail_fraction=day.dmarc_fail / count_max,
            tooltip=(
                f"{day.day:%Y/%m/%d}（日本時間）\nレポート {day.reports:,} 件 / "
                f"メッセージ {day.messages:,} 通\nDMARC 合格 {day.dmarc_pass:,} 通 / "
                f"失敗 {day.dmarc_fail:,} 通（{percent_share(day.dmarc_fail, day.messages)}）"
            ),
        )
        for day in days
    )
    ticks = tuple(
        AxisTick(value, value / count_max, f"{value:,}") for value in range(0, count_max + 1, step)
    )
    return DayChartModel(bars, count_max, ticks)


def domain_text(result: DmarcResult, checked: Any) -> str:
    """The ドメインの設定 page: policies seen in the reports, then (after the DNS check) the
    published records, their problems and the policy advice. ``checked`` is a
    ``controller.Checked`` or None before the check."""
    lines: list[str] = []
    for policy in result.policies:
        parts = [f"p={policy.p}"]
        if policy.sp:
            parts.append(f"sp={policy.sp}")
        if policy.pct is not None:
            parts.append(f"pct={policy.pct}")
        if policy.testing:
            parts.append(f"t={policy.testing}")
        lines.append(f"レポートに記載されたポリシー（{policy.domain}）: {' '.join(parts)}")
    if checked is None:
        lines += ["", texts.DNS_NOT_YET]
        return "\n".join(lines)
    published = checked.published
    if published.offline_ja:
        lines += ["", f"DNS: {published.offline_ja}"]
    for check in published.checks:
        lines += ["", f"【{check.domain} の公開レコード】"]
        lines.append(f"DMARC（{check.dmarc.name}）: {check.dmarc.text or 'なし'}")
        lines.append(f"SPF（{check.spf.name}）: {check.spf.text or 'なし'}")
        for record in check.dkim:
            lines.append(f"DKIM（{record.name}）: {'あり' if record.found else 'なし'}")
        lines += [f"・{problem}" for problem in check.problems_ja]
        if not check.problems_ja:
            lines.append("・公開レコードに問題は見つかりませんでした。")
    if published.left_out_ja:
        lines += ["", f"DNS: {published.left_out_ja}"]
    if checked.advice_ja:
        lines += ["", "【ポリシーを強める手順（p=none → quarantine → reject）】"]
        lines += [f"{index}. {step}" for index, step in enumerate(checked.advice_ja, 1)]
    return "\n".join(lines)
