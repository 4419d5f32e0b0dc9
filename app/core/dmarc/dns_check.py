"""The domain's published DMARC, SPF and DKIM records over DNS, and reverse names of sources.

dnspython is used (imported here only, never at app start): the standard library can resolve
addresses and PTR names through the system, but has no TXT query, and its PTR lookup cannot be
given a timeout. Every query has a short total lifetime and the first failure to reach a
server stops the rest, so an offline machine gets its Japanese answer in seconds.

The names come from reports anyone can send, and whoever serves a name may answer each query
slowly on purpose, just inside its timeout. So a pass over them is bounded three ways: how
many names (``MAX_DOMAIN_CHECKS`` domains, ``MAX_REVERSE_LOOKUPS`` addresses), how long the
whole pass may take (``PASS_SECONDS``; each query's lifetime is cut to what is left), and the
operator's cancel, looked at before every query.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.core.cancel import CancelToken
from app.core.control_chars import BIDI, C0_BUT_TAB_LF, DEL_AND_C1
from app.core.dmarc.analysis import SourceView
from app.core.dmarc.errors import DnsUnavailableError
from app.core.dmarc.model import PublishedPolicy
from app.core.dmarc.verdict import service_name

if TYPE_CHECKING:
    import dns.resolver

log = logging.getLogger(__name__)

DEFAULT_LIFETIME = 2.0  # seconds for one query, retries included
OFFLINE_NOTE_JA = "DNS に問い合わせできないため未確認（オフライン）"
NO_PTR_NOTE_JA = "逆引き名なし"
NOT_CHECKED_NOTE_JA = "逆引きは確認していません"
TOO_MANY_NOTE_JA = "未確認（送信元が多いため省略）"
TIME_UP_NOTE_JA = "未確認（DNS の応答に時間がかかりすぎたため省略）"
MAX_REVERSE_LOOKUPS = 200  # sources are sorted failing-first, so the ones that matter come first
# An operator has a handful of sending domains; reports naming more came mostly from others.
MAX_DOMAIN_CHECKS = 20
PASS_SECONDS = 30.0  # the whole record check, and the whole reverse-lookup pass


class QueryBudget:
    """The time left for one pass of queries, and the operator's cancel."""

    def __init__(
        self,
        seconds: float = PASS_SECONDS,
        cancel: CancelToken | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._clock = clock  # a test passes one it moves by hand
        self._end = clock() + seconds
        self._cancel = cancel

    @property
    def spent(self) -> bool:
        return self._clock() >= self._end

    def lifetime(self, resolver: dns.resolver.Resolver) -> float:
        """The next query's lifetime: the resolver's, or less when less time is left.

        Raises:
            CancelledError: the operator cancelled.
            TimeUpError: no time is left.
        """
        if self._cancel is not None:
            self._cancel.raise_if_cancelled()
        left = self._end - self._clock()
        if left <= 0:
            raise TimeUpError()
        return min(float(resolver.lifetime), left)


class TimeUpError(Exception):
    """The pass's time ran out; what was not asked yet stays unchecked (not "offline")."""


@dataclass(frozen=True, slots=True)
class DnsRecord:
    """One looked-up TXT record: ``text`` is "" when none exists."""

    name: str
    text: str
    found: bool


@dataclass(frozen=True, slots=True)
class DomainCheck:
    domain: str
    dmarc: DnsRecord
    spf: DnsRecord
    dkim: tuple[DnsRecord, ...]  # one per selector asked
    dmarc_tags: dict[str, str]
    problems_ja: tuple[str, ...]


def make_resolver(
    nameserver: str | None = None, port: int = 53, lifetime: float = DEFAULT_LIFETIME
) -> dns.resolver.Resolver:
    """The system's resolver, or one that asks only ``nameserver`` (an IP) on ``port``."""
    import dns.resolver

    try:
        resolver = dns.resolver.Resolver(configure=nameserver is None)
    except dns.resolver.NoResolverConfiguration as error:
        raise DnsUnavailableError(detail=f"no resolver configuration: {error}") from None
    if nameserver is not None:
        resolver.nameservers = [nameserver]
        resolver.port = port
    resolver.lifetime = lifetime
    resolver.timeout = min(lifetime, 2.0)
    return resolver


def parse_tag_list(text: str) -> dict[str, str]:
    """``v=DMARC1; p=none; rua=mailto:a@b`` → {"v": "DMARC1", "p": "none", ...} (RFC 7489 §6.4)."""
    tags: dict[str, str] = {}
    for part in text.split(";"):
        name, sep, value = part.partition("=")
        if sep:
            tags.setdefault(name.strip().lower(), value.strip())
    return tags


def check_domain(
    domain: str,
    resolver: dns.resolver.Resolver,
    *,
    dkim_selectors: Sequence[str] = (),
    budget: QueryBudget | None = None,
) -> DomainCheck:
    """Look up ``_dmarc.<domain>``, the SPF record and ``<selector>._domainkey.<domain>``.

    Raises:
        DnsUnavailableError: no DNS server answered (offline, blocked, timeout).
        TimeUpError: ``budget`` ran out. CancelledError: its cancel was set.
    """
    budget = budget or QueryBudget()
    domain = domain.strip(".").lower()
    if not is_dns_name(f"_dmarc.{domain}"):
        # The domain comes from the report's XML: an empty label, a 64-character label or a
        # character IDNA forbids (an RTL override) cannot be asked for, and is no sender's.
        missing = DnsRecord("", "", False)
        return DomainCheck(
            domain,
            missing,
            missing,
            (),
            {},
            (
                f"レポートのドメイン名「{domain}」は DNS の名前として正しくないため、"
                "確認できません。",
            ),
        )
    dmarc = _txt(resolver, f"_dmarc.{domain}", "v=dmarc1", budget)
    spf = _txt(resolver, domain, "v=spf1", budget)
    dkim = tuple(
        _txt(resolver, f"{selector}._domainkey.{domain}", "", budget) for selector in dkim_selectors
    )
    tags = parse_tag_list(dmarc.text) if dmarc.found else {}
    problems: list[str] = []
    if not dmarc.found:
        problems.append(
            f"_dmarc.{domain} に DMARC レコードがありません。"
            "まず v=DMARC1; p=none; rua=mailto:（レポートの受け取り先）を公開してください。"
        )
    elif not tags.get("rua"):
        problems.append("DMARC レコードに rua（集計レポートの送付先）がありません。")
    if not spf.found:
        problems.append(f"{domain} に SPF レコード（v=spf1 ...）がありません。")
    elif spf.text.rstrip().endswith("+all"):
        problems.append(
            "SPF が +all で終わっています。誰でも送信できてしまうため ~all か -all に。"
        )
    problems.extend(
        f"DKIM の公開鍵 {record.name} が見つかりません。" for record in dkim if not record.found
    )
    return DomainCheck(domain, dmarc, spf, dkim, tags, tuple(problems))


def policy_from_tags(domain: str, tags: dict[str, str]) -> PublishedPolicy | None:
    """The published record as a ``PublishedPolicy`` (None when there is no DMARC record)."""
    if not tags:
        return None
    pct_text = tags.get("pct", "")
    return PublishedPolicy(
        domain=domain,
        p=tags.get("p", "").lower(),
        sp=tags.get("sp", "").lower(),
        np=tags.get("np", "").lower(),
        adkim=tags.get("adkim", "r").lower(),
        aspf=tags.get("aspf", "r").lower(),
        pct=_percent(pct_text),
        testing=tags.get("t", "").lower(),
    )


# Control characters (C0, DEL, C1) and bidi controls: none belongs in a DMARC, SPF or DKIM
# record, and printed by `todoku-cli dmarc` an ESC sequence would drive the operator's terminal
# (retitle it, write the clipboard with OSC 52). The record's domain can come from a report a
# stranger sent. Each becomes U+FFFD, so the record still shows that something was there.
_UNSHOWABLE = re.compile(f"[{C0_BUT_TAB_LF}\t\n{DEL_AND_C1}{BIDI}]")


def _shown(text: str) -> str:
    return _UNSHOWABLE.sub("\ufffd", text)


def _percent(text: str) -> int | None:
    """``pct`` as a number, or None. str.isdigit() also accepts "²" and other digits int()
    refuses, and int() refuses more than 4,300 digits: a published record must not crash us."""
    if not (text.isascii() and text.isdigit()) or len(text) > 9:
        return None  # RFC 7489 allows 0-100; nine digits keep any typo readable
    return int(text)


def is_dns_name(name: str) -> bool:
    """Whether ``name`` can be asked for: labels of 1 to 63 octets, 255 in all, IDNA-valid."""
    import dns.exception
    import dns.name

    try:
        dns.name.from_text(name)
    except dns.exception.DNSException:
        return False
    return True


def _txt(resolver: dns.resolver.Resolver, name: str, prefix: str, budget: QueryBudget) -> DnsRecord:
    import dns.exception
    import dns.resolver

    if not is_dns_name(name):  # a --dkim-selector with a space, say: no such record
        return DnsRecord(name, "", False)
    lifetime = budget.lifetime(resolver)
    try:
        answer = resolver.resolve(name, "TXT", raise_on_no_answer=False, lifetime=lifetime)
    except dns.resolver.NXDOMAIN:
        return DnsRecord(name, "", False)
    except (dns.exception.Timeout, dns.resolver.NoNameservers, OSError) as error:
        if isinstance(error, dns.exception.Timeout) and budget.spent:
            raise TimeUpError() from None  # the pass's time, not the server, ran out
        raise DnsUnavailableError(detail=f"{name}: {type(error).__name__}: {error}") from None
    texts = [
        _shown(b"".join(rdata.strings).decode("utf-8", errors="replace"))
        for rdata in answer.rrset or ()
    ]
    matching = [text for text in texts if text.lower().startswith(prefix)] if prefix else texts
    return DnsRecord(name, matching[0] if matching else "", bool(matching))


def resolve_sources(
    sources: Sequence[SourceView],
    resolver: dns.resolver.Resolver | None,
    *,
    max_lookups: int = MAX_REVERSE_LOOKUPS,
    unchecked_note_ja: str = OFFLINE_NOTE_JA,
    seconds: float = PASS_SECONDS,
    cancel: CancelToken | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> tuple[SourceView, ...]:
    """``sources`` with reverse names and, where the name tells, the organisation.

    Without a resolver, or after the first query that reaches no server, the remaining sources
    are marked as unchecked (offline) instead of waiting for each to time out; once
    ``seconds`` have passed (by ``clock``), as unchecked for lack of time.

    Raises:
        CancelledError: ``cancel`` was set (looked at before every query).
    """
    if resolver is None:
        return tuple(
            [
                source.named(source.reverse_name, source.organisation, unchecked_note_ja)
                for source in sources
            ]
        )
    import dns.exception
    import dns.resolver
    import dns.reversename

    unreachable = (dns.exception.Timeout, dns.resolver.NoNameservers, OSError)
    resolved: list[SourceView] = []
    stopped_note = ""  # OFFLINE_NOTE_JA or TIME_UP_NOTE_JA once the lookups have stopped
    names: dict[str, str] = {}
    budget = QueryBudget(seconds, cancel, clock)
    for source in sources:
        if stopped_note:
            resolved.append(source.named(source.reverse_name, source.organisation, stopped_note))
            continue
        name = names.get(source.source_ip)
        if name is None and len(names) >= max_lookups:
            resolved.append(
                source.named(source.reverse_name, source.organisation, TOO_MANY_NOTE_JA)
            )
            continue
        if name is None:
            try:
                lifetime = budget.lifetime(resolver)
                query = dns.reversename.from_address(source.source_ip)
                answer = resolver.resolve(query, "PTR", raise_on_no_answer=False, lifetime=lifetime)
                name = str(answer.rrset[0]).rstrip(".") if answer.rrset else ""
            except (dns.resolver.NXDOMAIN, dns.exception.SyntaxError, ValueError):
                name = ""
            except (TimeUpError, *unreachable) as error:
                log.info("dmarc: reverse lookups stopped: %s", type(error).__name__)
                time_up = isinstance(error, TimeUpError) or budget.spent
                stopped_note = TIME_UP_NOTE_JA if time_up else OFFLINE_NOTE_JA
                resolved.append(
                    source.named(source.reverse_name, source.organisation, stopped_note)
                )
                continue
            names[source.source_ip] = name
        organisation = service_name(name) if name else ""
        note = "" if name else NO_PTR_NOTE_JA
        resolved.append(source.named(name, organisation, note))
    return tuple(resolved)
