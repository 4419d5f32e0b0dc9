"""What the LLM may see of a bounce reason: the masked template plus the gaps it leaves closed.

``reason_template`` (template.py) masks addresses, hosts, ids and numbers but keeps help URLs
and some names as they are. On the wire to an LLM endpoint three more things must not travel,
and one must survive:
- a sending IP inside a kept help URL (``https://www.spamhaus.org/query/ip/192.0.2.1``,
  ``…q.cgi?ip=…``): it names our sending infrastructure, so it becomes ``<ip>``;
- a Japanese personal name with an honorific (``山田太郎様``, ``田中さん``, ``鈴木 一郎 様``,
  ``Tanaka-san``) becomes ``<name>様``; generic forms of address (お客様, ご担当者様, 皆様) stay;
- an Exchange organisation/site/server path (``MSEXCH:IMS:Contoso Ltd:FirstSite:EXCH01``)
  becomes ``MSEXCH:IMS:<org>``;
- diagnostic ids that carry meaning and name nobody (Microsoft ``AS(201806281)``,
  ``(AS16012609)``, ``(S3150)``, ``RESOLVER.ADR.RecipNotFound``, Orange ``OFR004_104``,
  Outlook.com ``RP-001``) are kept verbatim: the template would otherwise turn them into
  ``<id>``/``<n>``/``<host>`` and the model would lose the one token that explains the reply.
"""

from __future__ import annotations

import ipaddress
import re

from app.core.classify.template import read_head, reason_template

# Ids kept verbatim. Each is replaced by a letters-only word before masking (plain lower-case
# words pass the template unchanged) and put back afterwards.
_DIAGNOSTIC_IDS = re.compile(
    r"\bAS\(\d{1,12}\)"  # Microsoft anti-spam rule id: AS(201806281)
    r"|\(AS\d{1,12}\)"  # the same, other spelling: (AS16012609)
    r"|\(S\d{3,10}\)"  # Outlook.com / EOP block-list ids: (S3150), (S775)
    r"|\b(?:RESOLVER|STOREDRV|SMTPSEND|ROUTING|CAT|QUEUE)\.[A-Za-z]+(?:\.[A-Za-z]+){0,3}"
    r"|\bOFR\d{0,3}_\d{3}\b"  # Orange: OFR004_104, OFR_416
    r"|\b(?:RP|SC|OU|DY|CON|MC)-\d{3}\b"  # Outlook.com: RP-001, SC-001, OU-002
)
_PLACEHOLDER = "zqkeep{}zq"
_PLACEHOLDER_FOUND = re.compile(r"zqkeep([a-z]{1,3})zq")
_EXCHANGE_ORG = re.compile(r"MSEXCH:IMS:[^\r\n:]{1,120}(?::[^\r\n:\s]{1,120}){0,2}")
_EXCHANGE_MARK = "MSEXCH:IMS:zqorgzq"

_IPV4 = re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.]*\d)")
_IPV6 = re.compile(r"(?<![\w:])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?![\w:])")

_NAME_CHARS = r"[\u4e00-\u9fff\u3005\u30a0-\u30ffA-Za-z]"
# A name is one run of name characters, or two with one space between (family and given name,
# 鈴木 一郎様): both parts go, or the family name would still travel.
_KANJI_KANA = r"[\u4e00-\u9fff\u3005\u30a0-\u30ff]"
_HONORIFIC = re.compile(
    rf"(?<!{_NAME_CHARS})"
    rf"({_KANJI_KANA}{{1,12}}[ \u3000]{_KANJI_KANA}{{1,12}}|{_NAME_CHARS}{{1,12}})[ \u3000]?"
    r"(様|さま|さん|殿|くん|ちゃん)(?![子々式相])"  # not 様子, 様々, 様式, 様相
)
# The same honorifics written in Latin letters after a capitalised name (Tanaka-san, Sato sama).
_LATIN_HONORIFIC = re.compile(r"\b[A-Z][a-z]{1,20}(?:[ -][A-Z][a-z]{1,20})?[ -](sama|san|dono)\b")
# Forms of address that name nobody, and words that merely end in 様 (同様 = likewise).
_NOT_A_NAME = frozenset(
    {
        *("お客", "客", "皆", "みな", "各位", "担当者", "ご担当者", "御担当者", "管理者"),
        *("利用者", "ご利用者", "送信者", "受信者", "会員", "貴社", "御社", "先方", "相手"),
        *("宛先", "同", "仕", "模", "多", "異", "一", "今", "王", "神", "仏", "お父", "お母"),
        *("ユーザー", "ユーザ", "お得意", "関係者", "ご依頼者", "申込者", "加入者", "契約者"),
    }
)


def wire_template(text: str, *, recipient: str = "") -> str:
    """``reason_template`` with the wire gaps closed (see the module docstring)."""
    kept: list[str] = []
    text = read_head(text)  # before the substitutions below, which run on the whole text

    def protect(match: re.Match[str]) -> str:
        kept.append(match.group(0))
        return _PLACEHOLDER.format(_letters(len(kept) - 1))

    if "zq" in text:  # our marks cannot be told apart from the sender's words: keep nothing
        prepared = text
    else:
        prepared = _EXCHANGE_ORG.sub(_EXCHANGE_MARK, text)
        prepared = _DIAGNOSTIC_IDS.sub(protect, prepared)
    template = reason_template(prepared, recipient=recipient)
    template = template.replace(_EXCHANGE_MARK, "MSEXCH:IMS:<org>")
    template = _PLACEHOLDER_FOUND.sub(lambda m: _restore(m, kept), template)
    return mask_personal(template)


def mask_personal(text: str) -> str:
    """Mask IP literals (also inside kept URLs) and honorific personal names."""
    text = _IPV4.sub(_ipv4_or_keep, text)
    text = _IPV6.sub(_ipv6_or_keep, text)
    text = _LATIN_HONORIFIC.sub(lambda m: f"<name>-{m.group(1)}", text)
    return _HONORIFIC.sub(_name_or_keep, text)


def _letters(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("a") + rest) + letters
    return letters


def _restore(match: re.Match[str], kept: list[str]) -> str:
    index = 0
    for char in match.group(1):
        index = index * 26 + ord(char) - ord("a") + 1
    return kept[index - 1] if 0 < index <= len(kept) else "<id>"


def _ipv4_or_keep(match: re.Match[str]) -> str:
    parts = match.group(0).split(".")
    return "<ip>" if all(int(part) <= 255 for part in parts) else match.group(0)


def _ipv6_or_keep(match: re.Match[str]) -> str:
    candidate = match.group(0)
    if candidate.count(":") < 2 or not any(c.isalnum() for c in candidate):
        return candidate
    try:
        ipaddress.IPv6Address(candidate)
    except ValueError:
        return candidate  # times such as 10:12:13 and other colon runs stay
    return "<ip>"


def _name_or_keep(match: re.Match[str]) -> str:
    name, honorific = match.group(1), match.group(2)
    first, space, rest = name.rpartition(" ") if " " in name else name.rpartition("\u3000")
    if space and _is_a_name(rest) and not _is_a_name(first):
        return f"{first}{space}<name>{honorific}"  # 受信者 佐藤様: only the name goes
    if not _is_a_name(name if not space else rest):
        return match.group(0)
    return f"<name>{honorific}"


def _is_a_name(word: str) -> bool:
    return word not in _NOT_A_NAME and not any(
        word.endswith(generic) for generic in ("担当者", "各位", "皆")
    )
