"""Letters (連絡文): safe rendering, templates and overrides, chooser, composition, typos."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.core.classify.classifier import Classifier
from app.core.letters.chooser import choose_letter, group_for_letters
from app.core.letters.compose import SenderFacts, compose_letter, compose_letters
from app.core.letters.entries_jsonl import read_entries
from app.core.letters.render import render
from app.core.letters.templates import (
    LetterKind,
    TemplateError,
    default_letters_dir,
    load_templates,
    parse_template,
)
from app.core.letters.typos import osa_distance, suggest_address, suggest_domain
from app.core.storage.settings import AppSettings, settings_from_dict, settings_to_dict
from app.core.types import ListKind, SuppressionEntry

SAMPLE = Path(__file__).resolve().parents[3] / "tests" / "data" / "letters" / "sample.jsonl"
FACTS = SenderFacts(
    org_name="株式会社トドク",
    sender_domain="mail.todoku.example",
    sender_ips="203.0.113.10, 203.0.113.11",
    contact="配信担当 山田（03-0000-0000）",
    auth_status="SPF pass / DKIM pass / DMARC pass",
)
NOW = datetime(2026, 1, 15, 3, 0, tzinfo=UTC)
CLASSIFIER = Classifier.load()


def entry(
    email: str,
    reason: str,
    kind: ListKind = ListKind.BOUNCES,
    ts: int = 1764900000,
    status: str = "5.7.1",
) -> SuppressionEntry:
    return SuppressionEntry(kind, email, datetime.fromtimestamp(ts, tz=UTC), status, reason)


def pair(e: SuppressionEntry) -> tuple[SuppressionEntry, object]:
    return e, CLASSIFIER.classify_entry(e)


# -- rendering ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "hostile",
    [
        "{{sender_domain}}",
        "{sender_domain}",
        "${HOME}",
        "{0}",
        "%(x)s",
        r"\1 \g<0>",
        "{{ org_name }}",
    ],
)
def test_values_are_never_read_as_template_text(hostile: str) -> None:
    out = render(
        "A {{evidence}} B {{sender_domain}}", {"evidence": hostile, "sender_domain": "d.example"}
    )
    assert out == f"A {hostile} B d.example"


def test_missing_value_is_a_visible_placeholder() -> None:
    assert render("送信元: {{sender_domain}}", {}) == "送信元: 【送信元ドメインを記入】"
    assert render("{{sender_domain}}", {"sender_domain": "  "}) == "【送信元ドメインを記入】"


def test_bounce_reason_with_template_syntax_stays_literal_in_a_letter() -> None:
    reason = "550 5.7.1 denied {{sender_domain}} {sender_domain} ${sender_domain} \x1b[31m"
    e = entry("soumu@city.example.lg.jp", reason, ListKind.BLOCKS)
    letters = compose_letters([pair(e)], load_templates(), SenderFacts(org_name="X"), NOW)
    assert len(letters) == 1
    body = letters[0].body
    assert "> 550 5.7.1 denied {{sender_domain}} {sender_domain} ${sender_domain} [31m" in body
    assert "\x1b" not in body
    assert "送信元ドメイン　　: 【送信元ドメインを記入】" in body


def test_c1_controls_in_a_bounce_reason_are_dropped_from_the_quote() -> None:
    """U+009B (CSI) and U+009D (OSC) drive terminals that take 8-bit controls, and
    `todoku-cli letter` prints the quoted reason: they went out raw beside the C0 ones."""
    reason = "550 5.7.1 rejected \u009b2J\u009d0;title\u0007 by \u0085policy"
    e = entry("soumu@city.example.lg.jp", reason, ListKind.BLOCKS)
    letters = compose_letters([pair(e)], load_templates(), SenderFacts(org_name="X"), NOW)
    body = letters[0].body
    assert "> 550 5.7.1 rejected 2J0;title by policy" in body
    assert not any("\x80" <= char <= "\x9f" for char in body)


# -- templates ---------------------------------------------------------------------------------


def test_shipped_templates_load_and_declare_what_they_use() -> None:
    templates = load_templates()
    assert set(templates.templates) == {
        "municipal",
        "company",
        "carrier",
        "consumer_mailbox_full",
        "consumer_typo",
    }
    assert templates.warnings_ja == ()
    assert {"docomo", "au", "softbank", "other"} <= set(templates.get("carrier").blocks)


def test_undeclared_variable_is_rejected() -> None:
    text = (
        'kind = "company"\nvariables = ["org_name"]\nsubject = "x {{sender_domain}}"\nbody = "y"\n'
    )
    with pytest.raises(TemplateError, match="sender_domain"):
        parse_template("company", text)


def test_unknown_variable_and_kind_are_rejected() -> None:
    with pytest.raises(TemplateError, match="kind"):
        parse_template("x", 'kind = "spam"\nvariables = []\nsubject = "s"\nbody = "b"\n')
    with pytest.raises(TemplateError, match="password"):
        parse_template(
            "x", 'kind = "company"\nvariables = ["password"]\nsubject = "s"\nbody = "b"\n'
        )


def test_user_file_of_the_same_name_wins(tmp_path: Path) -> None:
    shipped = (default_letters_dir() / "company.toml").read_text(encoding="utf-8")
    (tmp_path / "company.toml").write_text(
        shipped.replace("【ご確認のお願い】", "【弊社版】"), encoding="utf-8"
    )
    templates = load_templates(user_dir=tmp_path)
    assert templates.get("company").overridden
    assert templates.get("company").subject.startswith("【弊社版】")
    assert not templates.get("municipal").overridden
    assert templates.warnings_ja == ()


def test_broken_override_falls_back_with_a_japanese_warning(tmp_path: Path) -> None:
    (tmp_path / "municipal.toml").write_text(
        'kind = "municipal"\nsubject = "壊れ', encoding="utf-8"
    )
    (tmp_path / "carrier.toml").write_text(
        'kind = "carrier"\nvariables = []\nsubject = "{{org_name}}"\nbody = "b"\n', encoding="utf-8"
    )
    templates = load_templates(user_dir=tmp_path)
    assert not templates.get("municipal").overridden
    assert not templates.get("carrier").overridden
    assert len(templates.warnings_ja) == 2
    assert all("同梱のテンプレートを使います" in w for w in templates.warnings_ja)
    assert any("municipal.toml" in w and "TOML" in w for w in templates.warnings_ja)
    assert any("org_name" in w for w in templates.warnings_ja)


# -- typos -------------------------------------------------------------------------------------


def test_an_override_nested_too_deep_falls_back_instead_of_crashing(tmp_path: Path) -> None:
    """tomllib raised RecursionError (not TOMLDecodeError): todoku-cli letter and the letters
    tab stopped with a traceback on an organisation's (or an attacker's) template file."""
    (tmp_path / "company.toml").write_text("a = " + "[" * 100_000, encoding="utf-8")
    templates = load_templates(user_dir=tmp_path)
    (warning,) = templates.warnings_ja
    assert "company.toml" in warning and "入れ子が深すぎて" in warning
    assert not templates.get("company").overridden


@pytest.mark.parametrize(
    ("domain", "expected"),
    [
        ("gmial.com", "gmail.com"),
        ("gmai.com", "gmail.com"),
        ("gmail.co", "gmail.com"),
        ("docomo.ne.j", "docomo.ne.jp"),
        ("docomo.co.jp", "docomo.ne.jp"),
        ("ezweb.ne.jo", "ezweb.ne.jp"),
        ("yahoo.co.jpp", "yahoo.co.jp"),
        ("hotmial.com", "hotmail.com"),
        ("gmail.com", ""),  # well known: never "corrected"
        ("mail.com", ""),  # a real provider one edit from gmail.com
        ("example.co.jp", ""),
        ("ai.com", ""),  # short names are too close to real domains
        ("city.example.lg.jp", ""),
    ],
)
def test_typo_detector(domain: str, expected: str) -> None:
    assert suggest_domain(domain) == expected


def test_osa_distance_counts_a_swap_as_one() -> None:
    assert osa_distance("gmial.com", "gmail.com") == 1
    assert osa_distance("abc", "abc") == 0
    assert osa_distance("kitten", "sitting") == 3


def test_suggest_address_keeps_the_local_part() -> None:
    assert suggest_address("Sato.Taro@gmial.com") == "Sato.Taro@gmail.com"
    assert suggest_address("no-at-sign") == ""


# -- chooser and composition -------------------------------------------------------------------


def test_chooser_picks_the_kind_from_group_and_reason() -> None:
    entries, problems = read_entries(SAMPLE.read_text(encoding="utf-8").splitlines())
    assert problems == []
    chosen = {e.email: choose_letter(e, CLASSIFIER.classify_entry(e)).letter_id for e in entries}
    assert chosen == {
        "soumu@city.example.lg.jp": "municipal",
        "kikaku@city.example.lg.jp": "municipal",
        "yamada@corp.example.co.jp": "company",
        # docomo's "Unknown user" with 5.0.0: since 2025-03-13 the address is gone (rule
        # docomo-unknown-user), so no 指定受信 letter (docs/letters.md, "one source of truth").
        "hanako@docomo.ne.jp": "",
        "taro@ezweb.ne.jp": "carrier",
        "jiro@i.softbank.jp": "carrier",
        "suzuki@gmail.com": "consumer_mailbox_full",
        "sato@gmial.com": "consumer_typo",
    }


def test_no_letter_for_unsubscribes_or_free_mail_reputation() -> None:
    unsub = entry("a@example.co.jp", "", ListKind.UNSUBSCRIBES)
    assert choose_letter(*pair(unsub)).letter_id == ""  # type: ignore[arg-type]
    gmail = entry("a@gmail.com", "550 5.7.1 Our system has detected an unusual rate of mail")
    choice = choose_letter(*pair(gmail))  # type: ignore[arg-type]
    assert choice.letter_id == "" and "フリーメール" in choice.why_ja


def test_one_letter_per_municipality_and_one_per_consumer() -> None:
    pairs = [
        pair(
            entry(
                "a@city.example.lg.jp", "554 5.7.1 blocked by policy", ListKind.BLOCKS, 1764900000
            )
        ),
        pair(
            entry(
                "b@city.example.lg.jp", "554 5.7.1 blocked by policy", ListKind.BLOCKS, 1764990000
            )
        ),
        pair(entry("c@town.example.lg.jp", "554 5.7.1 blocked by policy", ListKind.BLOCKS)),
        # docomo's reception filter before 2025-03-13: "Unknown user" with status 5.2.0.
        pair(entry("x@docomo.ne.jp", "550 Unknown user", status="5.2.0")),
        pair(entry("y@docomo.ne.jp", "550 Unknown user", status="5.2.0")),
    ]
    groups, left_out = group_for_letters(pairs)  # type: ignore[arg-type]
    assert left_out == []
    assert [(g.letter_id, g.side, len(g.items)) for g in groups] == [
        ("municipal", "city.example.lg.jp", 2),
        ("municipal", "town.example.lg.jp", 1),
        ("carrier", "x@docomo.ne.jp", 1),
        ("carrier", "y@docomo.ne.jp", 1),
    ]
    letter = compose_letter(groups[0], load_templates(), FACTS, NOW)
    assert letter.recipients == ("a@city.example.lg.jp", "b@city.example.lg.jp")
    assert "受信を拒否された宛先（2 件）" in letter.body
    # JST times: 1764900000 = 2025-12-05 11:00 JST ... 1764990000 = 2025-12-06 12:00 JST
    assert "2025年12月5日 11:00 ～ 2025年12月6日 12:00" in letter.body
    assert "203.0.113.10, 203.0.113.11" in letter.body
    assert letter.missing_ja == ()


def test_kind_filter_keeps_only_that_kind() -> None:
    entries, _ = read_entries(SAMPLE.read_text(encoding="utf-8").splitlines())
    pairs = [pair(e) for e in entries]
    letters = compose_letters(pairs, load_templates(), FACTS, NOW, kind=LetterKind.CONSUMER)  # type: ignore[arg-type]
    assert [letter.letter_id for letter in letters] == ["consumer_mailbox_full", "consumer_typo"]
    typo = letters[1]
    assert "sato@gmial.com" in typo.body and "sato@gmail.com" in typo.body


# Each carrier's reception-filter refusal as the classifier reads it (filtered).
_FILTER_REPLIES = {
    "docomo": ("550 Unknown user", "5.2.0"),
    "au": ("550 : User unknown", "5.0.0"),
    "softbank": ("550 5.7.1 Recipient address rejected: Access denied", "5.7.1"),
    "mvno": ("550 5.0.0 User unknown", "5.0.0"),
}


@pytest.mark.parametrize(
    ("email", "carrier", "marker", "absent"),
    [
        ("h@docomo.ne.jp", "docomo", "2025年3月13日", "My SoftBank"),
        ("t@ezweb.ne.jp", "au", "受信リストに登録", "My docomo"),
        ("j@i.softbank.jp", "softbank", "受信許可リスト設定", "My docomo"),
        ("m@mineo.jp", "mvno", "ご利用の携帯電話会社", "My docomo"),
    ],
)
def test_carrier_letter_shows_that_carriers_steps(
    email: str, carrier: str, marker: str, absent: str
) -> None:
    text, status = _FILTER_REPLIES[carrier]
    letters = compose_letters(
        [pair(entry(email, text, status=status))], load_templates(), FACTS, NOW
    )  # type: ignore[list-item]
    assert len(letters) == 1 and letters[0].letter_id == "carrier"
    assert marker in letters[0].body and absent not in letters[0].body
    assert "「mail.todoku.example」を" in letters[0].body


def test_company_letter_carries_the_evidence_an_administrator_needs() -> None:
    e = entry("yamada@corp.example.co.jp", "550 5.7.1 Message rejected due to local policy")
    letter = compose_letters([pair(e)], load_templates(), FACTS, NOW)[0]  # type: ignore[list-item]
    assert letter.letter_id == "company"
    for needed in (
        "（日本時間）",
        "> 550 5.7.1 Message rejected due to local policy",
        "mail.todoku.example",
        "SPF pass / DKIM pass / DMARC pass",
    ):
        assert needed in letter.body
    assert letter.as_text().startswith("件名: 【ご確認のお願い】mail.todoku.example")


def test_sender_fields_round_trip_through_settings() -> None:
    settings = AppSettings(sender_domain="mail.example.jp", zendesk_requester_is_recipient=True)
    back = settings_from_dict(settings_to_dict(settings))
    assert back == settings
    old_file = settings_from_dict({"schema_version": 1, "region": "eu"})
    assert old_file.sender_domain == "" and old_file.zendesk_subdomain == ""
    assert SenderFacts.from_settings(
        AppSettings(sender_ips="1.2.3.4  5.6.7.8、9.9.9.9")
    ).sender_ips == ("1.2.3.4, 5.6.7.8, 9.9.9.9")


def test_one_rejection_time_is_written_once() -> None:
    one = entry("a@city.example.lg.jp", "550 5.7.1 Relaying denied", ListKind.BLOCKS)
    letters = compose_letters([pair(one)], load_templates(), FACTS, NOW)  # type: ignore[list-item]
    assert "2025年12月5日 11:00" in letters[0].body
    assert "～" not in letters[0].body
    assert "2026年1月15日" in letters[0].body  # today, no leading zeros


def test_group_as_kind_forces_the_kind_and_marks_overrides() -> None:
    from app.core.letters.chooser import OVERRIDDEN_WHY_JA, group_as_kind

    municipal = entry("a@city.example.lg.jp", "550 5.7.1 Relaying denied", ListKind.BLOCKS)
    typo = entry("hanako@gmial.com", "550 5.1.1 User unknown")
    spam = entry("c@example.co.jp", "", ListKind.SPAM_REPORTS)
    pairs = [pair(municipal), pair(typo), pair(spam)]
    groups, left_out = group_as_kind(pairs, LetterKind.COMPANY)  # type: ignore[arg-type]
    assert [(g.letter_id, g.side) for g in groups] == [
        ("company", "city.example.lg.jp"),
        ("company", "gmial.com"),
    ]
    assert all(i.choice.why_ja == OVERRIDDEN_WHY_JA for g in groups for i in g.items)
    assert [i.entry.email for i in left_out] == ["c@example.co.jp"]  # never a spam reporter
    groups, _ = group_as_kind(pairs, LetterKind.CONSUMER)  # type: ignore[arg-type]
    assert [(g.letter_id, g.side) for g in groups] == [
        ("consumer_mailbox_full", "a@city.example.lg.jp"),
        ("consumer_typo", "hanako@gmial.com"),
    ]
    assert groups[1].items[0].choice.why_ja != OVERRIDDEN_WHY_JA  # its own choice already
    assert groups[1].items[0].choice.suggested_address == "hanako@gmail.com"


def test_a_line_nested_too_deep_is_a_problem_of_its_own() -> None:
    good = json.dumps({"email": "a@example.jp", "list": "bounces", "created": 0})
    huge = json.dumps({"email": "b@example.jp", "list": "bounces", "created": 1e20})
    entries, problems = read_entries(["[" * 100_000 + "]" * 100_000, good, huge])
    assert [problem.line for problem in problems] == [1, 3]
    assert [entry.email for entry in entries] == ["a@example.jp"]


@pytest.mark.parametrize(
    ("email", "text", "status"),
    [
        # docomo since 2025-03-13: filtered mail goes to the spam folder, so this is the address.
        ("ichiro@docomo.ne.jp", "550 Unknown user ichiro@docomo.ne.jp", "5.0.0"),
        ("k@ezweb.ne.jp", "550 <k@ezweb.ne.jp>: User unknown", ""),  # au echoes a missing address
        ("s@softbank.ne.jp", "550 5.1.1 <s@softbank.ne.jp>: Recipient address rejected", "5.1.1"),
    ],
)
def test_letter_follows_the_classification_for_a_carrier_address_that_is_gone(
    email: str, text: str, status: str
) -> None:
    """One source of truth: the classifier said the address is gone, so no 指定受信 letter."""
    e, explanation = pair(entry(email, text, status=status))
    assert explanation.reason == "userunknown"  # type: ignore[attr-defined]
    assert choose_letter(e, explanation).letter_id == ""  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "email",
    ["gone@gmail.com", "gone@docomo.ne.jp", "gone@city.example.lg.jp", "gone@corp.example.co.jp"],
)
def test_no_letter_for_a_gone_address_says_why_in_the_same_words_everywhere(email: str) -> None:
    """A gone Gmail address was told to review the sender's authentication and volume, a gone
    carrier or municipal one only what it was not; the address being gone is the reason."""
    from app.core.letters.chooser import ADDRESS_GONE_WHY

    e, explanation = pair(entry(email, f"550 5.1.1 <{email}>: User unknown", status="5.1.1"))
    assert explanation.reason == "userunknown"  # type: ignore[attr-defined]
    choice = choose_letter(e, explanation)  # type: ignore[arg-type]
    assert choice.letter_id == ""
    assert choice.why_ja == ADDRESS_GONE_WHY
    assert "送信ドメイン認証" not in choice.why_ja


@pytest.mark.parametrize("brk", ["\n", "\r", "\u2028", "\u2029", "\u0085", "\x0b"])
def test_a_line_break_in_an_address_or_status_adds_no_line(brk: str) -> None:
    """The address and status come from the provider or a JSONL file; a line break in them
    wrote a free line (e.g. a bare "件名: …") into the letter, outside the quote."""
    injected = "件名: 【至急】パスワード再設定のお願い"
    address = f"soumu{brk}{injected}{brk}soumu@city.example.lg.jp"
    e = entry(address, "550 5.7.1 denied", ListKind.BLOCKS, status=f"5.7.1{brk}{injected}")
    letter = compose_letters([pair(e)], load_templates(), FACTS, NOW)[0]
    lines = letter.as_text().splitlines()
    assert [line for line in lines if line.lstrip().startswith(injected)] == []
