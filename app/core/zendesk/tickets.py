"""Bounced recipients → Zendesk tickets, without duplicates.

One ticket per recipient (or one for a batch) carries, as an internal note (``public: false``,
so the customer is never mailed by Zendesk), the Japanese explanation of every entry and the
customer letter as a draft. Tags: ``todoku``, ``todoku_<reason>``, ``todoku_<list>``.

Duplicates: each ticket gets an ``external_id`` derived from its recipient(s). Before creating,
the escalator lists tickets with that external id (immediate, unlike the Search API, whose index
lags a few minutes) and, when the requester is the recipient, also searches
``type:ticket tags:todoku requester:<address> status<solved``. An unsolved match gets a new
internal note instead of a second ticket. If a create fails in a way that leaves it unknown
whether Zendesk applied it, the escalator looks again before retrying.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.core.dates import JST
from app.core.glossary import term
from app.core.letters.compose import Letter, quote_untrusted, single_line
from app.core.types import Explanation, SuppressionEntry
from app.core.zendesk.client import OPEN_STATUSES, ZendeskClient, ZendeskUncertainError

MAX_CREATE_ATTEMPTS = 3
# The recipient address comes from the provider's list, i.e. from outside. Zendesk's search
# language gives meaning to spaces, quotes, ``*`` (wildcard), ``:``/``<``/``>`` and a leading
# ``-``: ``requester:*@docomo.ne.jp`` would find, and add a note to, another person's ticket. An
# address with any of them is not searched for; the external id still finds our own tickets.
_SEARCHABLE_ADDRESS = re.compile(r"[A-Za-z0-9_+.=][A-Za-z0-9_+.=-]*@[A-Za-z0-9.-]+")
# RFC 5321 §4.5.3.1.3 allows 256 octets for a path with its angle brackets, so 254 for the
# address. A longer one is no one's mailbox: it is not made a requester (Zendesk would refuse
# it), and it is identified by a hash instead of its text (see external_id_for).
MAX_ADDRESS_CHARS = 254


@dataclass(frozen=True, slots=True)
class EscalationItem:
    entry: SuppressionEntry
    explanation: Explanation
    letter: Letter | None = None  # the customer letter to attach as a draft, if one fits


@dataclass(frozen=True, slots=True)
class TicketOutcome:
    ticket_id: int
    url: str
    created: bool  # False: an open ticket existed and got a new internal note
    recipients: tuple[str, ...]

    @property
    def action_ja(self) -> str:
        return "新規作成" if self.created else "既存チケットに追記"


def external_id_for(emails: Iterable[str]) -> str:
    addresses = sorted({email.strip().lower() for email in emails})
    if len(addresses) == 1 and len(addresses[0]) <= MAX_ADDRESS_CHARS:
        return f"todoku:{addresses[0]}"
    if len(addresses) == 1:
        # Whole, a megabyte address went into the look-up URL (GET ...?external_id=...): the
        # request could not be sent, and the run stopped before the next recipient.
        digest = hashlib.sha256(addresses[0].encode("utf-8", "surrogatepass")).hexdigest()
        return f"todoku-long:{digest[:40]}"
    digest = hashlib.sha256("\n".join(addresses).encode()).hexdigest()[:20]
    return f"todoku-batch:{digest}"


def tags_for(items: Iterable[EscalationItem]) -> list[str]:
    tags = {"todoku"}
    for item in items:
        tags.add(f"todoku_{item.explanation.reason}")
        tags.add(f"todoku_{item.entry.list_kind.value}")
    return sorted(tags)


def _jst(moment: datetime) -> str:
    return moment.astimezone(JST).strftime("%Y-%m-%d %H:%M（日本時間）")


def note_body(items: list[EscalationItem], now: datetime, *, follow_up: bool) -> str:
    """The internal note: explanation per entry, then each customer letter as a draft."""
    head = (
        f"Todoku から追記しました（{_jst(now)}）。同じ宛先がまた{term('lists')}に載っています。"
        if follow_up
        else f"Todoku が作成しました（{_jst(now)}）。配信できなかった宛先の記録です。"
    )
    parts = [head, "", "■ 宛先と原因"]
    for item in items:
        entry, explanation = item.entry, item.explanation
        parts += [
            f"・宛先（{entry.list_kind.label_ja}、{_jst(entry.created)}）:",
            quote_untrusted(single_line(entry.email)),
            f"  原因: {explanation.label_ja}",
            f"  説明: {explanation.explanation_ja}",
            f"  対処: {explanation.action_ja}",
            "  受信側サーバーの応答（引用）:",
            quote_untrusted(entry.reason),
        ]
    letters = list({id(i.letter): i.letter for i in items if i.letter is not None}.values())
    for letter in letters:
        parts += [
            "",
            f"■ 連絡文の下書き（未送信）: {letter.title}",
            literal_lines(letter.as_text()),
        ]
    return quotes_as_code_blocks("\n".join(parts)) + "\n"


def literal_lines(text: str) -> str:
    """``text`` indented four spaces per line: shown literally once it follows a blank line.

    The letter draft carries entry text (addresses, domains, statuses) outside its quotes, so
    the whole draft is one code block. ``splitlines`` also breaks at U+2028/U+2029/U+0085, so
    no piece of the draft can start an unindented (Markdown-rendered) line.
    """
    return "\n".join(_CODE_INDENT + line if line.strip() else "" for line in text.splitlines())


# quote_untrusted's prefix and literal_lines' both start with these four spaces.
_CODE_INDENT = "    "


def quotes_as_code_blocks(text: str) -> str:
    """``text`` with a blank line before every run of indented (untrusted) lines.

    Zendesk renders Markdown in a comment's ``body``: a bounce reason holding
    ``[再設定はこちら](https://…)`` or ``![](https://…)`` became a link or a remote image in
    the agent's note. A line indented four spaces is a code block, shown literally, but only
    after a blank line: right under a text line it merely continues that paragraph (CommonMark,
    "Indented code blocks"). Every piece of entry text in the note (the address, the reason, the
    letter draft with its addresses, domains and statuses) is put in such indented lines
    (``quote_untrusted``, ``literal_lines``); the blank line here makes them all inert, and reads
    the same where Markdown is off.
    """
    lines = text.split("\n")
    out: list[str] = []
    for index, line in enumerate(lines):
        starts_run = line.startswith(_CODE_INDENT) and (
            index > 0 and lines[index - 1].strip() and not lines[index - 1].startswith(_CODE_INDENT)
        )
        if starts_run:
            out.append("")
        out.append(line)
    return "\n".join(out)


def subject_for(items: list[EscalationItem]) -> str:
    """The ticket's title. It names the recipient: the agent acting on the bounce has to know
    which address it is about, and the ticket stays in the organisation's own Zendesk. The
    address and the domains come from outside, so each is one line without control or bidi
    characters (a line break in a title, an RLO that turns ``gnp.exe`` round) and bounded."""
    if len({i.entry.email.lower() for i in items}) == 1:
        item = items[0]
        address = _subject_part(item.entry.email, MAX_ADDRESS_CHARS)
        return f"[Todoku] 配信できない宛先: {address}（{item.explanation.label_ja}）"
    domains = sorted({i.entry.domain for i in items})
    shown = "、".join(_subject_part(d, 63) for d in domains[:3]) + (
        " ほか" if len(domains) > 3 else ""
    )
    count = len({i.entry.email.lower() for i in items})
    return f"[Todoku] 配信できない宛先 {count} 件（{shown}）"


def _subject_part(text: str, limit: int) -> str:
    line = single_line(text)
    return line if len(line) <= limit else line[: limit - 1] + "…"


class Escalator:
    def __init__(
        self,
        client: ZendeskClient,
        *,
        requester_is_recipient: bool = False,
        clock: Callable[[], datetime] = lambda: datetime.now(tz=JST),
    ) -> None:
        self._client = client
        self._requester_is_recipient = requester_is_recipient
        self._clock = clock
        # Tickets made in this session: found even before Zendesk indexes them.
        self._made: dict[str, int] = {}

    def escalate(self, items: Iterable[EscalationItem], *, batch: bool) -> list[TicketOutcome]:
        """One ticket per recipient (``batch=False``) or one for everything; in input order."""
        return list(self.escalate_each(items, batch=batch))

    def escalate_each(
        self, items: Iterable[EscalationItem], *, batch: bool
    ) -> Iterator[TicketOutcome]:
        """``escalate``, yielding each ticket as soon as it exists.

        A later ticket can fail (a 422 from Zendesk's rules, a lost connection); the caller
        has by then seen, and can show, every ticket already created, instead of only the error.
        """
        units: dict[str, list[EscalationItem]] = {}
        for item in items:
            key = "batch" if batch else item.entry.email.lower()
            units.setdefault(key, []).append(item)
        for unit in units.values():
            if unit:
                yield self.escalate_unit(unit)

    def escalate_unit(self, items: list[EscalationItem]) -> TicketOutcome:
        emails = tuple(dict.fromkeys(i.entry.email for i in items))
        external_id = external_id_for(emails)
        existing = self._find_open(external_id, emails)
        if existing is not None:
            self._client.add_comment(existing, note_body(items, self._clock(), follow_up=True))
            return self._outcome(existing, created=False, emails=emails)
        ticket = self._ticket_payload(items, emails, external_id)
        for attempt in range(1, MAX_CREATE_ATTEMPTS + 1):
            try:
                created = self._client.create_ticket(ticket)
            except ZendeskUncertainError:
                found = self._find_open(external_id, emails)
                if found is not None:  # the failed attempt did create it
                    self._made[external_id] = found
                    return self._outcome(found, created=True, emails=emails)
                if attempt == MAX_CREATE_ATTEMPTS:
                    raise
                continue
            ticket_id = int(created["id"])
            self._made[external_id] = ticket_id
            return self._outcome(ticket_id, created=True, emails=emails)
        raise AssertionError("unreachable")  # the loop returns or raises

    def _outcome(self, ticket_id: int, *, created: bool, emails: tuple[str, ...]) -> TicketOutcome:
        return TicketOutcome(ticket_id, self._client.account.ticket_url(ticket_id), created, emails)

    def _ticket_payload(
        self, items: list[EscalationItem], emails: tuple[str, ...], external_id: str
    ) -> dict[str, Any]:
        ticket: dict[str, Any] = {
            "subject": subject_for(items),
            "comment": {"body": note_body(items, self._clock(), follow_up=False), "public": False},
            "tags": tags_for(items),
            "external_id": external_id,
            "type": "task",
        }
        if (
            self._requester_is_recipient
            and len(emails) == 1
            and len(emails[0]) <= MAX_ADDRESS_CHARS
        ):
            # Zendesk finds or creates the end user by address; name defaults to the local part.
            ticket["requester"] = {"email": emails[0], "name": emails[0].partition("@")[0]}
        return ticket

    def _find_open(self, external_id: str, emails: tuple[str, ...]) -> int | None:
        candidates = [t for t in self._client.tickets_by_external_id(external_id) if _is_open(t)]
        if (
            not candidates
            and self._requester_is_recipient
            and len(emails) == 1
            and len(emails[0]) <= MAX_ADDRESS_CHARS
            and _SEARCHABLE_ADDRESS.fullmatch(emails[0])
        ):
            query = f"type:ticket tags:todoku requester:{emails[0]} status<solved"
            candidates = [t for t in self._client.search_tickets(query) if _is_open(t)]
        if candidates:
            return min(int(t["id"]) for t in candidates)
        made = self._made.get(external_id)
        return made


def _is_open(ticket: dict[str, Any]) -> bool:
    return isinstance(ticket.get("id"), int) and ticket.get("status") in OPEN_STATUSES
