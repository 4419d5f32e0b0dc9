"""The accuracy benchmark keeps running, and its catalogue set stays well-formed."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from app.core.classify.cache import CATEGORY_OF

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "benchmarks" / "data" / "provider-catalogue.jsonl"
BLIND_CATALOGUE = ROOT / "benchmarks" / "data" / "blind-catalogue.jsonl"
BLIND_TWO = ROOT / "benchmarks" / "data" / "blind-two.jsonl"
BLIND_THREE = ROOT / "benchmarks" / "data" / "blind-three.jsonl"
BLIND_FOUR = ROOT / "benchmarks" / "data" / "blind-four.jsonl"
BLIND_FIVE = ROOT / "benchmarks" / "data" / "blind-five.jsonl"
BLIND_SIX = ROOT / "benchmarks" / "data" / "blind-six.jsonl"
BLIND_SEVEN = ROOT / "benchmarks" / "data" / "blind-seven.jsonl"
BLIND_EIGHT = ROOT / "benchmarks" / "data" / "blind-eight.jsonl"
BLIND_NINE = ROOT / "benchmarks" / "data" / "blind-nine.jsonl"
BLIND_TEN = ROOT / "benchmarks" / "data" / "blind-ten.jsonl"
BLIND_ELEVEN = ROOT / "benchmarks" / "data" / "blind-eleven.jsonl"
BLIND_TWELVE = ROOT / "benchmarks" / "data" / "blind-twelve.jsonl"
BLIND_THIRTEEN = ROOT / "benchmarks" / "data" / "blind-thirteen.jsonl"
BLIND_FOURTEEN = ROOT / "benchmarks" / "data" / "blind-fourteen.jsonl"
BLIND_FIFTEEN = ROOT / "benchmarks" / "data" / "blind-fifteen.jsonl"
BLIND_SIXTEEN = ROOT / "benchmarks" / "data" / "blind-sixteen.jsonl"
BLIND_SEVENTEEN = ROOT / "benchmarks" / "data" / "blind-seventeen.jsonl"
BLIND_EIGHTEEN = ROOT / "benchmarks" / "data" / "blind-eighteen.jsonl"
BLIND_NINETEEN = ROOT / "benchmarks" / "data" / "blind-nineteen.jsonl"
BLIND_TWENTY = ROOT / "benchmarks" / "data" / "blind-twenty.jsonl"
BLIND_TWENTY_ONE = ROOT / "benchmarks" / "data" / "blind-twenty-one.jsonl"
BLIND_TWENTY_TWO = ROOT / "benchmarks" / "data" / "blind-twenty-two.jsonl"
BLIND_TWENTY_THREE = ROOT / "benchmarks" / "data" / "blind-twenty-three.jsonl"
BLIND_TWENTY_FOUR = ROOT / "benchmarks" / "data" / "blind-twenty-four.jsonl"
BLIND_TWENTY_FIVE = ROOT / "benchmarks" / "data" / "blind-twenty-five.jsonl"
BLIND_TWENTY_SIX = ROOT / "benchmarks" / "data" / "blind-twenty-six.jsonl"
BLIND_TWENTY_SEVEN = ROOT / "benchmarks" / "data" / "blind-twenty-seven.jsonl"
BLIND_TWENTY_EIGHT = ROOT / "benchmarks" / "data" / "blind-twenty-eight.jsonl"
BLIND_TWENTY_NINE = ROOT / "benchmarks" / "data" / "blind-twenty-nine.jsonl"
BLIND_THIRTY = ROOT / "benchmarks" / "data" / "blind-thirty.jsonl"
BLIND_THIRTY_ONE = ROOT / "benchmarks" / "data" / "blind-thirty-one.jsonl"
BLIND_THIRTY_TWO = ROOT / "benchmarks" / "data" / "blind-thirty-two.jsonl"
BLIND_THIRTY_THREE = ROOT / "benchmarks" / "data" / "blind-thirty-three.jsonl"
BLIND_THIRTY_FOUR = ROOT / "benchmarks" / "data" / "blind-thirty-four.jsonl"
BLIND_THIRTY_FIVE = ROOT / "benchmarks" / "data" / "blind-thirty-five.jsonl"
SISIMAI_LEXICON = ROOT / "benchmarks" / "data" / "sisimai-lexicon.jsonl"
SISIMAI_LHOST = ROOT / "benchmarks" / "data" / "sisimai-lhost.jsonl"
MTA_SOURCE = ROOT / "benchmarks" / "data" / "mta-source.jsonl"
JP_MARKET = ROOT / "benchmarks" / "data" / "jp-market.jsonl"
VENDOR_DOCS = ROOT / "benchmarks" / "data" / "vendor-docs.jsonl"
DOCS_TWO = ROOT / "benchmarks" / "data" / "docs-two.jsonl"
ISSUES_TWO = ROOT / "benchmarks" / "data" / "issues-two.jsonl"
JP_TWO = ROOT / "benchmarks" / "data" / "jp-two.jsonl"
_FIELDS = {
    "reason_text": str,
    "status": str,
    "expected_reason": str,
    "alt_reasons": list,
    "permanent": bool,
    "host_group": str,
    "recipient_domain": str,
    "source": str,
    "source_url": str,
    "kind": str,
}


def test_smoke_run_scores_both_sets() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    script = ROOT / "benchmarks" / "accuracy.py"
    done = subprocess.run(
        [sys.executable, str(script), "--smoke", "--quiet"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "== dev set" in done.stdout
    assert "== provider catalogue" in done.stdout
    assert "== blind catalogue" in done.stdout
    assert "== blind two" in done.stdout
    assert "== blind three" in done.stdout
    assert "== blind four" in done.stdout
    assert "== blind five" in done.stdout
    assert "== blind six" in done.stdout
    assert "== blind seven" in done.stdout
    assert "== blind eight" in done.stdout
    assert "== blind nine" in done.stdout
    assert "== blind ten" in done.stdout
    assert "== blind eleven" in done.stdout
    assert "== blind twelve" in done.stdout
    assert "== blind thirteen" in done.stdout
    assert "== blind fourteen" in done.stdout
    assert "== blind fifteen" in done.stdout
    assert "== blind sixteen" in done.stdout
    assert "== blind seventeen" in done.stdout
    assert "== blind eighteen" in done.stdout
    assert "== blind nineteen" in done.stdout
    assert "== blind twenty (" in done.stdout
    assert "== blind twenty-one" in done.stdout
    assert "== blind twenty-two" in done.stdout
    assert "== blind twenty-three" in done.stdout
    assert "== blind twenty-four" in done.stdout
    assert "== blind twenty-five" in done.stdout
    assert "== blind twenty-six" in done.stdout
    assert "== blind twenty-seven" in done.stdout
    assert "== blind twenty-eight" in done.stdout
    assert "== blind twenty-nine" in done.stdout
    assert "== blind thirty" in done.stdout
    assert "== blind thirty-one" in done.stdout
    assert "== blind thirty-two" in done.stdout
    assert "== blind thirty-three" in done.stdout
    assert "== blind thirty-four" in done.stdout
    assert "== blind thirty-five" in done.stdout
    assert "== sisimai lexicon" in done.stdout
    assert "== sisimai lhost" in done.stdout
    assert "== mta source" in done.stdout
    assert "== jp market" in done.stdout
    assert "== vendor docs" in done.stdout
    assert "== docs two" in done.stdout
    assert "== issues two" in done.stdout
    assert "== jp two" in done.stdout
    assert done.stdout.count("overall: ") >= 2  # and the own catalogue, when present
    assert "rules that cite only one source" in done.stdout
    assert "ambiguous (same normalised text (hosts masked), status and host group)" in done.stdout


def _accuracy_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("accuracy", ROOT / "benchmarks" / "accuracy.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("accuracy", module)  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_the_ceiling_counts_equal_texts_with_labels_their_alternatives_do_not_cover() -> None:
    accuracy = _accuracy_module()
    ambiguity, key = accuracy.ambiguity, accuracy.input_key

    def row(text: str, label: str, *alts: str) -> dict[str, object]:
        return {"reason_text": text, "status": "", "expected_reason": label, "alt_reasons": alts}

    rows = [
        row("550 Unknown user a@example.net", "filtered"),
        row("550 Unknown user b@example.org", "filtered"),
        row("550 Unknown user c@example.com", "userunknown"),
        row("550 Unknown user d@example.com", "rejected", "filtered"),  # covered by its alt
        row("552 Mailbox full", "mailboxfull"),
    ]
    # One group of four: "filtered" is accepted by three, so one line cannot be right.
    assert ambiguity(rows, key) == (1, 1, 4)
    assert ambiguity(rows[:2] + rows[3:], key) == (0, 0, 4)


def test_catalogue_lines_are_labelled_in_the_vocabulary_with_a_source() -> None:
    rows = [json.loads(line) for line in CATALOGUE.read_text("utf-8").splitlines() if line]
    assert len(rows) >= 200
    seen = set()
    for row in rows:
        for name, kind in _FIELDS.items():
            assert isinstance(row.get(name), kind), (name, row["reason_text"][:60])
        for reason in (row["expected_reason"], *row["alt_reasons"]):
            assert reason in CATEGORY_OF, reason
        assert row["source_url"].startswith(("https://", "http://"))
        assert row["kind"] in {"documented-reply", "documented-behaviour"}
        key = (row["reason_text"], row["status"], row["recipient_domain"])
        assert key not in seen, key
        seen.add(key)
    # Waiting alone fixes these classes: a line labelled otherwise is a labelling mistake.
    for row in rows:
        if "greylist" in row["reason_text"].lower() or "graylist" in row["reason_text"].lower():
            assert row["permanent"] is False, row["reason_text"]


def _assert_blind_set(
    path: Path,
    module: str,
    kinds: set[str] | None = None,
    min_lines: int = 150,
    min_temporary: float = 0.35,
) -> None:
    """Well-formed, labelled in the vocabulary, and greylisting is never called lasting."""
    rows = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line]
    assert min_lines <= len(rows) <= 250
    seen = set()
    for row in rows:
        for name, kind in _FIELDS.items():
            assert isinstance(row.get(name), kind), (name, row["reason_text"][:60])
        assert row["module"] == module
        if kinds is not None:
            assert row["kind"] in kinds, row["kind"]
        for reason in (row["expected_reason"], *row["alt_reasons"]):
            assert reason in CATEGORY_OF, reason
        assert row["source_url"].startswith(("https://", "http://"))
        key = (row["reason_text"], row["status"], row["recipient_domain"])
        assert key not in seen, key
        seen.add(key)
    temporary = [row for row in rows if row["permanent"] is False]
    assert len(temporary) >= min_temporary * len(rows)
    for row in rows:
        if "greylist" in row["reason_text"].lower() or "graylist" in row["reason_text"].lower():
            assert row["permanent"] is False, row["reason_text"]


def test_blind_catalogue_lines_are_labelled_in_the_vocabulary_with_a_source() -> None:
    _assert_blind_set(BLIND_CATALOGUE, "blind")


def test_blind_two_lines_are_labelled_in_the_vocabulary_with_a_source() -> None:
    _assert_blind_set(BLIND_TWO, "blind-two", {"published-text", "documented-behaviour"})


def test_blind_three_lines_are_labelled_in_the_vocabulary_with_a_source() -> None:
    _assert_blind_set(BLIND_THREE, "blind-three", {"published-text", "documented-behaviour"})


def test_blind_four_lines_are_labelled_in_the_vocabulary_with_a_source() -> None:
    _assert_blind_set(BLIND_FOUR, "blind-four", {"published-text", "documented-behaviour"})


def test_blind_five_lines_are_labelled_in_the_vocabulary_with_a_source() -> None:
    _assert_blind_set(BLIND_FIVE, "blind-five", {"published-text", "documented-behaviour"})


def test_blind_six_lines_are_labelled_in_the_vocabulary_with_a_source() -> None:
    _assert_blind_set(
        BLIND_SIX, "blind-six", {"documented-reply", "documented-behaviour"}, min_lines=120
    )


def test_blind_seven_lines_are_labelled_in_the_vocabulary_with_a_source() -> None:
    _assert_blind_set(BLIND_SEVEN, "blind-seven", {"quoted-reply"})


def test_blind_eight_lines_are_labelled_in_the_vocabulary_with_a_source() -> None:
    # Asked for about a third of temporary replies; it has 48 of 152 (32 %).
    _assert_blind_set(BLIND_EIGHT, "blind-eight", {"quoted-reply"}, min_temporary=0.3)


def test_blind_nine_lines_are_labelled_in_the_vocabulary_with_a_source() -> None:
    _assert_blind_set(BLIND_NINE, "blind-nine", {"quoted-reply"})


def test_blind_ten_lines_are_labelled_in_the_vocabulary_with_a_source() -> None:
    # Asked for about a third of temporary replies; it has 52 of 167 (31 %).
    _assert_blind_set(BLIND_TEN, "blind-ten", {"quoted-reply"}, min_temporary=0.3)


def test_blind_eleven_lines_are_labelled_in_the_vocabulary_with_a_source() -> None:
    # The stored pages not cited before ran out near 100 lines; 32 of 102 are temporary (31 %).
    _assert_blind_set(
        BLIND_ELEVEN, "blind-eleven", {"quoted-reply"}, min_lines=100, min_temporary=0.3
    )


def test_blind_twelve_lines_are_labelled_in_the_vocabulary_with_a_source() -> None:
    # Uncited stored pages ran out near 90 lines; 34 of 88 are temporary (39 %).
    _assert_blind_set(
        BLIND_TWELVE, "blind-twelve", {"quoted-reply"}, min_lines=85, min_temporary=0.3
    )


def test_blind_thirteen_lines_are_labelled_in_the_vocabulary_with_a_source() -> None:
    # Non-English replies on uncited stored pages ran out at 20 lines; 5 are temporary (25 %).
    _assert_blind_set(
        BLIND_THIRTEEN, "blind-thirteen", {"quoted-reply"}, min_lines=20, min_temporary=0.2
    )


def test_blind_fourteen_lines_are_labelled_in_the_vocabulary_with_a_source() -> None:
    # Uncited pages ran out near 60 lines; 12 of 62 are temporary (19 %).
    _assert_blind_set(
        BLIND_FOURTEEN, "blind-fourteen", {"quoted-reply"}, min_lines=60, min_temporary=0.15
    )


def _holds_pattern(text: str, pattern: str | list[str]) -> bool:
    """Sisimai's test: a string is a substring; a pair's parts occur in order (moji.Aligned)."""
    parts = [pattern] if isinstance(pattern, str) else pattern
    at = 0
    for part in parts:
        found = text.find(part, at)
        if found < 0:
            return False
        at = found + len(part)
    return True


def _labeler_rows(path: Path, module: str, folder: str) -> list[dict[str, Any]]:
    """The lines of a set built from Sisimai's tables, after the checks every such line passes:
    its module and kind, a go-sisimai file as source, known reasons, no status (the text
    decides), and no text twice."""
    rows = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line]
    texts = set()
    for row in rows:
        text = row["reason_text"]
        assert row["module"] == module and row["kind"] == module.replace("sisimai", "labeler")
        assert row["source_url"].startswith(
            f"https://github.com/sisimai/go-sisimai/blob/main/{folder}"
        )
        for reason in (row["expected_reason"], *row["alt_reasons"]):
            assert reason in CATEGORY_OF, reason
        assert row["status"] == ""
        assert text not in texts, text
        texts.add(text)
    return rows


def test_sisimai_lexicon_lines_carry_their_phrase_and_leave_the_code_neutral() -> None:
    rows = _labeler_rows(SISIMAI_LEXICON, "sisimai-lexicon", "reason/why-")
    assert len(rows) >= 400
    for row in rows:
        text = row["reason_text"]
        # An enhanced code in the text only as X.0.0 (or the code the phrase itself carries,
        # as "#5.1.1 bad address" does).
        assert _holds_pattern(text.lower(), row["sisimai_pattern"]), text
        # Never a temporary text labelled permanent (a 4xx reply here is always temporary
        # unless it names a mail loop, which lasts until someone fixes the routing).
        if text.startswith("4") or "try again" in text.lower():
            assert row["permanent"] is False, text


def test_sisimai_lhost_lines_carry_their_phrase_and_never_call_a_deferral_permanent() -> None:
    rows = _labeler_rows(SISIMAI_LHOST, "sisimai-lhost", "lhost/via-")
    assert len(rows) >= 100
    for row in rows:
        text = row["reason_text"]
        # The decoders' tables are substring tests (moji.ContainsAny, case-insensitive).
        assert row["sisimai_pattern"].lower().strip() in text.lower(), text
        # qmail's "(#4.x.x)" and a 4xx reply are temporary whatever the reason.
        if text.startswith("4") or "(#4." in text or "temporar" in text.lower():
            assert row["permanent"] is False, text


def test_mta_source_lines_cite_their_source_and_never_call_a_deferral_permanent() -> None:
    rows = [json.loads(line) for line in MTA_SOURCE.read_text("utf-8").splitlines() if line]
    assert len(rows) >= 120
    texts = set()
    for row in rows:
        text = row["reason_text"]
        for name, kind in _FIELDS.items():
            assert isinstance(row[name], kind), (name, text)
        assert row["kind"] == "source-string" and row["module"], text
        assert row["source_url"].startswith("http"), text
        for reason in (row["expected_reason"], *row["alt_reasons"]):
            assert reason in CATEGORY_OF or reason == "onhold", reason
        assert text not in texts, text
        texts.add(text)
        # A 4xx reply or status, qmail's "(#4.x.x)", "try again" or a deferral is temporary.
        lowered = text.lower()
        if (
            text.startswith("4")
            or row["status"].startswith("4")
            or "(#4." in text
            or "try again" in lowered
            or "try later" in lowered
            or "deferred" in lowered
        ):
            assert row["permanent"] is False, text


def test_jp_market_lines_are_labelled_and_never_call_a_deferral_permanent() -> None:
    """The Japanese-market set: well-formed, in the vocabulary, each with its public source, and
    no 4xx reply, greylisting or 「しばらくしてから」 text labelled permanent (the only 4xx lines
    labelled lasting are Google's TLS-required and IP-allow-list refusals, which say so)."""
    rows = [json.loads(line) for line in JP_MARKET.read_text("utf-8").splitlines() if line]
    assert 100 <= len(rows) <= 200
    seen = set()
    for row in rows:
        for name, kind in _FIELDS.items():
            assert isinstance(row.get(name), kind), (name, row["reason_text"][:60])
        assert row["language"] in {"ja", "en"}
        assert row["kind"] in {"documented-reply", "documented-behaviour"}
        for reason in (row["expected_reason"], *row["alt_reasons"]):
            assert reason in CATEGORY_OF, reason
        assert row["source_url"].startswith(("https://", "http://"))
        key = (row["reason_text"], row["status"], row["recipient_domain"])
        assert key not in seen, key
        seen.add(key)
        text = row["reason_text"]
        deferral = text.startswith("4") or row["status"].startswith("4")
        if (
            "greylist" in text.lower()
            or "しばらくしてから" in text
            or (deferral and "TLS required" not in text and "whitelist" not in text)
        ):
            assert row["permanent"] is False, text
    assert sum(row["permanent"] is False for row in rows) >= 0.3 * len(rows)
    assert sum(row["language"] == "ja" for row in rows) >= 20


def _documented_rows(path: Path, allowed: set[str]) -> list[dict[str, Any]]:
    """The lines of a set built from published pages, after the checks every such line passes:
    its fields, kind, module and page, reasons in ``allowed``, and no text twice."""
    rows = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line]
    texts = set()
    for row in rows:
        text = row["reason_text"]
        for name, kind in _FIELDS.items():
            assert isinstance(row[name], kind), (name, text)
        assert row["kind"] in {"documented-reply", "documented-behaviour"}, text
        assert row["module"] and row["source_url"].startswith("http"), text
        for reason in (row["expected_reason"], *row["alt_reasons"]):
            assert reason in allowed, reason
        assert text.lower() not in texts, text
        texts.add(text.lower())
    return rows


