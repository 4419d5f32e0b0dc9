"""Advice for moving a domain's DMARC policy p=none → quarantine → reject, from the reports.

The usual path (RFC 7489 §6.6.4 and RFC 9989's rollout guidance): publish p=none with rua to
collect reports, fix every legitimate source until it passes, then quarantine, then reject.
Spoofed mail failing is the point of the policy; only legitimate sources that still fail
(認証の設定漏れ, and 転送 in volume) hold the next step back.
"""

from __future__ import annotations

from app.core.dmarc.analysis import DmarcResult
from app.core.dmarc.model import PublishedPolicy
from app.core.dmarc.verdict import Verdict


def policy_advice_ja(policy: PublishedPolicy | None, result: DmarcResult) -> tuple[str, ...]:
    """Steps in Japanese for ``policy`` (from DNS or the latest report) given the reports."""
    if policy is None:
        return (
            "DMARC レコードが見つかりません。まず v=DMARC1; p=none; rua=mailto:（受け取り先）"
            " を _dmarc.（ドメイン） に公開し、レポートを 2〜4 週間集めてください。",
        )
    misconfigured = [s for s in result.sources if s.verdict is Verdict.MISCONFIGURED]
    forwarded = sum(s.dmarc_fail for s in result.sources if s.verdict is Verdict.FORWARDED)
    spoofed = sum(s.dmarc_fail for s in result.sources if s.verdict is Verdict.SPOOFED)
    steps: list[str] = []
    if misconfigured:
        names = "、".join(sorted({s.service or s.source_ip for s in misconfigured})[:5])
        steps.append(
            f"認証の設定漏れの送信元（{names}）を先に直してください。"
            "直す前にポリシーを強めると、正規のメールが隔離・拒否されます。"
        )
    p = policy.p or "none"
    ready = not misconfigured
    if p == "none":
        if ready:
            steps.append(
                "正規の送信元はすべて合格しています。p=quarantine に進めましょう"
                "（不安なら t=y の試行モードから。RFC 7489 の pct=25 なども古い受信者には"
                "効きますが、RFC 9989 で廃止されました）。"
            )
        else:
            steps.append("p=none のまま、上の送信元が合格するのをレポートで確認してください。")
    elif p == "quarantine":
        if ready:
            steps.append(
                "隔離で問題が出ていなければ p=reject に進めましょう。"
                "数週間レポートを見て、正規のメールが失敗していないことを確かめてから。"
            )
        else:
            steps.append("p=quarantine のまま、設定漏れを直してから p=reject に進めてください。")
    else:
        steps.append(
            "p=reject で運用中です。新しい送信サービスを使うときは事前に認証を設定してください。"
        )
    if spoofed:
        steps.append(
            f"なりすましと思われるメールが {spoofed:,} 通あります。"
            + (
                "p=none では受信者に届いてしまいます。"
                if p == "none"
                else "ポリシーで防がれています。"
            )
        )
    if forwarded:
        steps.append(
            f"転送経由で失敗したメールが {forwarded:,} 通あります。"
            "DKIM 署名が付いていれば多くは救われます。"
        )
    if policy.sp and policy.sp != p:
        steps.append(
            f"サブドメインのポリシー sp={policy.sp} が p={p} と異なります。意図どおりか確認を。"
        )
    if policy.pct is not None and policy.pct < 100:
        steps.append(f"pct={policy.pct} のため、ポリシーは一部のメールにしか適用されていません。")
    if policy.testing == "y":
        steps.append("t=y（試行モード）のため、受信者はポリシーを厳しく適用していません。")
    return tuple(steps)
