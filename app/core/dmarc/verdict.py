"""Japanese verdict per sending source: 正常 / 転送の可能性 / 認証の設定漏れ / なりすましの疑い.

DMARC passes when SPF or DKIM passes *for a domain aligned with the From: domain* (RFC 7489
§3.1; RFC 9989 keeps the rule). A failing record is explained from its raw ``auth_results``:

* the receiver says it overrode the policy for forwarding (reason ``forwarded``,
  ``mailing_list``, ``trusted_forwarder``), or a DKIM signature of our own domain arrived broken
  (forwarders and mailing lists that rewrite the body break it) → 転送の可能性;
* SPF or DKIM passed, but for another domain (typically the sending service's own, e.g.
  ``sendgrid.net`` when SendGrid's domain authentication is not set up) → 認証の設定漏れ;
* nothing passed for anybody → なりすましの疑い.
"""

from __future__ import annotations

from enum import Enum
from typing import NamedTuple

from app.core.dmarc.model import ReportRecord


class Verdict(Enum):
    OK = "正常"
    FORWARDED = "転送の可能性"
    MISCONFIGURED = "認証の設定漏れ"
    SPOOFED = "なりすましの疑い"

    @property
    def label_ja(self) -> str:
        return self.value


# Worst first: when a source's failing mail has several explanations, the most urgent is shown
# on a tie of message counts.
VERDICT_ORDER: tuple[Verdict, ...] = (
    Verdict.SPOOFED,
    Verdict.MISCONFIGURED,
    Verdict.FORWARDED,
    Verdict.OK,
)

FORWARDING_REASONS = frozenset(("forwarded", "mailing_list", "trusted_forwarder"))

# Domains that sending services use for SPF (Return-Path) and DKIM (d=) while a customer's own
# domain is not authenticated with them. Matched on the registered domain.
SERVICE_DOMAINS: dict[str, str] = {
    "sendgrid.net": "SendGrid",
    "sendgrid.info": "SendGrid",
    "amazonses.com": "Amazon SES",
    "mailgun.org": "Mailgun",
    "mailgun.net": "Mailgun",
    "mcsv.net": "Mailchimp",
    "mcdlv.net": "Mailchimp",
    "mandrillapp.com": "Mailchimp Transactional (Mandrill)",
    "sparkpostmail.com": "SparkPost",
    "mtasv.net": "Postmark",
    "exacttarget.com": "Salesforce Marketing Cloud",
    "salesforce.com": "Salesforce",
    "onmicrosoft.com": "Microsoft 365",
    "outlook.com": "Microsoft 365",
    "gappssmtp.com": "Google Workspace",
    "google.com": "Google",
    "zendesk.com": "Zendesk",
    "hubspotemail.net": "HubSpot",
    "kintone.com": "kintone",
    "cybozu.com": "サイボウズ",
}

# Second-level labels under which a registration takes three labels (example.co.jp). A small
# stand-in for the Public Suffix List, enough for Japanese and common foreign domains; a domain
# it gets wrong is only compared too strictly, never too loosely.
_TWO_LABEL_SUFFIXES = frozenset(
    [
        "co.jp",
        "ne.jp",
        "or.jp",
        "ac.jp",
        "ad.jp",
        "ed.jp",
        "go.jp",
        "gr.jp",
        "lg.jp",
        "co.uk",
        "org.uk",
        "ac.uk",
        "gov.uk",
        "com.au",
        "net.au",
        "org.au",
        "co.nz",
        "com.br",
        "com.cn",
        "com.tw",
        "com.hk",
        "co.kr",
        "or.kr",
        "com.sg",
        "co.in",
        "co.za",
    ]
)


