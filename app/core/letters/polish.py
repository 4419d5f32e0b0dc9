"""Optional AI polish of a letter's wording, accepted only when it adds no fact.

An LLM may smooth the Japanese, but it must not invent a date, a number, an address, a domain
or an IP, drop a 【…を記入】 mark (that would mean it filled in a fact), or change the quoted
server reply. ``check_polish`` finds every such change; ``polish_letter`` keeps the original
letter whenever the check fails or the endpoint is unusable. The ``openai`` client is built
lazily, the same way the classifier's refinement builds it.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from dataclasses import dataclass

# The same lazily built, retry-free ``openai`` client as the classifier's refinement.
from app.core.classify.llm import LlmSettings
from app.core.classify.llm_client import (
    ClientFactory,
    ReplyTooLargeError,
    ReplyTooSlowError,
    create_completion,
    default_client,
)
from app.core.letters.compose import Letter, has_hidden_characters

_EMAIL = r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
_URL = r"https?://[^\s）」』>]+"
_IPV4 = r"\b\d{1,3}(?:\.\d{1,3}){3}\b"
_IPV6 = r"\b[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7}\b"
_DOMAIN = r"\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}\b"
_DATE = r"\d{4}年\d{1,2}月\d{1,2}日|\d{4}-\d{1,2}-\d{1,2}|\d{4}/\d{1,2}/\d{1,2}"
_TIME = r"\b\d{1,2}:\d{2}(?::\d{2})?\b"
_NUMBER = r"\d+(?:\.\d+)?"
_FACT_RE = re.compile(
    "|".join(f"(?:{p})" for p in (_URL, _EMAIL, _DATE, _IPV4, _IPV6, _TIME, _DOMAIN, _NUMBER)),
    re.IGNORECASE,
)
_PLACEHOLDER_RE = re.compile(r"【[^【】]*を記入】")
MAX_POLISHED_CHARS = 20_000

SYSTEM_PROMPT = (
    "You polish a Japanese business letter (plain text). Improve only the wording and keigo. "
    "Do not add, remove or change any fact: keep every date, time, number, e-mail address, "
    "domain, IP address and URL exactly as written, keep every 【…を記入】 mark as is, and keep "
    "every line starting with '>' unchanged. No markdown, no HTML. Reply with the letter body only."
)


def _normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


def extract_facts(text: str) -> set[str]:
    """Addresses, domains, IPs, URLs, dates, times and numbers in ``text`` (normalised)."""
    return {match.group(0).rstrip(".") for match in _FACT_RE.finditer(_normalise(text))}


def _quoted_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip().startswith(">")]


def check_polish(original: str, polished: str) -> list[str]:
    """Japanese descriptions of every fact the polished text adds or fills in ([] = fine)."""
    problems: list[str] = []
    known = extract_facts(original)
    added = sorted(extract_facts(polished) - known)
    # A new fact may hide inside a longer known one (a number inside a date, say): allow that.
    added = [fact for fact in added if not any(fact in k for k in known)]
    if added:
        problems.append("元の文にない情報が加わっています: " + "、".join(added[:10]))
    lost = [
        mark for mark in dict.fromkeys(_PLACEHOLDER_RE.findall(original)) if mark not in polished
    ]
    if lost:
        problems.append("記入欄が消えています（推測で埋めた可能性）: " + "、".join(lost))
    if _quoted_lines(original) != _quoted_lines(polished):
        problems.append("引用した受信側サーバーの応答が変わっています。")
    if has_hidden_characters(polished) and not has_hidden_characters(original):
        # A bidi override or a zero-width space changes what the reader sees, not what the
        # fact check reads: "moc.elpmaxe@" can display as an address the check never saw.
        problems.append("見えない制御文字（文字の向きを変える文字など）が含まれています。")
    if len(polished) > MAX_POLISHED_CHARS or not polished.strip():
        problems.append("整えた文が空か、長すぎます。")
    return problems


@dataclass(frozen=True, slots=True)
class PolishResult:
    letter: Letter  # the polished letter when accepted, else the original
    applied: bool
    problems: tuple[str, ...] = ()


def max_polished_length(original: str) -> int:
    """The longest reply taken as a rewording of ``original`` (keigo may add some length)."""
    return 2 * len(original) + 200


def _message_text(response: object) -> object:
    """``choices[0].message.content`` of a decoded reply, or None when it has another shape."""
    if not isinstance(response, dict):
        return None
    choices = response.get("choices")
    first = choices[0] if isinstance(choices, list) and choices else None
    message = first.get("message") if isinstance(first, dict) else None
    return message.get("content") if isinstance(message, dict) else None


def polish_letter(
    letter: Letter, settings: LlmSettings, client_factory: ClientFactory | None = None
) -> PolishResult:
    """Ask the endpoint for better wording; keep the original unless ``check_polish`` passes."""
    if not settings.usable:
        return PolishResult(letter, False, ("AI による文面の調整は設定されていません。",))
    client = None
    try:
        client = (client_factory or default_client)(settings)
        # Bounded in size and in time (a server dripping its reply never trips the read timeout).
        response = create_completion(
            client,
            deadline_s=settings.reply_deadline_s,
            model=settings.model,
            temperature=0,
            messages=[
                {"role": "system", "content": SYSTEM_PROMPT},
                {"role": "user", "content": letter.body},
            ],
        )
        content = _message_text(response)
    except ReplyTooSlowError:
        # It did connect: "接続できませんでした" would send the operator to check the network.
        return PolishResult(letter, False, ("AI の応答が時間内に終わらなかったため、使いません。",))
    except ReplyTooLargeError:
        return PolishResult(letter, False, ("AI の応答が大きすぎるため、使いません。",))
    except Exception as error:  # any client/network failure: the letter stays as it was
        return PolishResult(
            letter, False, (f"AI に接続できませんでした（{type(error).__name__}）。",)
        )
    finally:
        # The client's connection pool would otherwise wait for the garbage collector.
        close = getattr(client, "close", None)
        if callable(close):
            close()
    if not isinstance(content, str):
        return PolishResult(letter, False, ("AI の応答が空でした。",))
    polished = content.strip("\n") + "\n"
    if len(polished) > max_polished_length(letter.body):
        # Rewording keeps the length; a reply far longer added text of its own (an instruction
        # hidden in a bounce reason can ask for a paragraph that holds no checkable fact).
        return PolishResult(letter, False, ("AI の応答が元の文面より大幅に長いため、使いません。",))
    problems = check_polish(letter.body, polished)
    if problems:
        return PolishResult(letter, False, tuple(problems))
    return PolishResult(dataclasses.replace(letter, body=polished), True)
