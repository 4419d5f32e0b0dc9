"""Does a recipient domain look like a mistyped well-known one (``gmial.com`` → ``gmail.com``)?

Principle, not a list of typos: the optimal-string-alignment edit distance (insert, delete,
substitute, swap two neighbours; each costs 1) to every well-known domain. A suggestion is made
only when the domain itself is not well known, exactly one well-known domain is nearest, and
that distance is small for its length: 1 edit, or 2 for names of 10 characters or more. Short
names (``au.com``, ``me.com``) are never suggested: too many real domains lie one edit away.
"""

from __future__ import annotations

from functools import lru_cache

from app.core.classify.hosts import HOST_GROUP_DOMAINS

# Consumer mail domains common in Japan beyond the host groups (ISPs and big web mail).
_EXTRA_WELL_KNOWN = (
    "yahoo.ne.jp",
    "nifty.com",
    "biglobe.ne.jp",
    "ocn.ne.jp",
    "so-net.ne.jp",
    "plala.or.jp",
    "excite.co.jp",
    "mail.com",  # a real provider one edit from gmail.com: known, so never "corrected"
    "email.com",
    "hotmail.co.uk",
    "outlook.co.jp",
)

WELL_KNOWN_DOMAINS: frozenset[str] = frozenset(
    {d for group in HOST_GROUP_DOMAINS.values() for d in group if d != "lg.jp"}
    | set(_EXTRA_WELL_KNOWN)
)

MIN_SUGGESTED_LENGTH = 7


def osa_distance(a: str, b: str, limit: int = 3) -> int:
    """Optimal string alignment distance, giving up (returning ``limit``) once it exceeds it."""
    if abs(len(a) - len(b)) >= limit:
        return limit
    previous_previous: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous_previous[j - 2] + 1)
        if min(current) >= limit:
            return limit
        previous_previous, previous = previous, current
    return min(previous[-1], limit)


def _allowed(known: str) -> int:
    return 2 if len(known) >= 10 else 1


@lru_cache(maxsize=4096)
def suggest_domain(domain: str) -> str:
    """The well-known domain this one most likely mistypes, or "" when there is none."""
    domain = domain.strip().lower().rstrip(".")
    if not domain or domain in WELL_KNOWN_DOMAINS or domain.endswith(".lg.jp"):
        return ""
    best: list[str] = []
    best_distance = 3
    for known in WELL_KNOWN_DOMAINS:
        if len(known) < MIN_SUGGESTED_LENGTH:
            continue
        distance = osa_distance(domain, known)
        if distance > _allowed(known):
            continue
        if distance < best_distance:
            best, best_distance = [known], distance
        elif distance == best_distance:
            best.append(known)
    return best[0] if len(best) == 1 else ""  # a tie is a guess, not a suggestion


def suggest_address(email: str) -> str:
    """``taro@gmial.com`` → ``taro@gmail.com``; "" when the domain does not look mistyped."""
    local, at, domain = email.strip().rpartition("@")
    if not at or not local:
        return ""
    fixed = suggest_domain(domain)
    return f"{local}@{fixed}" if fixed else ""
