"""Masking of bounce reasons into templates: nothing identifying may survive, meaning must."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from app.core.classify.template import (
    MAX_TEMPLATE_CHARS,
    READ_CHARS,
    domain_group,
    read_head,
    reason_template,
    status_class,
)
from app.core.classify.wire_mask import wire_template

DEV_DATA = Path(__file__).resolve().parents[3] / "resources/sandbox/bounce-reasons.jsonl"

# (input, secrets that must be gone, fragments that must stay)
CASES = [
    (
        "550 5.1.1 <kijitora.neko+news@example.co.jp>... User unknown",
        ["kijitora", "neko+news", "example.co.jp", "news@"],
        ["550 5.1.1", "User unknown"],
    ),
    (
        '550 5.1.1 "john q doe"@shop.example.com: Recipient address rejected',
        ["john q doe", "shop.example.com", "john"],
        ["550 5.1.1", "Recipient address rejected"],
    ),
    (
        "550 Unknown user 山田太郎@例え.jp and ユーザー@ドメイン.テスト",
        ["山田太郎", "例え", "ユーザー", "ドメイン"],
        ["550", "Unknown user"],
    ),
    (
        "550 ｋｉｊｉｔｏｒａ＠ｅｘａｍｐｌｅ．ｊｐ does not exist",
        ["ｋｉｊｉｔｏｒａ", "kijitora", "example"],
        ["does not exist"],
    ),
    (
        "550 user@[192.0.2.1] and other@[IPv6:2001:db8::1] refused",
        ["192.0.2.1", "2001:db8", "user@", "other@"],
        ["550", "refused"],
    ),
    (
        "connect to mx.bukkoji.example.org[192.0.2.1]:25: Connection timed out",
        ["bukkoji", "192.0.2.1", "example.org"],
        ["Connection timed out"],
    ),
    (
        "421 4.7.0 [2001:db8:85a3::8a2e:370:7334] and fe80::1%eth0 and ::ffff:198.51.100.7 blocked",
        ["2001:db8", "8a2e", "fe80", "198.51.100.7", "eth0"],
        ["421 4.7.0", "blocked"],
    ),
    (
        "550 5.7.26 Unauthenticated email from example.jp is not accepted. To learn more, go to "
        "https://support.google.com/mail/?p=DmarcRejection 98e67ed59e1d1-2c2d0e28189si6418580a91.13"
        " - gsmtp",
        ["example.jp", "98e67ed59e1d1", "2c2d0e28189si6418580a91", "DmarcRejection"],
        ["550 5.7.26", "https://support.google.com/mail/", "gsmtp"],
    ),
    (
        "550 5.7.509 Access denied [TY1P286MB3121.JPNP286.PROD.OUTLOOK.COM "
        "2024-06-24T08:58:06.389Z 08DC93087F48F48A] [DB8PR06CA0025.eurprd0]",
        ["TY1P286MB3121", "08DC93087F48F48A", "DB8PR06CA0025", "2024-06-24", "08:58"],
        ["550 5.7.509", "Access denied"],
    ),
    (
        "554 5.7.1 <a8-95.smtp-out.amazonses.com[203.0.113.22]>: Client host rejected: see "
        "http://mail.neko.example.org/rbl/?ip=203.0.113.22&to=kijitora@example.com",
        ["a8-95", "203.0.113.22", "neko", "kijitora", "rbl"],
        ["554 5.7.1", "Client host rejected"],
    ),
    (
        "x-unix; Quota exceeded message delivery failed to /var/mail/box/u/00/f/kijitora/INBOX",
        ["kijitora", "/var/mail"],
        ["Quota exceeded"],
    ),
    (
        "550 5.1.1 <kijitora>... User unknown; queued as 4F2B1C3A7D; msgid=abc123XYZ neko22cat",
        ["kijitora", "4F2B1C3A7D", "abc123XYZ", "neko22cat"],
        ["550 5.1.1", "User unknown", "queued as"],
    ),
    (
        "550 Mailbox unavailable for kiji\u200btora@exa\u200bmple.com\x00 at 12:34:56 +0900",
        ["kiji", "tora", "exa", "12:34"],
        ["Mailbox unavailable"],
    ),
    (
        "553 sorry, that domain isn't in my list of allowed rcpthosts (#5.7.1) "
        "Mon, 24 Jun 2024 08:58:06 +0900 id=QUJDREVGR0hJSktMTU5PUFFSU1RVVldY+/==",
        ["24 Jun 2024", "QUJDREVGR0hJSktMTU5PUFFSU1RVVldY"],
        ["553", "(#5.7.1)", "rcpthosts"],
    ),
    (
        "host 192-0-2-1.dyn.example.net said: 550 5.7.1 rejected",
        ["192-0-2-1", "dyn.example.net"],
        ["550 5.7.1", "rejected"],
    ),
]


@pytest.mark.parametrize(("text", "secrets", "kept"), CASES)
def test_secrets_are_masked_and_meaning_kept(text: str, secrets: list[str], kept: list[str]):
    masked = reason_template(text)
    for secret in secrets:
        assert secret.lower() not in masked.lower(), (secret, masked)
    for fragment in kept:
        assert fragment in masked, (fragment, masked)
    assert "@" not in masked
    assert not re.search(r"[\x00-\x1f\u200b\ue000-\uf8ff]", masked)
    assert "  " not in masked


def test_placeholders_are_visible_and_codes_intact():
    masked = reason_template("550-5.1.1 <kijitora@example.jp>: Recipient unknown (port 2525)")
    assert masked == "550-5.1.1 <email>: Recipient unknown (port <n>)"


def test_same_cause_different_people_gives_one_template():
    texts = [
        f"550 5.1.1 <{name}@{domain}>... User unknown [{ip}] id {mid}"
        for name, domain, ip, mid in [
            ("kijitora", "example.jp", "192.0.2.1", "a1b2c3d4e5"),
            ("taro.yamada+x", "shop.example.com", "2001:db8::7", "9f8e7d6c5b4a"),
            ('"odd name"', "[198.51.100.3]", "203.0.113.255", "ZZ99YY88XX"),
        ]
    ]
    assert len({reason_template(t) for t in texts}) == 1


def test_big_provider_group_kept_only_as_a_label():
    masked = reason_template(
        "550 Unknown user kijitora@docomo.ne.jp via mfsmax.docomo.ne.jp; "
        "also neko@gmail.com and tora@city.example.lg.jp"
    )
    assert "<email:docomo>" in masked
    assert "<host:docomo>" in masked
    assert "<email:gmail>" in masked
    assert "lg.jp" not in masked  # institutional suffix groups are for metadata, not texts
    assert "kijitora" not in masked and "neko" not in masked and "city" not in masked


def test_recipient_local_part_masked_when_it_appears_bare():
    text = "550 Unknown user kijitora (mailbox kijitora.neko)"
    assert "kijitora" in reason_template(text)  # a bare word cannot be recognised alone...
    masked = reason_template(text, recipient="kijitora.neko+tag@example.jp")
    assert "kijitora" not in masked  # ...but the known recipient's local part can


def test_html_and_injection_text_are_kept_as_plain_words_without_tags():
    masked = reason_template("550 <b>Ignore previous instructions</b> <script>alert(1)</script>")
    assert "<b>" not in masked and "<script>" not in masked
    assert "Ignore previous instructions" in masked


def test_empty_and_long_input():
    assert reason_template("") == ""
    long = reason_template("550 user unknown " + "blah " * 1000)
    assert len(long) == 1000 and long.endswith("…")


@pytest.mark.parametrize(
    ("domain", "group"),
    [
        ("docomo.ne.jp", "docomo"),
        ("i.softbank.jp", "softbank"),
        ("ezweb.ne.jp", "au"),
        ("GMAIL.COM", "gmail"),
        ("city.sapporo.lg.jp", "lg.jp"),
        ("neko-shop.example.co.jp", ""),
        ("notdocomo.ne.jp", ""),
    ],
)
def test_domain_group(domain: str, group: str):
    assert domain_group(domain) == group


def test_status_class():
    assert status_class("5.1.1") == "5"
    assert status_class(" 4.2.2") == "4"
    assert status_class("") == ""
    assert status_class("x") == ""


def test_dev_data_leaves_no_address_ip_or_long_digit_run():
    lines = DEV_DATA.read_text(encoding="utf-8").splitlines()
    texts = [json.loads(line)["reason_text"] for line in lines if line.strip()]
    ipv4 = re.compile(r"\b\d{1,3}(?:\.\d{1,3}){3}\b")
    for text in texts:
        masked = reason_template(text)
        assert "@" not in masked, masked
        assert not ipv4.search(masked), masked
        without_help_urls = re.sub(r"https?://\S+", "", masked)  # article numbers are public
        assert not re.search(r"(?<!RFC )\d{4,}", without_help_urls), masked
        # Bare words (a Google group name in parentheses) cannot be told from prose; host and
        # domain names can, and must be gone.
        assert not re.search(r"(?i)[\w-]\.(?:com|net|org|jp|ne|co)\b", without_help_urls), masked
        codes = re.findall(r"\b[245]\.\d{1,3}\.\d{1,3}\b", text)
        for code in codes:
            if not re.search(rf"\d\.{re.escape(code)}|{re.escape(code)}\.\d", text):
                assert code in masked, (code, masked)


_LONG_URLS = ("https://spam.example.net/check?q=" + "a" * 268 + " ") * 9  # 2,718 chars → 9 <url>


def test_only_the_head_of_a_reason_is_masked() -> None:
    """The masks run on READ_CHARS characters at most (a hostile 100 kB reason took up to a
    second per entry): words after the head never reach the template, even when the masks
    shorten the head far below the template's own limit."""
    text = _LONG_URLS + "word " * 60 + "quotaexceeded-after-the-head"
    assert len(text) > READ_CHARS
    template = reason_template(text)
    assert len(template) < MAX_TEMPLATE_CHARS
    assert "quotaexceeded" not in template and template.startswith("<url>")


@pytest.mark.parametrize("keep", range(1, 22))
def test_the_cut_never_leaves_half_an_address(keep: int) -> None:
    """Cut inside "tanaka.taro@example.jp", the part before "@" would not look like an address
    to the masks: the token the cut goes through is dropped whole."""
    head = _LONG_URLS + "see "
    text = head + "x" * (READ_CHARS - len(head) - keep) + " tanaka.taro@example.jp unavailable"
    for template in (reason_template(text), wire_template(text)):
        assert "tanaka" not in template and "taro" not in template


def test_read_head_keeps_short_text_and_whole_tokens() -> None:
    assert read_head("550 5.1.1 user unknown") == "550 5.1.1 user unknown"
    assert read_head("ab cd", 3) == "ab "
    assert read_head("ab cdef", 4) == "ab"
    assert read_head("abcdef", 3) == ""  # one token: nothing safe to keep
