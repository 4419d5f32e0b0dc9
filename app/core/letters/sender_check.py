"""Checks of the sender facts a letter states as fact: the sending domain and IP addresses.

A letter to a municipality's IT desk asks it to allow exactly these values; one that reads
「送信元ドメイン: not a domain」 or 「999.1.1.1」 is useless to the desk and embarrassing to the
sender. The settings page refuses such values as they are typed, and ``SenderFacts`` leaves
out a stored value that fails (an older settings file, a hand edit), so the letter shows the
【…を記入】 mark instead and never counts the field as filled in.

Only the format is checked: whether the domain or address is really the sender's cannot be
known here.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata

DOMAIN_EXAMPLE = "mail.example.co.jp"
_SEPARATORS = re.compile(r"[\s,、，;；]+")
_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
MAX_LISTED = 5  # wrong IPs named in one message; the rest are "…"


def split_ips(text: str) -> list[str]:
    """The addresses of the IP field, split at commas (also 、), semicolons and blanks."""
    return [part for part in _SEPARATORS.split(unicodedata.normalize("NFKC", text)) if part]


def clean_domain(text: str) -> str:
    """The domain as it should be stored: NFKC (full-width letters and dots become ASCII), no
    surrounding blanks and no final root dot. Unicode (IDN) names stay as typed: a Japanese
    letter may well name ``例え.jp``; the check below accepts it by its ``xn--`` form."""
    return unicodedata.normalize("NFKC", text).strip().rstrip(".")


def domain_problem(text: str) -> str:
    """Why ``text`` is not a domain name a letter can state (Japanese); "" when it is, or empty."""
    name = clean_domain(text)
    if not name:
        return ""
    example = f"（例: {DOMAIN_EXAMPLE}）"
    if "@" in name:
        return f"メールアドレスではなく、@ より後のドメイン名だけを入力してください{example}。"
    if "://" in name:
        return f"URL ではなく、ドメイン名だけを入力してください{example}。"
    if _SEPARATORS.search(name):
        return f"ドメイン名は 1 つだけ、空白や区切りを入れずに入力してください{example}。"
    if "/" in name:
        return f"URL ではなく、ドメイン名だけを入力してください{example}。"
    if _is_ip(name):
        return (
            "IP アドレスは「送信元 IP アドレス」の欄に入力し、"
            f"ここにはドメイン名を入力してください{example}。"
        )
    ascii_name = _idna(name)
    labels = ascii_name.split(".") if ascii_name else []
    if (
        len(labels) < 2
        or len(ascii_name) > 253
        or not all(_LABEL.fullmatch(label) for label in labels)
        or labels[-1].isdigit()
    ):
        return f"送信元ドメインの形式が正しくありません{example}。"
    return ""


def ips_problem(text: str) -> str:
    """Why the IP field cannot go into a letter (Japanese); "" when every item is an IPv4 or
    IPv6 address or a CIDR range, or when it is empty."""
    wrong: list[str] = []
    not_start: list[str] = []
    for item in split_ips(text):
        if "/" in item:
            try:
                ipaddress.ip_network(item, strict=True)
            except ValueError:
                try:  # host bits set: a range written from one of its addresses
                    network = ipaddress.ip_network(item, strict=False)
                except ValueError:
                    wrong.append(_shown(item))
                else:
                    not_start.append(f"{item} → {network}")
        elif not _is_ip(item):
            wrong.append(_shown(item))
    if wrong:
        shown = "、".join(wrong[:MAX_LISTED]) + ("…" if len(wrong) > MAX_LISTED else "")
        return (
            f"IP アドレスとして正しくないものがあります: {shown}"
            "（例: 192.0.2.10、2001:db8::10、範囲は 192.0.2.0/28）。"
        )
    if not_start:
        return (
            "範囲は先頭のアドレスで書いてください: "
            + "、".join(not_start[:MAX_LISTED])
            + ("…" if len(not_start) > MAX_LISTED else "")
            + "。"
        )
    return ""


def _shown(item: str) -> str:
    # A pasted paragraph would make the message as long; the start names it well enough.
    return item if len(item) <= 40 else item[:40] + "…"


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _idna(name: str) -> str:
    """The ASCII (``xn--``) form of ``name``, lower case; "" when IDNA refuses it."""
    import idna  # httpx's own dependency; loaded only when a domain is checked

    try:
        return idna.encode(name, uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError, ValueError):
        return ""
