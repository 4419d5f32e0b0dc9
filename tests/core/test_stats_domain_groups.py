"""Recipient domain → group (自治体, docomo, au, SoftBank, Gmail, Microsoft, Yahoo, その他)."""

from __future__ import annotations

import pytest

from app.core.domain_groups import DomainGroup, count_by_group, domain_group, email_group


@pytest.mark.parametrize(
    ("domain", "group"),
    [
        ("city.yokohama.lg.jp", DomainGroup.LG_JP),
        ("pref.osaka.lg.jp", DomainGroup.LG_JP),
        ("docomo.ne.jp", DomainGroup.DOCOMO),
        ("DOCOMO.NE.JP.", DomainGroup.DOCOMO),
        ("ezweb.ne.jp", DomainGroup.AU),
        ("au.com", DomainGroup.AU),
        ("softbank.ne.jp", DomainGroup.SOFTBANK),
        ("i.softbank.jp", DomainGroup.SOFTBANK),
        ("gmail.com", DomainGroup.GMAIL),
        ("outlook.jp", DomainGroup.MICROSOFT),
        ("hotmail.co.jp", DomainGroup.MICROSOFT),
        ("yahoo.co.jp", DomainGroup.YAHOO),
        ("yahoo.com", DomainGroup.YAHOO),
        ("example.co.jp", DomainGroup.OTHER),
        ("notdocomo.ne.jp", DomainGroup.OTHER),  # suffix match is per label, not per character
        ("lg.jp.example.com", DomainGroup.OTHER),
        ("", DomainGroup.OTHER),
    ],
)
def test_domain_group(domain: str, group: DomainGroup) -> None:
    assert domain_group(domain) is group


def test_email_group_and_labels() -> None:
    assert email_group("taro@City.Sapporo.LG.JP") is DomainGroup.LG_JP
    assert email_group("no-at-sign") is DomainGroup.OTHER
    assert [group.label_ja for group in DomainGroup] == [
        "自治体（lg.jp）",
        "docomo",
        "au",
        "SoftBank",
        "Gmail",
        "Microsoft",
        "Yahoo",
        "その他",
    ]


def test_count_by_group_accepts_domains_or_counts() -> None:
    domains = ["docomo.ne.jp", "gmail.com", "docomo.ne.jp", "example.com"]
    counted = count_by_group(domains)
    assert list(counted) == list(DomainGroup)  # every group, display order
    assert counted[DomainGroup.DOCOMO] == 2 and counted[DomainGroup.OTHER] == 1
    assert counted[DomainGroup.AU] == 0
    assert count_by_group({"docomo.ne.jp": 5, "mopera.net": 1})[DomainGroup.DOCOMO] == 6