def test_vendor_docs_lines_cite_their_page_and_call_deferrals_permanent_only_if_said() -> None:
    rows = _documented_rows(VENDOR_DOCS, {*CATEGORY_OF, "onhold"})
    assert len(rows) >= 150
    temporary = sum(1 for row in rows if row["permanent"] is False)
    assert 0.3 <= temporary / len(rows) <= 0.45  # the set keeps its share of deferrals
    for row in rows:
        # A 4xx reply or a "try again" is temporary, unless its own words say waiting cannot
        # help (an IP that must be registered, a sender on the recipient's block policy).
        text = row["reason_text"]
        lowered = text.lower()
        if text.startswith("4") or "try again" in lowered or "deferred" in lowered:
            lasting = "you must register your ip" in lowered or "sender address blocked" in lowered
            assert row["permanent"] is lasting, text


def test_docs_two_lines_cite_their_page_and_never_call_a_deferral_permanent() -> None:
    """The second documentation set: well-formed, in the vocabulary, each line with its public
    source, no text twice, and no 4xx reply, deferral, quota or "try again" labelled lasting."""
    rows = _documented_rows(DOCS_TWO, set(CATEGORY_OF))
    assert 80 <= len(rows) <= 250
    assert 0.3 <= sum(row["permanent"] is False for row in rows) / len(rows) <= 0.5
    for row in rows:
        text = row["reason_text"]
        lowered = text.lower()
        if (
            text.startswith("4")
            or row["status"].startswith("4")
            or "try again" in lowered
            or "deferred" in lowered
            or ("quota" in lowered and "sending" not in lowered)
        ):
            assert row["permanent"] is False, text