def organizational_domain(domain: str) -> str:
    """``mail.example.co.jp`` → ``example.co.jp`` (relaxed alignment compares these)."""
    labels = domain.lower().strip(".").split(".")
    if len(labels) <= 2:
        return ".".join(labels)
    if ".".join(labels[-2:]) in _TWO_LABEL_SUFFIXES:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def aligned(domain: str, from_domain: str, mode: str = "r") -> bool:
    """Identifier alignment (RFC 7489 §3.1.1/§3.1.2): strict = same name, relaxed = same
    organizational domain."""
    if not domain or not from_domain:
        return False
    if mode == "s":
        return domain.lower() == from_domain.lower()
    return organizational_domain(domain) == organizational_domain(from_domain)


def service_name(domain: str) -> str:
    """The sending service behind ``domain`` (or a reverse name), "" when not a known one."""
    lowered = domain.lower().strip(".")
    for service_domain, name in SERVICE_DOMAINS.items():
        if lowered == service_domain or lowered.endswith("." + service_domain):
            return name
    return ""


class RecordVerdict(NamedTuple):
    """A tuple: counted per pattern in the import's hot loop, where hashing must be cheap."""

    verdict: Verdict
    service: str = ""  # the sending service whose own domain passed (認証の設定漏れ)


def judge_record(record: ReportRecord, policy_domain: str) -> RecordVerdict:
    """The verdict for one record's messages."""
    if record.dmarc_pass:
        return RecordVerdict(Verdict.OK)
    from_domain = record.header_from or policy_domain
    if FORWARDING_REASONS.intersection(record.reasons):
        return RecordVerdict(Verdict.FORWARDED)
    if any(
        result.result != "pass" and aligned(result.domain, from_domain)
        for result in record.dkim_results
        if result.result not in ("none", "")
    ):
        return RecordVerdict(Verdict.FORWARDED)
    passed_elsewhere = [
        result.domain
        for result in (*record.dkim_results, *record.spf_results)
        if result.result == "pass" and result.domain
    ]
    if passed_elsewhere:
        service = next((service_name(d) for d in passed_elsewhere if service_name(d)), "")
        return RecordVerdict(Verdict.MISCONFIGURED, service)
    return RecordVerdict(Verdict.SPOOFED)


def verdict_label_ja(verdict: Verdict, service: str = "") -> str:
    if verdict is Verdict.MISCONFIGURED:
        example = service or "SendGrid"
        return f"認証の設定漏れ（例: {example} のドメイン認証が未設定）"
    return verdict.label_ja


def advice_ja(verdict: Verdict, service: str = "", *, from_domain: str = "") -> str:
    """What the operator should do about a source with this verdict."""
    domain = from_domain or "自社ドメイン"
    if verdict is Verdict.OK:
        return "対応は不要です。SPF または DKIM が自社ドメインとして合格しています。"
    if verdict is Verdict.FORWARDED:
        return (
            "転送やメーリングリストを経由したメールと考えられます。多くは対応不要です。"
            "自社の送信で DKIM 署名を必ず付けると、転送後も合格しやすくなります。"
            "件数が多い場合は転送元（受信者側の設定）を確認してください。"
        )
    if verdict is Verdict.MISCONFIGURED:
        if service == "SendGrid":
            return (
                "SendGrid の管理画面（Settings → Sender Authentication）でドメイン認証を行い、"
                "表示される DNS レコード（通常は CNAME 3 件）を"
                f" {domain} の DNS に登録してください。"
                "登録後は SPF・DKIM が自社ドメインとして合格します。"
            )
        who = service or "この送信元のサービス"
        return (
            f"{who} 側で自社ドメイン（{domain}）の DKIM 署名を有効にし、"
            "必要なら Return-Path（エンベロープ送信者）も自社ドメインにして SPF に含めてください。"
            "心当たりのないサービスなら、なりすましとして扱ってください。"
        )
    return (
        "自社が使っていない送信元なら、なりすましの可能性があります。"
        "DMARC のポリシーを p=quarantine、さらに p=reject へ段階的に強めると、"
        "受信側で隔離・拒否されるようになります。自社の送信元なら SPF と DKIM を設定してください。"
    )
