"""Seed data: deterministic, realistic for Japanese senders, and readable from JSON Lines."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from app.sandbox.scenarios import (
    DEFAULT_REASONS_PATH,
    TRICKY_EMAILS,
    generate_records,
    load_reason_templates,
    load_records_jsonl,
)

START, END = 1_735_657_200, 1_735_657_200 + 60 * 86400


@pytest.fixture(scope="module")
def records():
    return generate_records(5000, seed=7, start=START, end=END)


def test_same_seed_same_records_other_seed_other_records(records) -> None:
    assert generate_records(5000, seed=7, start=START, end=END) == records
    assert generate_records(5000, seed=8, start=START, end=END) != records


def test_exact_count_mix_and_time_range(records) -> None:
    assert len(records) == 5000
    mix = Counter(r.list_kind for r in records)
    for kind, share in {"bounces": 0.55, "blocks": 0.25, "invalid_emails": 0.08,
                        "spam_reports": 0.05, "unsubscribes": 0.07}.items():  # fmt: skip
        assert abs(mix[kind] / 5000 - share) < 0.03, kind
    assert all(START <= r.created <= END for r in records)


def test_addresses_are_unique_per_list(records) -> None:
    keys = [(r.list_kind, r.email.lower()) for r in records]
    assert len(keys) == len(set(keys))


def test_japanese_recipient_domains_are_present(records) -> None:
    domains = Counter(r.email.rpartition("@")[2] for r in records)
    for expected in ("docomo.ne.jp", "ezweb.ne.jp", "i.softbank.jp", "gmail.com", "yahoo.co.jp"):
        assert domains[expected] > 0, expected
    assert any(re.fullmatch(r"city\.[a-z]+\.lg\.jp", d) for d in domains)
    assert any(re.fullmatch(r"pref\.[a-z]+\.lg\.jp", d) for d in domains)
    assert any(d.endswith(".co.jp") and d != "yahoo.co.jp" for d in domains)


def test_a_domain_not_found_reply_is_never_at_a_domain_that_exists(records) -> None:
    # The practice grid must not tell an operator that gmail.com or docomo.ne.jp does not exist.
    real = {"docomo.ne.jp", "ezweb.ne.jp", "au.com", "i.softbank.jp", "gmail.com", "yahoo.co.jp"}
    hostunknown = {
        tuple(template.parts): template
        for template in load_reason_templates()["bounces"]
        if template.label == "hostunknown"
    }
    assert hostunknown
    seen = 0
    for record in records:
        domain = record.email.rpartition("@")[2].lower()
        if record.list_kind == "bounces" and any(
            template.render(record.email) == record.reason for template in hostunknown.values()
        ):
            seen += 1
            assert domain not in real and not domain.endswith(".lg.jp"), record
    assert seen > 20


def test_fields_per_list(records) -> None:
    for record in records:
        if record.list_kind in ("bounces", "blocks"):
            assert record.reason and re.fullmatch(r"[245]\.\d+\.\d+", record.status), record
        elif record.list_kind == "invalid_emails":
            assert record.reason and not record.status
        elif record.list_kind == "spam_reports":
            assert re.fullmatch(r"\d+\.\d+\.\d+\.\d+", record.ip) and not record.reason
        else:
            assert (record.reason, record.status, record.ip) == ("", "", "")


def test_blocks_look_like_blocks(records) -> None:
    blocks = [r for r in records if r.list_kind == "blocks"]
    temporary = sum(r.status.startswith("4") for r in blocks)
    bounce_temporary = sum(r.status.startswith("4") for r in records if r.list_kind == "bounces")
    assert temporary / len(blocks) > 0.2
    assert bounce_temporary == 0


def test_reason_addresses_are_the_recipients(records) -> None:
    mentioning = [r for r in records if r.list_kind == "bounces" and "@" in r.reason]
    assert mentioning
    assert all("libsisimai" not in r.reason or r.email in r.reason for r in mentioning)
    assert sum(r.email in r.reason for r in mentioning) / len(mentioning) > 0.8


def test_tricky_addresses_are_included(records) -> None:
    present = {(r.list_kind, r.email) for r in records}
    assert set(TRICKY_EMAILS) <= present
    emails = [email for _, email in TRICKY_EMAILS]
    assert any("+" in e for e in emails) and any("%" in e for e in emails)
    assert any("/" in e for e in emails) and any("'" in e for e in emails)
    assert any(not e.isascii() for e in emails)


def test_reason_file_is_the_shipped_copy() -> None:
    assert DEFAULT_REASONS_PATH.is_file()
    pools = load_reason_templates()
    assert pools["bounces"] and pools["blocks"]


def test_load_records_jsonl(tmp_path: Path) -> None:
    path = tmp_path / "data.jsonl"
    lines = [
        {"list": "bounces", "email": "a@example.jp", "created": 1732950000, "reason": "r",
         "status": "5.1.1"},
        {"list": "spam_reports", "email": "b@example.jp", "created": 1732950001.0,
         "ip": "192.0.2.1"},
    ]  # fmt: skip
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n\n", encoding="utf-8")
    loaded = load_records_jsonl(path)
    assert [(r.list_kind, r.email, r.created, r.status, r.ip) for r in loaded] == [
        ("bounces", "a@example.jp", 1732950000, "5.1.1", ""),
        ("spam_reports", "b@example.jp", 1732950001, "", "192.0.2.1"),
    ]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "JSON object"),
        ('{"list": "bouncez", "email": "a@b.jp", "created": 1}', "'list'"),
        ('{"list": "bounces", "email": "nobody", "created": 1}', "'email'"),
        ('{"list": "bounces", "email": "a@b.jp", "created": "yesterday"}', "'created'"),
        ('{"list": "bounces", "email": "a@b.jp", "created": 1, "reason": 5}', "'reason'"),
    ],
)
def test_bad_lines_name_file_and_line(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "bad.jsonl"
    good = '{"list": "bounces", "email": "ok@b.jp", "created": 1}'
    path.write_text(f"{good}\n{line}\n", encoding="utf-8")
    with pytest.raises(ValueError, match=message) as error:
        load_records_jsonl(path)
    assert f"{path}:2:" in str(error.value)


def test_generation_arguments_are_checked() -> None:
    with pytest.raises(ValueError):
        generate_records(10, seed=1, start=END, end=START)


def test_provider_replies_go_to_that_providers_recipients() -> None:
    """La Poste's LPN/OFR, QQ's frequency limits, Google Groups ... never at a docomo address."""
    # Which labelled lines are one provider's: the same marks, read from the data file here.
    markers = {
        "lpn0": ("orange.fr", "wanadoo.fr", "laposte.net"),
        "ofr0": ("orange.fr", "wanadoo.fr", "laposte.net"),
        "service.mail.qq.com": ("qq.com", "foxmail.com"),
    }
    tricky = {email for _, email in TRICKY_EMAILS}  # kept as they are, on purpose
    seen = Counter()
    for record in generate_records(20000, seed=11, start=START, end=END):
        reason = record.reason.lower()
        if record.email in tricky:
            continue
        if "groups.google.com" in reason:  # a group: at googlegroups.com or a company's domain
            assert not record.email.endswith(("docomo.ne.jp", "ezweb.ne.jp", "gmail.com"))
        for marker, domains in markers.items():
            if marker in reason:
                seen[marker] += 1
                assert record.email.rpartition("@")[2].lower() in domains, (record.email, reason)
    assert all(seen[marker] > 0 for marker in markers), seen


def test_incident_blocks_at_docomo_carry_no_other_providers_reply() -> None:
    from app.sandbox.scenarios import generate_incident_blocks

    blocks = generate_incident_blocks(2000, seed=3, start=START, end=END)
    assert not any(
        mark in record.reason.lower()
        for record in blocks
        for mark in ("lpn0", "ofr0", "service.mail.qq.com", "google")
    )
