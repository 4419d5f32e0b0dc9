"""Recipient domain → the group an operator thinks in: 自治体, docomo, au, SoftBank, Gmail, ...

The domain lists themselves live in app.core.classify.hosts (one place for every feature);
this module folds its finer host groups into the eight groups shown in charts and summaries.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from enum import StrEnum

from app.core.classify.hosts import domain_of, host_group


class DomainGroup(StrEnum):
    """Display order is declaration order (その他 last)."""

    LG_JP = "lg_jp"
    DOCOMO = "docomo"
    AU = "au"
    SOFTBANK = "softbank"
    GMAIL = "gmail"
    MICROSOFT = "microsoft"
    YAHOO = "yahoo"
    OTHER = "other"

    @property
    def label_ja(self) -> str:
        return _LABELS_JA[self]


_LABELS_JA = {
    DomainGroup.LG_JP: "自治体（lg.jp）",
    DomainGroup.DOCOMO: "docomo",
    DomainGroup.AU: "au",
    DomainGroup.SOFTBANK: "SoftBank",
    DomainGroup.GMAIL: "Gmail",
    DomainGroup.MICROSOFT: "Microsoft",
    DomainGroup.YAHOO: "Yahoo",
    DomainGroup.OTHER: "その他",
}

_FROM_HOST_GROUP = {
    "lgjp": DomainGroup.LG_JP,
    "docomo": DomainGroup.DOCOMO,
    "au": DomainGroup.AU,
    "softbank": DomainGroup.SOFTBANK,
    "gmail": DomainGroup.GMAIL,
    "microsoft": DomainGroup.MICROSOFT,
    "yahoo": DomainGroup.YAHOO,
    "yahoojp": DomainGroup.YAHOO,  # Yahoo! JAPAN: for a Japanese operator this *is* "Yahoo"
}


def domain_group(domain: str) -> DomainGroup:
    """The group of a recipient domain (``docomo.ne.jp`` → DOCOMO, unknown → OTHER)."""
    return _FROM_HOST_GROUP.get(host_group(domain), DomainGroup.OTHER)


def email_group(email: str) -> DomainGroup:
    return domain_group(domain_of(email))


def count_by_group(domains: Iterable[str] | Mapping[str, int]) -> dict[DomainGroup, int]:
    """Count domains per group, every group present (zeros included), in display order.

    Accepts domains one per entry, or a mapping domain → count (already counted). Fast on large
    inputs: domains repeat, so each distinct domain is looked up once.
    """
    counts = domains if isinstance(domains, Mapping) else Counter(domains)
    result = dict.fromkeys(DomainGroup, 0)
    for domain, count in counts.items():
        result[domain_group(domain)] += count
    return result