def test_issues_two_lines_are_quoted_replies_with_their_page_and_honest_permanence() -> None:
    rows = [json.loads(line) for line in ISSUES_TWO.read_text("utf-8").splitlines() if line]
    assert len(rows) >= 120
    temporary = sum(1 for row in rows if row["permanent"] is False)
    assert 0.3 <= temporary / len(rows) <= 0.45  # the set keeps its share of deferrals
    readme = (ROOT / "benchmarks" / "data" / "README.md").read_text("utf-8")
    own_section = readme.split("# The issues-two set", 1)[1]
    other_sections = readme.split("# The issues-two set", 1)[0]
    texts = set()
    for row in rows:
        text = row["reason_text"]
        for name, kind in _FIELDS.items():
            assert isinstance(row[name], kind), (name, text)
        assert row["kind"] == "quoted-reply", text
        assert row["module"] and row["source_url"].startswith("http"), text
        # Pages the earlier sets cite are not reused (the blind sets' sources above all).
        assert row["source_url"] not in other_sections, row["source_url"]
        assert row["source"] in own_section, row["source"]
        for reason in (row["expected_reason"], *row["alt_reasons"]):
            assert reason in CATEGORY_OF or reason == "onhold", reason
        assert text.lower() not in texts, text
        texts.add(text.lower())
        lowered = text.lower()
        # Greylisting, "try again later", deferrals and rate limits pass by waiting alone.
        cues = ("greylist", "try again later", "try again in", "try later", "deferred")
        if any(cue in lowered for cue in cues):
            assert row["permanent"] is False, text


