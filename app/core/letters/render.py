"""Single-pass, data-only substitution of ``{{name}}`` into letter templates.

Why not ``str.format`` or ``string.Template``: bounce reasons and addresses are untrusted text.
Here only the *template* is scanned for ``{{name}}``; every value is inserted verbatim and never
scanned again, so a reason containing ``{{sender_domain}}``, ``{sender_domain}`` or ``${x}``
stays literal. A missing or empty value renders as a visible 【…を記入】 placeholder.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

PLACEHOLDER_RE = re.compile(r"\{\{\s*([a-z_][a-z0-9_]*)\s*\}\}")

# Every variable a template may declare, with the Japanese name used in its placeholder.
KNOWN_VARIABLES: dict[str, str] = {
    "org_name": "送信元の組織名",
    "sender_domain": "送信元ドメイン",
    "sender_ips": "送信元 IP アドレス",
    "contact": "担当者名・連絡先",
    "auth_status": "SPF/DKIM/DMARC の確認結果",
    "recipient_domain": "宛先ドメイン",
    "recipient_addresses": "宛先アドレス",
    "recipient_count": "宛先の件数",
    "first_rejected_jst": "最初に拒否された日時",
    "last_rejected_jst": "最後に拒否された日時",
    "rejected_period_jst": "拒否された日時",
    "evidence": "受信側サーバーの応答",
    "reason_label": "原因",
    "original_address": "登録されているアドレス",
    "suggested_address": "正しいと思われるアドレス",
    "carrier_steps": "受信設定の手順",
    "today_jst": "日付",
}


def placeholder(name: str) -> str:
    """The visible mark for a fact nobody supplied, e.g. 【送信元ドメインを記入】."""
    return f"【{KNOWN_VARIABLES.get(name, name)}を記入】"


def names_in(text: str) -> set[str]:
    return set(PLACEHOLDER_RE.findall(text))


def render(template: str, values: Mapping[str, str]) -> str:
    """Replace each ``{{name}}`` of ``template`` once; values are data, never template text."""

    def value_of(match: re.Match[str]) -> str:
        value = values.get(match.group(1), "")
        return value if value.strip() else placeholder(match.group(1))

    # re.sub with a function inserts the returned string as is (no backslash or group expansion).
    return PLACEHOLDER_RE.sub(value_of, template)
