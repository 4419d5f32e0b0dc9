"""送信元の情報: a sending domain or IP list that is not one never reaches a letter."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.core.letters.compose import SenderFacts, compose_letters
from app.core.letters.sender_check import clean_domain, domain_problem, ips_problem, split_ips
from app.core.letters.templates import load_templates
from app.core.storage.settings import AppSettings
from tests.helpers.letters import MUNICIPAL, SENDER_SETTINGS, classified


@pytest.mark.parametrize(
    "domain",
    ["mail.example.co.jp", "Mail.Example.CO.JP", "mail.example.co.jp.", "例え.jp",
     "xn--r8jz45g.jp", "ｍａｉｌ．ｅｘａｍｐｌｅ．ｊｐ", "a-b.example.com", ""],
)  # fmt: skip
def test_domains_a_letter_can_state(domain: str) -> None:
    assert domain_problem(domain) == ""


@pytest.mark.parametrize(
    ("domain", "says"),
    [
        ("not a domain", "空白"),
        ("info@example.co.jp", "メールアドレスではなく"),
        ("https://example.co.jp/", "URL ではなく"),
        ("192.0.2.10", "IP アドレスは"),
        ("localhost", "形式が正しくありません"),
        ("-bad.example.jp", "形式が正しくありません"),
        ("under_score.example.jp", "形式が正しくありません"),
        ("example.123", "形式が正しくありません"),
        ("xn--zz.jp", "形式が正しくありません"),  # an xn-- label that decodes to nothing
        ("a" * 64 + ".jp", "形式が正しくありません"),
        (".".join(["abcdefghi"] * 26) + ".jp", "形式が正しくありません"),  # over 253
    ],
)
def test_domains_refused_with_a_reason(domain: str, says: str) -> None:
    assert says in domain_problem(domain)


@pytest.mark.parametrize(
    "ips",
    ["192.0.2.10", "192.0.2.10, 192.0.2.11", "192.0.2.10 192.0.2.11", "192.0.2.10、2001:db8::10",
     "192.0.2.0/28", "2001:db8::/48", "１９２．０．２．１０", ""],
)  # fmt: skip
def test_ip_lists_a_letter_can_state(ips: str) -> None:
    assert ips_problem(ips) == ""


def test_wrong_ips_are_named() -> None:
    problem = ips_problem("999.1.1.1, abc, 198.51.100.7")
    assert "999.1.1.1" in problem and "abc" in problem and "198.51.100.7" not in problem
    assert "010.1.1.1" in ips_problem("010.1.1.1")  # leading zeros read as octal by some tools
    assert "192.0.2.0/24" in ips_problem("192.0.2.10/24")  # the range, written from its start
    assert "192.0.2.0/33" in ips_problem("192.0.2.0/33")
    assert len(ips_problem("x" * 10_000)) < 200  # a pasted paragraph is not echoed whole


def test_stored_values_are_normalised() -> None:
    assert clean_domain(" ｍａｉｌ．ｅｘａｍｐｌｅ．ｊｐ. ") == "mail.example.jp"
    assert split_ips("１９２．０．２．１０，192.0.2.11") == ["192.0.2.10", "192.0.2.11"]


def _letter(settings: AppSettings):  # type: ignore[no-untyped-def]
    facts = SenderFacts.from_settings(settings)
    pairs = list(zip([MUNICIPAL], classified(MUNICIPAL), strict=True))
    return facts, compose_letters(pairs, load_templates(), facts, datetime(2026, 12, 8, tzinfo=UTC))


def test_invalid_stored_facts_leave_the_mark_not_the_value() -> None:
    """What a settings file saved before the check (or edited by hand) holds never goes into
    the letter to the municipality: the 【…を記入】 mark does, and it counts as missing."""
    settings = AppSettings().replace(
        **{**SENDER_SETTINGS, "sender_domain": "not a domain", "sender_ips": "999.1.1.1, abc"}
    )
    facts, [letter] = _letter(settings)
    assert facts.sender_domain == "" and facts.sender_ips == ""
    assert "not a domain" not in letter.as_text() and "999.1.1.1" not in letter.as_text()
    assert "【送信元ドメインを記入】" in letter.missing_ja
    assert "【送信元 IP アドレスを記入】" in letter.missing_ja
    assert len(facts.left_out_ja) == 2
    assert "not a domain" in facts.left_out_ja[0] and "999.1.1.1" in facts.left_out_ja[1]


def test_valid_facts_fill_the_letter() -> None:
    facts, [letter] = _letter(AppSettings().replace(**SENDER_SETTINGS))
    assert facts.left_out_ja == () and letter.missing_ja == ()
    assert "mail.todoku.example" in letter.body and "203.0.113.10, 203.0.113.11" in letter.body