def test_jp_two_lines_cite_their_page_and_never_call_a_deferral_permanent() -> None:
    """The second Japanese-market set: well-formed, in the vocabulary, each line with its public
    source, no text twice, a share of Japanese-language and temporary replies, and no 4xx reply,
    greylisting, delay warning or 「しばらくしてから」 text labelled lasting (the one 4xx line
    labelled lasting is Google's "IP not in whitelist" / "TLS required" refusal, which says so)."""
    rows = _documented_rows(JP_TWO, set(CATEGORY_OF))
    assert 80 <= len(rows) <= 200
    assert all(row["language"] in {"ja", "en"} for row in rows)
    assert sum(row["language"] == "ja" for row in rows) >= 20
    assert 0.3 <= sum(row["permanent"] is False for row in rows) / len(rows) <= 0.5
    for row in rows:
        text = row["reason_text"]
        lowered = text.lower()
        deferral = text.startswith("4") or row["status"].startswith("4")
        lasting_4xx = "whitelist" in lowered or "tls required" in lowered
        waiting_words = ("greylist", "try again", "delayed", "warning")
        if (
            (deferral and not lasting_4xx)
            or "しばらくしてから" in text
            or any(word in lowered for word in waiting_words)
        ):
            assert row["permanent"] is False, text


def test_blind_fifteen_lines_are_labelled_in_the_vocabulary_with_a_source() -> None:
    # Asked for at least half temporary replies; 49 of 64 are (77 %).
    _assert_blind_set(
        BLIND_FIFTEEN, "blind-fifteen", {"quoted-reply"}, min_lines=60, min_temporary=0.5
    )


