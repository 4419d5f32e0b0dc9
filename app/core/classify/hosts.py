"""Recipient domain -> receiving-host group (Gmail, Microsoft, Japanese carriers, lg.jp ...).

Rules and advice in resources/rules/ name these groups (``hosts = ["docomo"]``), so the rule files
never repeat domain lists. The group is also part of the classifier's memo key, which is why a
rule may depend on the group but never on the full address.
"""

from __future__ import annotations

from functools import lru_cache

# Suffix match on the recipient domain: "docomo.ne.jp" also covers "xx.docomo.ne.jp".
HOST_GROUP_DOMAINS: dict[str, tuple[str, ...]] = {
    "gmail": ("gmail.com", "googlemail.com"),
    "microsoft": (
        "outlook.com",
        "outlook.jp",
        "hotmail.com",
        "hotmail.co.jp",
        "live.com",
        "live.jp",
        "msn.com",
    ),
    # verizon.net mailboxes live on AOL's (now Yahoo's) mail system since 2017 (sources.toml
    # aol-verizon-migration), so Yahoo's codes mean the same there.
    "yahoo": ("yahoo.com", "ymail.com", "rocketmail.com", "aol.com", "verizon.net"),
    # Yahoo! JAPAN is a separate operator with its own filters and wording.
    "yahoojp": ("yahoo.co.jp", "ybb.ne.jp"),
    "icloud": ("icloud.com", "me.com", "mac.com"),
    "docomo": ("docomo.ne.jp", "mopera.net"),
    "au": ("ezweb.ne.jp", "au.com", "uqmobile.jp"),
    "softbank": (
        "softbank.ne.jp",
        "i.softbank.jp",
        "ymobile.ne.jp",
        "y-mobile.ne.jp",
        "vodafone.ne.jp",
        "disney.ne.jp",
        "pdx.ne.jp",
    ),
    # MVNOs reuse carrier-style reception filters (mineo answered "User unknown" for a filter).
    "mvno": ("mineo.jp", "rakumail.jp"),
    # European mailbox providers with their own documented reply codes (Orange OFR..., GMX/WEB.DE).
    "orange": ("orange.fr", "wanadoo.fr"),
    "gmx": ("gmx.de", "gmx.net", "gmx.com", "gmx.at", "gmx.ch", "web.de"),
    # North American ISPs and Zoho, whose plain wordings ("recipient rejected", "Mail rejected by
    # destination domain") mean something specific there (go-sisimai rhost tables).
    "cox": ("cox.net",),
    "spectrum": ("charter.net", "spectrum.net"),
    "zoho": ("zoho.com", "zohomail.com", "zoho.eu", "zoho.in", "zoho.jp", "zohomail.jp"),
    # Japanese ISPs: each documents its own reception filter (受信拒否設定) for subscribers.
    "ocn": ("ocn.ne.jp",),
    "biglobe": ("biglobe.ne.jp",),
    "nifty": ("nifty.com",),
    "sonet": ("so-net.ne.jp",),
    # J:COM (cable ISP) refuses a sender domain without DNS records with SoftBank's wording
    # ("553 <domain> does not exist"; Sendmagic's J:COM note).
    "jcom": ("jcom.home.ne.jp", "jcom.zaq.ne.jp"),
    # Municipal domains: mail passes LGWAN gateways with strict attachment and sender policies.
    "lgjp": ("lg.jp",),
}

CARRIER_GROUPS = frozenset({"docomo", "au", "softbank", "mvno"})

# Microsoft and Yahoo use many country domains (hotmail.fr, yahoo.de ...): match the first label.
_FIRST_LABEL_GROUPS = {
    "hotmail": "microsoft",
    "outlook": "microsoft",
    "live": "microsoft",
    "yahoo": "yahoo",
}

_SUFFIXES: tuple[tuple[str, str], ...] = tuple(
    sorted(
        ((domain, group) for group, domains in HOST_GROUP_DOMAINS.items() for domain in domains),
        key=lambda pair: -len(pair[0]),  # longest first: "yahoo.co.jp" before any shorter suffix
    )
)


@lru_cache(maxsize=4096)
def host_group(domain: str) -> str:
    """Return the group name of a recipient domain, or "" when we know nothing special about it."""
    domain = domain.strip().lower().rstrip(".")
    if not domain:
        return ""
    for suffix, group in _SUFFIXES:
        if domain == suffix or domain.endswith("." + suffix):
            return group
    labels = domain.split(".")
    if len(labels) <= 3 and labels[0] in _FIRST_LABEL_GROUPS:
        return _FIRST_LABEL_GROUPS[labels[0]]
    return ""


def domain_of(email: str) -> str:
    """The part after the last "@", lower-cased ("" when there is none)."""
    _, at, domain = email.rpartition("@")
    return domain.strip().lower() if at else ""
