"""A letter group + the sender's facts → a plain-text ``Letter`` (subject and body).

Sender facts come from the settings the operator filled in; nothing here guesses them. The
bounce evidence is quoted line by line ("> ") with control characters removed and a length cap,
so a reason is shown exactly as the remote server wrote it and is never read as template text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from app.core.classify.hosts import host_group
from app.core.control_chars import BIDI, C0_BUT_TAB_LF, DEL_AND_C1, ZERO_WIDTH
from app.core.dates import JST
from app.core.letters.chooser import CARRIER, LetterGroup, group_for_letters
from app.core.letters.render import PLACEHOLDER_RE, placeholder, render
from app.core.letters.sender_check import clean_domain, domain_problem, ips_problem, split_ips
from app.core.letters.templates import LetterKind, LetterTemplate, TemplateSet
from app.core.storage.settings import AppSettings
from app.core.types import Explanation, SuppressionEntry

MAX_QUOTED_CHARS = 600  # per reason: enough for any real SMTP reply, not for a pasted novel
MAX_LISTED_ENTRIES = 50  # a letter lists at most this many addresses and replies
# C1 too: U+009B and U+009D are one-character CSI and OSC for terminals that take 8-bit
# controls, and `todoku-cli letter` prints the quoted reasons to the terminal.
_CONTROL_RE = re.compile(f"[{C0_BUT_TAB_LF}{DEL_AND_C1}{ZERO_WIDTH}{BIDI}]")
_PLACEHOLDER_MARK_RE = re.compile(r"【[^【】]*を記入】")
# Every line break Python's splitlines knows: an address or status holding one wrote free lines
# into the letter (a bare "件名: …" line outside the quote, as if the company had written it).
_LINE_BREAK_RE = re.compile(r"[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]")
# An address is at most 254 characters and a domain 253 (RFC 5321); a field longer than this
# came from a broken or hostile server, and written whole (a megabyte on one line) it froze the
# letter dialog for minutes while Qt laid the line out.
MAX_FIELD_CHARS = 320


@dataclass(frozen=True, slots=True)
class SenderFacts:
    """What the organisation says about itself; an empty field renders as a placeholder.

    ``left_out_ja``: why a stored domain or IP list was not used (its format is wrong; the
    letter shows the 【…を記入】 mark instead of stating it to the recipient's IT desk)."""

    org_name: str = ""
    sender_domain: str = ""
    sender_ips: str = ""
    contact: str = ""
    auth_status: str = ""
    left_out_ja: tuple[str, ...] = ()

    @classmethod
    def from_settings(cls, settings: AppSettings) -> SenderFacts:
        left_out: list[str] = []
        domain = clean_domain(settings.sender_domain)
        if problem := domain_problem(domain):
            left_out.append(f"送信元ドメイン「{single_line(domain)[:80]}」: {problem}")
            domain = ""
        ips = ", ".join(split_ips(settings.sender_ips))
        if problem := ips_problem(ips):
            left_out.append(f"送信元 IP アドレス: {problem}")
            ips = ""
        return cls(
            org_name=settings.sender_org_name.strip(),
            sender_domain=domain,
            sender_ips=ips,
            contact=settings.sender_contact.strip(),
            auth_status=settings.sender_auth_status.strip(),
            left_out_ja=tuple(left_out),
        )


@dataclass(frozen=True, slots=True)
class Letter:
    letter_id: str
    kind: LetterKind
    title: str
    side: str
    recipients: tuple[str, ...]
    subject: str
    body: str

    @property
    def missing_ja(self) -> tuple[str, ...]:
        """The 【…を記入】 placeholders left in the letter, in order, once each."""
        seen = dict.fromkeys(_PLACEHOLDER_MARK_RE.findall(self.subject + "\n" + self.body))
        return tuple(seen)

    def as_text(self) -> str:
        """What "copy" and "save" put out: the subject line, a blank line, the body."""
        return f"件名: {self.subject}\n\n{self.body.rstrip()}\n"


def has_hidden_characters(text: str) -> bool:
    """Whether ``text`` holds a control, zero-width or bidi character (what quotes drop)."""
    return _CONTROL_RE.search(text) is not None


def quote_untrusted(text: str, prefix: str = "    > ") -> str:
    """Untrusted remote text as quoted plain-text lines (control and bidi characters removed)."""
    cleaned = _CONTROL_RE.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    if len(cleaned) > MAX_QUOTED_CHARS:
        cleaned = cleaned[:MAX_QUOTED_CHARS] + "…（以下省略）"
    lines = [line.strip() for line in cleaned.split("\n") if line.strip()] or ["（応答の記録なし）"]
    return "\n".join(prefix + line for line in lines)


def _jst_date(moment: datetime) -> str:
    # No leading zeros: 2026年12月1日 is how Japanese letters write a date.
    local = moment.astimezone(JST)
    return f"{local.year}年{local.month}月{local.day}日"


def _jst(moment: datetime) -> str:
    return f"{_jst_date(moment)} {moment.astimezone(JST):%H:%M}"


def _period(first: datetime, last: datetime) -> str:
    """One time when all rejections share it ("12:00 ～ 12:00" reads like an error)."""
    start, end = _jst(first), _jst(last)
    return start if start == end else f"{start} ～ {end}"


def _evidence(group: LetterGroup) -> str:
    blocks = []
    for item in group.items[:MAX_LISTED_ENTRIES]:
        entry = item.entry
        status = f"（{single_line(entry.status)}）" if single_line(entry.status) else ""
        blocks.append(
            f"  ・{_jst(entry.created)}（日本時間） 宛先 {single_line(entry.email)}{status}\n"
            + quote_untrusted(entry.reason)
        )
    return "\n".join(blocks) + _more(group)


def _more(group: LetterGroup) -> str:
    extra = len(group.items) - MAX_LISTED_ENTRIES
    return f"\n  ほか {extra} 件" if extra > 0 else ""


def single_line(text: str) -> str:
    """An entry field (address, domain, status) as one line: line breaks become spaces, and
    at most ``MAX_FIELD_CHARS`` characters (then "…")."""
    if len(text) > MAX_FIELD_CHARS * 2:
        text = text[: MAX_FIELD_CHARS * 2]  # the cleaning below never needs more
    line = _CONTROL_RE.sub("", _LINE_BREAK_RE.sub(" ", text)).strip()
    return line if len(line) <= MAX_FIELD_CHARS else line[: MAX_FIELD_CHARS - 1] + "…"


def _carrier_steps(template: LetterTemplate, email: str) -> str:
    group = host_group(email.rpartition("@")[2])
    return (template.blocks.get(group) or template.blocks.get("other", "")).strip("\n")


def group_values(
    group: LetterGroup, facts: SenderFacts, template: LetterTemplate, today: datetime
) -> dict[str, str]:
    entries: list[SuppressionEntry] = [item.entry for item in group.items]
    times = sorted(entry.created for entry in entries)
    first_item = group.items[0]
    values = {
        "org_name": facts.org_name,
        "sender_domain": facts.sender_domain,
        "sender_ips": facts.sender_ips,
        "contact": facts.contact,
        "auth_status": facts.auth_status,
        "recipient_domain": single_line(entries[0].domain),
        "recipient_addresses": "\n".join(
            f"  ・{single_line(e.email)}" for e in entries[:MAX_LISTED_ENTRIES]
        )
        + _more(group),
        "recipient_count": str(len({e.email.lower() for e in entries})),
        "first_rejected_jst": _jst(times[0]),
        "last_rejected_jst": _jst(times[-1]),
        "rejected_period_jst": _period(times[0], times[-1]),
        "evidence": _evidence(group),
        "reason_label": single_line(first_item.explanation.label_ja),
        "original_address": single_line(entries[0].email),
        "suggested_address": single_line(first_item.choice.suggested_address),
        "today_jst": _jst_date(today),
    }
    if group.letter_id == CARRIER:
        # Blocks are organisation-edited template text: render them with the same values first;
        # the result is then inserted as data like any other value.
        values["carrier_steps"] = render(_carrier_steps(template, entries[0].email), values)
    return values


def compose_letter(
    group: LetterGroup, templates: TemplateSet, facts: SenderFacts, today: datetime
) -> Letter:
    template = templates.get(group.letter_id)
    values = group_values(group, facts, template, today)
    subject = render(template.subject, values).replace("\n", " ").strip()
    return Letter(
        letter_id=group.letter_id,
        kind=template.kind,
        title=template.title,
        side=group.side,
        recipients=tuple(dict.fromkeys(item.entry.email for item in group.items)),
        subject=subject,
        body=render(template.body, values),
    )


def compose_letters(
    pairs: Iterable[tuple[SuppressionEntry, Explanation]],
    templates: TemplateSet,
    facts: SenderFacts,
    today: datetime,
    kind: LetterKind | None = None,
) -> list[Letter]:
    """Every letter the selected entries call for (optionally of one kind only)."""
    groups, _left_out = group_for_letters(pairs, kind)
    return [compose_letter(group, templates, facts, today) for group in groups]


__all__ = [
    "PLACEHOLDER_RE",
    "Letter",
    "SenderFacts",
    "compose_letter",
    "compose_letters",
    "has_hidden_characters",
    "placeholder",
    "quote_untrusted",
    "single_line",
]