def test_blind_sixteen_lines_are_labelled_in_the_vocabulary_with_a_source() -> None:
    # Japanese pages not cited before ran out near 40 lines; 16 of 39 are temporary (41 %).
    _assert_blind_set(
        BLIND_SIXTEEN, "blind-sixteen", {"quoted-reply"}, min_lines=35, min_temporary=0.3
    )


def test_blind_seventeen_lines_are_labelled_in_the_vocabulary_with_a_source() -> None:
    # Replies quoted on pages in languages other than English and Japanese; most such pages were
    # already cited, so the set stops near 45 lines; 15 of 46 are temporary (33 %).
    _assert_blind_set(
        BLIND_SEVENTEEN, "blind-seventeen", {"quoted-reply"}, min_lines=42, min_temporary=0.3
    )


def test_blind_eighteen_lines_are_labelled_in_the_vocabulary_with_a_source() -> None:
    # Replies from the big mailbox providers, ISPs and security gateways quoted in pasted logs and
    # issue threads; most such threads were already cited, so the set stops near 60 lines;
    # 18 of 59 are temporary (31 %).
    _assert_blind_set(
        BLIND_EIGHTEEN, "blind-eighteen", {"quoted-reply"}, min_lines=55, min_temporary=0.3
    )


def test_blind_nineteen_lines_are_labelled_in_the_vocabulary_with_a_source() -> None:
    # Replies an operator in Japan meets, from Japanese pages; nearly every such page was already
    # cited, so the set stops at 29 lines; 12 of 29 are temporary (41 %).
    _assert_blind_set(
        BLIND_NINETEEN,
        "blind-nineteen",
        {"quoted-reply", "documented-reply"},
        min_lines=25,
        min_temporary=0.3,
    )


