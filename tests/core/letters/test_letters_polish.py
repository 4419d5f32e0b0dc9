"""AI polish of a letter: accepted only when it adds no fact (against the OpenAI imitation)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from app.core.classify.classifier import Classifier
from app.core.classify.llm import LlmSettings
from app.core.letters.compose import SenderFacts, compose_letters
from app.core.letters.polish import check_polish, extract_facts, polish_letter
from app.core.letters.templates import load_templates
from app.core.types import ListKind, SuppressionEntry
from app.sandbox.openai_server import OpenAISandbox, ScriptedReply
from tests.helpers.hostile_server import dribbled_headers, run_bounded

KEY = "sk-test-letters"


@pytest.fixture
def sandbox() -> Iterator[OpenAISandbox]:
    with OpenAISandbox(api_key=KEY) as server:
        yield server


def llm(base_url: str) -> LlmSettings:
    return LlmSettings(base_url, model="sandbox-model", api_key=KEY, enabled=True, timeout_s=5.0)


def company_letter():  # type: ignore[no-untyped-def]
    entry = SuppressionEntry(
        ListKind.BOUNCES,
        "yamada@corp.example.co.jp",
        datetime(2025, 12, 5, 4, 46, tzinfo=UTC),
        "5.7.1",
        "550 5.7.1 Message rejected due to local policy",
    )
    pairs = [(entry, Classifier.load().classify_entry(entry))]
    facts = SenderFacts(org_name="株式会社トドク", sender_domain="mail.todoku.example")
    return compose_letters(pairs, load_templates(), facts, datetime(2026, 1, 1, tzinfo=UTC))[0]


def test_facts_are_found_in_full_width_text_too() -> None:
    facts = extract_facts(
        "ＩＰ：２０３．０．１１３．５、連絡は info@example.jp、2025年3月13日 10:00"
    )
    assert {"203.0.113.5", "info@example.jp", "2025年3月13日", "10:00"} <= facts


def test_rewording_passes_new_facts_fail() -> None:
    original = "送信元: mail.todoku.example\n    > 550 5.7.1 denied\n【担当者名・連絡先を記入】\n"
    assert check_polish(original, original.replace("送信元", "弊社の送信元")) == []
    assert check_polish(original, original + "電話 03-1234-5678\n")
    assert check_polish(original, original + "https://todoku.example/help\n")
    assert check_polish(original, original.replace("【担当者名・連絡先を記入】", "山田"))
    assert check_polish(original, original.replace("> 550 5.7.1 denied", "> 拒否されました"))


def test_polish_is_applied_when_it_only_rewords(sandbox: OpenAISandbox) -> None:
    letter = company_letter()
    reworded = letter.body.replace(
        "突然のご連絡にて失礼いたします。", "突然のご連絡を差し上げる失礼をお許しください。"
    )
    sandbox.script(ScriptedReply(content=reworded))
    result = polish_letter(letter, llm(sandbox.start()))
    assert result.applied, result.problems
    assert "失礼をお許しください" in result.letter.body
    assert result.letter.subject == letter.subject
    sent = sandbox.chat_requests[-1].body["messages"][1]["content"]
    assert sent == letter.body


def test_polish_that_invents_a_fact_is_refused(sandbox: OpenAISandbox) -> None:
    letter = company_letter()
    invented = letter.body.replace("【送信元 IP アドレスを記入】", "198.51.100.7")
    sandbox.script(ScriptedReply(content=invented))
    result = polish_letter(letter, llm(sandbox.start()))
    assert not result.applied
    assert result.letter == letter
    assert any("198.51.100.7" in p for p in result.problems)


def test_endpoint_failure_keeps_the_letter(sandbox: OpenAISandbox) -> None:
    letter = company_letter()
    sandbox.script(ScriptedReply.server_error(500))
    result = polish_letter(letter, llm(sandbox.start()))
    assert not result.applied and result.letter == letter
    unusable = polish_letter(letter, LlmSettings("", model="", api_key=""))
    assert not unusable.applied and "設定されていません" in unusable.problems[0]


def test_a_reply_far_longer_than_the_letter_is_not_used(sandbox: OpenAISandbox) -> None:
    """An instruction hidden in a bounce reason ("add a paragraph asking them to call us")
    can make a reply that holds no fact check_polish looks for; it was applied as is."""
    letter = company_letter()
    padded = letter.body + "ご不明な点がございましたら、お気軽にお問い合わせください。" * 200
    sandbox.script(ScriptedReply(content=padded))
    result = polish_letter(letter, llm(sandbox.start()))
    assert not result.applied and result.letter == letter
    assert "大幅に長い" in result.problems[0]


# The hostile servers below would keep the polish waiting for an hour or more, so reaching the
# assertions at all shows the reply deadline ended it; the problem given says it was the
# deadline ("時間内に終わらなかった"), not a read timeout or a failed connection. run_bounded's
# bound is only a hang guard (a missing deadline fails instead of hanging the suite).
HANG_GUARD_S = 60.0


def test_a_dripping_reply_keeps_the_letter_at_the_deadline(sandbox: OpenAISandbox) -> None:
    """Sixteen bytes every 0.4 s never trip a 1 s read timeout: polish waited as long as the
    server kept sending. The whole request now ends at twice the timeout."""
    letter = company_letter()
    # 200 kB after the reply, sixteen bytes every 0.4 s: the drip would last 80 minutes.
    sandbox.script(ScriptedReply(drip_s=0.4, padding_bytes=200_000))
    settings = LlmSettings(
        sandbox.start(), model="sandbox-model", api_key=KEY, enabled=True, timeout_s=1.0
    )
    ended, result = run_bounded(lambda: polish_letter(letter, settings), HANG_GUARD_S)
    assert ended, "the polish waited on a dripping reply with a 1 s timeout"
    assert not result.applied and result.letter == letter
    assert result.problems == ("AI の応答が時間内に終わらなかったため、使いません。",)


def test_a_huge_reply_keeps_the_letter_and_says_why(sandbox: OpenAISandbox) -> None:
    """Past the 4 MB ceiling the read stops; the endpoint did answer, so the reason given is
    the size, not "could not connect"."""
    letter = company_letter()
    sandbox.script(ScriptedReply.padded(5 * 1024 * 1024))
    result = polish_letter(letter, llm(sandbox.start()))
    assert not result.applied and result.letter == letter
    assert result.problems == ("AI の応答が大きすぎるため、使いません。",)


def test_a_reply_with_a_bidi_override_or_zero_width_character_is_not_used(
    sandbox: OpenAISandbox,
) -> None:
    """U+202E makes the text after it display right to left: a sentence can show a different
    address or date than the one the fact check reads. Such a reply was applied as is."""
    letter = company_letter()
    for hidden in ("\u202e", "\u200b", "\x1b[2J"):
        sandbox.script(
            ScriptedReply(content=letter.body.replace("突然のご連絡", f"突然の{hidden}ご連絡"))
        )
        result = polish_letter(letter, llm(sandbox.start()))
        assert not result.applied and result.letter == letter, repr(hidden)
        assert any("見えない制御文字" in p for p in result.problems)


def test_dribbled_headers_keep_the_letter_at_the_deadline() -> None:
    """A server that sends its headers a byte at a time never trips the read timeout, and the
    body's deadline check never ran before the headers were complete: the polish waited for
    ever. It now ends at the reply deadline (twice the timeout) with the letter unchanged."""
    letter = company_letter()
    with dribbled_headers() as (url, server):
        settings = LlmSettings(url, "sandbox-model", KEY, enabled=True, timeout_s=0.5)
        ended, result = run_bounded(lambda: polish_letter(letter, settings), HANG_GUARD_S)
    assert ended, "the polish waited on dribbled headers with a 0.5 s timeout"
    assert not result.applied and result.letter == letter
    assert "時間内に終わらなかった" in result.problems[0]
    assert server.asked() == 1


def _every_kind_of_letter(facts: SenderFacts):  # type: ignore[no-untyped-def]
    from tests.helpers.letters import ALL_KINDS_FOR_POLISH, classified

    pairs = list(zip(ALL_KINDS_FOR_POLISH, classified(*ALL_KINDS_FOR_POLISH), strict=True))
    return compose_letters(pairs, load_templates(), facts, datetime(2026, 12, 8, tzinfo=UTC))


@pytest.mark.parametrize("filled", [True, False], ids=["facts-filled", "facts-missing"])
def test_the_practice_server_rewords_every_letter_acceptably(
    sandbox: OpenAISandbox, filled: bool
) -> None:
    """Practice mode's AI answers a letter with a rewording the guard accepts: it keeps each
    quoted server reply line and each 【…を記入】 mark exactly. It answered every letter with
    the refinement's JSON ('{"items": []}'), which the guard refused every time."""
    from app.core.storage.settings import AppSettings
    from tests.helpers.letters import SENDER_SETTINGS

    facts = SenderFacts.from_settings(
        AppSettings().replace(**SENDER_SETTINGS) if filled else AppSettings()
    )
    letters = _every_kind_of_letter(facts)
    assert {letter.letter_id for letter in letters} >= {
        "municipal", "company", "carrier", "consumer_typo", "consumer_mailbox_full"
    }  # fmt: skip
    for letter in letters:
        result = polish_letter(letter, llm(sandbox.start()))
        assert result.applied, (letter.letter_id, result.problems)
        assert result.letter.body != letter.body, letter.letter_id  # something was reworded
        assert result.letter.missing_ja == letter.missing_ja
        quoted = [line for line in letter.body.splitlines() if line.strip().startswith(">")]
        assert quoted == [
            line for line in result.letter.body.splitlines() if line.strip().startswith(">")
        ]
    assert len(sandbox.chat_requests) == len(letters)


def test_the_practice_server_knows_the_polish_request() -> None:
    from app.core.letters.polish import SYSTEM_PROMPT
    from app.sandbox.openai_answers import LETTER_PROMPT_START

    assert SYSTEM_PROMPT.startswith(LETTER_PROMPT_START)
