"""What the rules look at besides the text: the codes a normalised reason and its status hold."""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.core.classify.vocabulary import asks_to_come_back_later

_ENHANCED = re.compile(r"(?<![\w.])([245])\.(\d{1,3})\.(\d{1,3})(?!\w|\.\d)")
_REPLY = re.compile(r"(?<![\w.])([245]\d\d)(?![\w.])")
_STATUS = re.compile(r"\s*([245])\.(\d{1,3})\.(\d{1,3})\s*")
# The refusal itself called temporary: "temporarily deferred/blocked/rate limited/rejected",
# "temporary failure/error/block". Not a bare "try again later": blocklist replies say that too,
# and a listing lasts until it is removed.
_SAYS_TEMPORARY = re.compile(
    r"\btemporarily (deferred|delayed|blocked|rate[ -]?limited|limited|rejected|refused|"
    r"throttled|suspended|unavailable|disabled|not available)"
    r"|\btemporary (failure|error|problem|block|rejection|deferral|limit)"
)
# A rate limit or throttling named in the reply ("554 5.2.0 IP reputation ratelimit in effect").
_SAYS_RATE_LIMITED = re.compile(r"\brate[ -]?limit|\bthrottl")
# The sending MTA's own log words for "kept in the queue, will retry": Postfix's status=deferred,
# Exim's "defer (<errno>)", Sendmail's TempFail, DragonFly's "remote delivery deferred", 延期.
# A line that says so reports a deferral, not a final refusal.
_SENDER_DEFERRED = re.compile(
    r"\bstatus=deferred\b|\bdefer #|\btempfail\b|\b(remote )?delivery deferred\b|被?延期"
)


@dataclass(frozen=True, slots=True)
class Facts:
    """What the rules look at, derived once per (normalised text, status, host group, list)."""

    text: str  # normalised
    code: str  # primary enhanced status code ("5.1.1"), "" when none
    reply: str  # first SMTP reply code in the text ("550"), "" when none
    host: str  # host group of the recipient domain (see hosts.py), "" when none
    list_kind: str  # ListKind value, "" when unknown
    # The words call the refusal temporary ("temporarily blocked") or ask to come back later.
    says_temporary: bool = False
    # The words name a rate limit or throttling.
    rate_limited: bool = False

    @property
    def temporary(self) -> bool:
        """A 4xx reply or 4.x.x status, or words that call the refusal itself temporary: the
        receiving side said it will pass. Some servers send "temporarily deferred" or
        "temporarily rate limited" with a 5xx code; the words are the more specific statement.
        A rule marked ``lasting`` still wins (Yahoo's "permanently deferred" in a 421)."""
        first = self.code[:1] or self.reply[:1]
        return first == "4" or self.says_temporary


def extract_facts(text: str, status: str, host: str = "", list_kind: str = "") -> Facts:
    """Find codes in an already normalised text and a raw status field.

    The code written in the text usually says more than the status field (``550 5.7.26 ...``
    arrives with status 5.0.0), so the first specific code in the text wins; X.0.0 only counts
    when nothing more specific exists.
    """
    candidates = ["{}.{}.{}".format(*match.groups()) for match in _ENHANCED.finditer(text)]
    status_match = _STATUS.fullmatch(status)
    if status_match:
        candidates.append("{}.{}.{}".format(*status_match.groups()))
    code = next(
        (c for c in candidates if not c.endswith(".0.0")), candidates[0] if candidates else ""
    )
    reply_match = _REPLY.search(text)
    reply = reply_match.group(1) if reply_match else ""
    says_temporary = (
        ("tempor" in text and _SAYS_TEMPORARY.search(text) is not None)
        or asks_to_come_back_later(text)
        or (("defer" in text or "延期" in text) and _SENDER_DEFERRED.search(text) is not None)
    )
    rate_limited = ("rate" in text or "throttl" in text) and bool(_SAYS_RATE_LIMITED.search(text))
    return Facts(text, code, reply, host, list_kind, says_temporary, rate_limited)


def with_host(facts: Facts, host: str) -> Facts:
    """``facts`` for a recipient of ``host``: everything else depends on the text alone."""
    return Facts(
        facts.text, facts.code, facts.reply, host, facts.list_kind, facts.says_temporary,
        facts.rate_limited,
    )  # fmt: skip