def test_blind_twenty_lines_are_labelled_in_the_vocabulary_with_a_source() -> None:
    # The big providers' and gateways' replies of 2024-2026, quoted or published; 22 of 61 are
    # temporary (36 %).
    _assert_blind_set(
        BLIND_TWENTY,
        "blind-twenty",
        {"quoted-reply", "documented-reply"},
        min_lines=55,
        min_temporary=0.3,
    )


def test_blind_twenty_one_lines_are_labelled_in_the_vocabulary_with_a_source() -> None:
    # DSN diagnostics and MTA log lines quoted in issues, list archives and pastes; 30 of 64 are
    # temporary (47 %).
    _assert_blind_set(
        BLIND_TWENTY_ONE,
        "blind-twenty-one",
        {"quoted-reply", "documented-reply"},
        min_lines=60,
        min_temporary=0.35,
    )


def test_blind_twenty_two_lines_are_labelled_in_the_vocabulary_with_a_source() -> None:
    # Temporary replies beside their permanent look-alikes; 36 of 59 are temporary (61 %).
    _assert_blind_set(
        BLIND_TWENTY_TWO,
        "blind-twenty-two",
        {"quoted-reply", "documented-reply"},
        min_lines=55,
        min_temporary=0.5,
    )


def test_blind_twenty_three_lines_are_labelled_in_the_vocabulary_with_a_source() -> None:
    # Replies pasted into mail-software and mailer-library issue threads; 22 of 57 are
    # temporary (39 %).
    _assert_blind_set(
        BLIND_TWENTY_THREE,
        "blind-twenty-three",
        {"quoted-reply"},
        min_lines=50,
        min_temporary=0.3,
    )


def test_blind_twenty_four_lines_are_labelled_in_the_vocabulary_with_a_source() -> None:
    # Security gateways, hosted filters and corporate systems; 22 of 54 are temporary (41 %).
    _assert_blind_set(
        BLIND_TWENTY_FOUR,
        "blind-twenty-four",
        {"quoted-reply", "documented-reply"},
        min_lines=50,
        min_temporary=0.3,
    )


def test_blind_twenty_five_lines_are_labelled_in_the_vocabulary_with_a_source() -> None:
    # Regional ISPs, non-US mailbox providers and web hosts; 19 of 50 are temporary (38 %).
    _assert_blind_set(
        BLIND_TWENTY_FIVE,
        "blind-twenty-five",
        {"quoted-reply", "documented-reply"},
        min_lines=45,
        min_temporary=0.3,
    )


def test_blind_twenty_six_lines_are_labelled_in_the_vocabulary_with_a_source() -> None:
    # Commercial and less common mail servers (Exchange, Domino, Dovecot, Haraka …); 24 of 50
    # are temporary (48 %).
    _assert_blind_set(
        BLIND_TWENTY_SIX,
        "blind-twenty-six",
        {"quoted-reply", "documented-reply"},
        min_lines=45,
        min_temporary=0.35,
    )


def test_blind_twenty_seven_lines_are_labelled_in_the_vocabulary_with_a_source() -> None:
    # Replies whose cause a thread's answer settles; 18 of 47 are temporary (38 %).
    _assert_blind_set(
        BLIND_TWENTY_SEVEN,
        "blind-twenty-seven",
        {"quoted-reply"},
        min_lines=45,
        min_temporary=0.35,
    )


def test_blind_twenty_eight_lines_are_labelled_in_the_vocabulary_with_a_source() -> None:
    # Texts whose cause is stated in a language other than English; 9 of 21 are temporary.
    _assert_blind_set(
        BLIND_TWENTY_EIGHT,
        "blind-twenty-eight",
        {"quoted-reply", "documented-reply"},
        min_lines=20,
        min_temporary=0.3,
    )


def test_blind_twenty_nine_lines_are_labelled_in_the_vocabulary_with_a_source() -> None:
    # Bounces as IT help desks and list archives show them; 22 of 52 are temporary (42 %).
    _assert_blind_set(
        BLIND_TWENTY_NINE,
        "blind-twenty-nine",
        {"quoted-reply", "documented-reply"},
        min_lines=50,
        min_temporary=0.35,
    )


def test_blind_thirty_lines_are_labelled_in_the_vocabulary_with_a_source() -> None:
    # Replies as sending platforms report them; 21 of 51 are temporary (41 %).
    _assert_blind_set(
        BLIND_THIRTY,
        "blind-thirty",
        {"quoted-reply", "documented-reply"},
        min_lines=50,
        min_temporary=0.35,
    )


def test_blind_thirty_one_lines_are_labelled_in_the_vocabulary_with_a_source() -> None:
    # The big mailbox providers' replies of today and their temporary look-alikes; 22 of 46
    # are temporary (48 %). Short of 50 lines: most sources for the theme were already cited.
    _assert_blind_set(
        BLIND_THIRTY_ONE,
        "blind-thirty-one",
        {"quoted-reply", "documented-reply"},
        min_lines=45,
        min_temporary=0.35,
    )


def test_blind_thirty_two_lines_are_labelled_in_the_vocabulary_with_a_source() -> None:
    # Replies in languages other than English and Japanese; 4 of 21 are temporary. Short of 50
    # lines: most localized pages the search found were already cited by earlier sets.
    _assert_blind_set(
        BLIND_THIRTY_TWO,
        "blind-thirty-two",
        {"quoted-reply", "documented-reply"},
        min_lines=20,
        min_temporary=0.15,
    )


def test_blind_thirty_three_lines_are_labelled_in_the_vocabulary_with_a_source() -> None:
    # Server replies in other languages from translated catalogues and documentation; 11 of 18
    # are temporary. The helper's 23 lines of a mail client's own error dialogs were left out
    # before any rule changed: no provider's suppression list ever holds them.
    _assert_blind_set(
        BLIND_THIRTY_THREE,
        "blind-thirty-three",
        {"documented-reply"},
        min_lines=18,
        min_temporary=0.35,
    )


def test_blind_thirty_four_lines_are_labelled_in_the_vocabulary_with_a_source() -> None:
    # Replies of self-hosted and modern mail servers, filters and forwarders as their users met
    # them; 16 of 45 are temporary (36 %). Four lines put a documented behaviour into words.
    _assert_blind_set(
        BLIND_THIRTY_FOUR,
        "blind-thirty-four",
        {"quoted-reply", "documented-reply", "documented-behaviour"},
        min_lines=45,
        min_temporary=0.3,
    )


def test_blind_thirty_five_lines_are_labelled_in_the_vocabulary_with_a_source() -> None:
    # Replies of Japanese corporate gateways and ISPs; 2 of 11 are temporary. Short: nearly every
    # Japanese page the search found was already cited by earlier sets.
    _assert_blind_set(
        BLIND_THIRTY_FIVE,
        "blind-thirty-five",
        {"quoted-reply", "documented-reply", "documented-behaviour"},
        min_lines=11,
        min_temporary=0.15,
    )
