"""Turn an untrusted bounce reason into a privacy-safe template: addresses, IPs, ids masked."""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from functools import lru_cache

# Placeholders are built from private-use characters while masking, so later passes cannot
# re-match text that an earlier pass produced (e.g. the digits of a kept SMTP code, or the
# letters of "<email>"); one `str.translate` turns them into the visible `<...>` form at the end.
_PUA_FIRST, _PUA_LAST = 0xE000, 0xF8FF
_KEEP_MARK = "\ue0ff"  # followed by two index chars: a protected span (SMTP code, help URL)
_KEEP_BASE = 0xE100

_PLAIN = {
    "email": "\ue001",
    "host": "\ue002",
    "ip": "\ue003",
    "id": "\ue004",
    "n": "\ue005",
    "url": "\ue006",
    "date": "\ue007",
    "time": "\ue008",
    "path": "\ue009",
    "q": "\ue00a",
}

# Big providers only: naming the group says nothing about who the recipient is, but tells the
# reader which carrier's filter rules apply (docomo's 指定受信 etc.). Longest suffix wins.
_PROVIDER_DOMAINS: dict[str, str] = {
    "gmail.com": "gmail",
    "googlemail.com": "gmail",
    "google.com": "google",
    "outlook.com": "microsoft",
    "outlook.jp": "microsoft",
    "hotmail.com": "microsoft",
    "hotmail.co.jp": "microsoft",
    "live.com": "microsoft",
    "live.jp": "microsoft",
    "msn.com": "microsoft",
    "protection.outlook.com": "microsoft",
    "yahoo.co.jp": "yahoo.co.jp",
    "ymail.ne.jp": "yahoo.co.jp",
    "yahoo.com": "yahoo",
    "yahoodns.net": "yahoo",
    "icloud.com": "icloud",
    "me.com": "icloud",
    "mac.com": "icloud",
    "docomo.ne.jp": "docomo",
    "mopera.net": "docomo",
    "ezweb.ne.jp": "au",
    "au.com": "au",
    "uqmobile.jp": "au",
    "auone-net.jp": "au",
    "softbank.ne.jp": "softbank",
    "i.softbank.jp": "softbank",
    "ymobile.ne.jp": "softbank",
    "y-mobile.ne.jp": "softbank",
    "vodafone.ne.jp": "softbank",
    "rakumail.jp": "rakuten",
    "nifty.com": "nifty",
    "biglobe.ne.jp": "biglobe",
    "ocn.ne.jp": "ocn",
    "so-net.ne.jp": "so-net",
    "aol.com": "aol",
    "qq.com": "qq",
}
# Coarse second-level groups (thousands of organisations each): safe to name.
_SUFFIX_GROUPS = ("lg.jp", "go.jp", "ac.jp", "ed.jp")

# Hosts whose help URLs are kept: public documentation, never a recipient's server.
HELP_HOSTS = frozenset(
    {
        "support.google.com",
        "support.microsoft.com",
        "learn.microsoft.com",
        "go.microsoft.com",
        "aka.ms",
        "sender.office.com",
        "postmaster.google.com",
        "senders.yahooinc.com",
        "postmaster.yahooinc.com",
        "help.yahoo.com",
        "support.apple.com",
        "www.spamhaus.org",
        "www.spamcop.net",
        "mxtoolbox.com",
        "www.rfc-editor.org",
        "datatracker.ietf.org",
        "docs.sendgrid.com",
        "www.twilio.com",
    }
)

_GROUP_MARK: dict[str, tuple[str, str]] = {}
_TRANSLATE: dict[int, str] = {ord(mark): f"<{name}>" for name, mark in _PLAIN.items()}
for _i, _group in enumerate(sorted(set(_PROVIDER_DOMAINS.values()) | set(_SUFFIX_GROUPS))):
    _email_mark, _host_mark = chr(0xE010 + 2 * _i), chr(0xE011 + 2 * _i)
    _GROUP_MARK[_group] = (_email_mark, _host_mark)
    _TRANSLATE[ord(_email_mark)] = f"<email:{_group}>"
    _TRANSLATE[ord(_host_mark)] = f"<host:{_group}>"

MAX_TEMPLATE_CHARS = 1000
# How much of a reason is masked: like the classifier's head (classifier.MATCH_CHARS), far more
# than a template keeps, and a bound on the regex work per entry (a hostile 100 kB reason took
# 0.2-1.1 s, for every entry that carried it).
READ_CHARS = 3000


def read_head(text: str, limit: int = READ_CHARS) -> str:
    """The first ``limit`` characters of ``text``, without the token the cut went through: half
    an address or IP address would escape the masks that need the whole of it."""
    if len(text) <= limit:
        return text
    head = text[:limit]
    if head[-1:].isspace() or text[limit].isspace():
        return head
    parts = head.rsplit(maxsplit=1)
    return parts[0] if len(parts) == 2 else ""


@lru_cache(maxsize=4096)
def domain_group(domain: str) -> str:
    """Coarse, non-identifying name for a domain (``docomo``, ``gmail``, ``lg.jp``) or ``""``."""
    domain = domain.strip().strip(".").lower()
    labels = domain.split(".")
    for start in range(len(labels)):
        group = _PROVIDER_DOMAINS.get(".".join(labels[start:]))
        if group:
            return group
    for suffix in _SUFFIX_GROUPS:
        if domain.endswith("." + suffix):
            return suffix
    return ""


def _big_provider(domain: str) -> str:
    group = domain_group(domain)
    return group if group and group not in _SUFFIX_GROUPS else ""


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ue000-\uf8ff]")
_INVISIBLE = re.compile(r"[\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]")

# Patterns start with a concrete character (lookbehinds come after it) so the regex engine
# can skip non-candidate positions fast; each pass is also gated by a cheap `in` test.
_URL = re.compile(r"(?i)(?:https?|ftp)://[^\s<>\"'\]\[)(]+")
_EMAIL_AT = re.compile(r"@(\[[^\]\s]{1,100}\]|[\w-]+(?:\.[\w-]+)*)?>?")
_LOCAL_STOP = frozenset('@<>()[]\\,;:"`')
_IPV6_CANDIDATE = re.compile(
    r"(?i)(?<![\w:])(?:ipv6:)?(?:[0-9a-f]{0,4}:){2,7}"
    r"(?:[0-9a-f]{1,4}|\d{1,3}(?:\.\d{1,3}){3})?(?:%[\w.]+)?(?![\w:])"
)
_IPV4 = re.compile(r"\d(?<![\d.]\d)\d{0,2}\.\d{1,3}\.\d{1,3}\.\d{1,3}(?!\.?\d)")
_IP_LABELS = re.compile(r"\d(?<![\w.]\d)\d{0,2}[-_]\d{1,3}[-_]\d{1,3}[-_]\d{1,3}(?!\w)")
_ANGLE = re.compile(r"<([^<>\s\ue000-\uf8ff]{1,200})>")
_HOST = re.compile(
    r"[\w-](?<![\w@-][\w-])(?<![\w-]\.[\w-])[\w-]{0,62}\.(?:[\w-]{1,63}\.)*"
    r"(?:[^\W\d_]{2,63}|xn--[\w-]{1,59})(?![\w-])"
)
_PATH = re.compile(r"(?<![\w.>/])(?:~?/[^\s/]+){2,}/?")
_QUERY = re.compile(r"([?&;][A-Za-z0-9_.-]{1,40}=)[^\s&;#\"'<>]*")
_LDAP = re.compile(r"(?i)(?<![\w-])((?:dc|cn|ou|uid|mail)=)[^,\s;)\]]+")  # dc=example,dc=net
_ZONE = r"(?:\s?(?:Z|[+-]\d{2}:?\d{2}|UTC|GMT|JST))?"
_ISO_DATE = re.compile(
    r"(?i)\d(?<!\w\d)\d{3}[-/.]\d{1,2}[-/.]\d{1,2}"
    r"(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?" + _ZONE + ")?"
)
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MAIL_DATE = re.compile(
    r"(?i)\b(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*,?\s+)?\d{1,2}\s+"
    r"(?:" + "|".join(_MONTHS) + r")[a-z]*\s+\d{2,4}"
)
_JA_DATE = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日")
_TIME = re.compile(r"(?i)\d(?<!\w\d)\d?:\d{2}(?::\d{2}(?:[.,]\d+)?)?" + _ZONE + r"\b")
# Reply codes (550) and enhanced status codes (5.1.1, #5.4.4) carry meaning: keep them.
_CODES = re.compile(
    r"[245](?<![\w.][245])(?:\.\d{1,3}\.\d{1,3}|\d\d(?=[\s\-.,;:)\]'\"]|$))(?![\w.]?\d)"
)
_NAMED_CODES = re.compile(r"(?i:\brfc\s?\d{3,4}\b)|\bTSS?\d{2}\b")  # RFC 5322, Yahoo [TSS04]
_TOKEN = re.compile(r"[A-Za-z0-9+/=_.:-]{6,}")
_NUMBER = re.compile(r"\d+")
_SPACE = re.compile(r"\s+")


def _keep(kept: list[str], text: str) -> str:
    i = len(kept)
    kept.append(text)
    return _KEEP_MARK + chr(_KEEP_BASE + i // 256) + chr(_KEEP_BASE + i % 256)


_KEPT = re.compile(_KEEP_MARK + r"([\ue100-\ue1ff])([\ue100-\ue1ff])")


def _mask_url(match: re.Match[str], kept: list[str]) -> str:
    url = match.group(0).rstrip(".,;:!?")
    tail = match.group(0)[len(url) :]
    scheme, _, rest = url.partition("://")
    hostport, slash, path = rest.partition("/")
    host = hostport.rsplit("@", 1)[-1].split(":", 1)[0].lower()
    if host not in HELP_HOSTS or "@" in hostport:
        return _PLAIN["url"] + tail
    path, _, query = path.partition("?")
    path = path.split("#", 1)[0]
    # Even on a help host, only a harmless path survives; anything address-like is dropped.
    if "@" in path or not re.fullmatch(r"[A-Za-z0-9/_.\-]*", path):
        path = ""
        slash = "/"
    kept_text = f"{scheme.lower()}://{host}{slash}{path}"
    return _keep(kept, kept_text) + (("?" + _PLAIN["q"]) if query else "") + tail


def _mask_emails(s: str) -> str:
    """Find every ``@`` and grow the local part leftwards: far cheaper than a regex that tries
    a 200-character local part at every position, and it accepts any non-ASCII local part."""
    parts: list[str] = []
    last = 0
    for match in _EMAIL_AT.finditer(s):
        at = match.start()
        start = at
        if at > last and s[at - 1] == '"':  # "quoted local part"
            quote = s.rfind('"', max(last, at - 202), at - 1)
            start = quote if quote >= 0 else at
        else:
            floor = max(last, at - 200)
            while start > floor and not s[start - 1].isspace() and s[start - 1] not in _LOCAL_STOP:
                start -= 1
        domain = match.group(1) or ""
        if start == at and not domain:
            continue  # a lone "@"
        if start > last and s[start - 1] == "<":
            start -= 1
        group = "" if domain.startswith("[") else _big_provider(domain)
        parts.append(s[last:start])
        parts.append(_GROUP_MARK[group][0] if group else _PLAIN["email"])
        last = match.end()
    if not parts:
        return s
    parts.append(s[last:])
    return "".join(parts)


def _mask_ipv6(match: re.Match[str]) -> str:
    text = match.group(0)
    candidate = text[5:] if text[:5].lower() == "ipv6:" else text
    try:
        ipaddress.IPv6Address(candidate.split("%", 1)[0])
    except ValueError:
        return text
    return _PLAIN["ip"]


def _mask_host(match: re.Match[str], kept: list[str]) -> str:
    host = match.group(0).lower()
    if host in HELP_HOSTS:
        return _keep(kept, host)
    group = _big_provider(host)
    return _GROUP_MARK[group][1] if group else _PLAIN["host"]


_DIGITS = frozenset("0123456789")
_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
_BASE64_SIGNS = frozenset("+/=")


def _mask_token(match: re.Match[str]) -> str:
    token = match.group(0)
    if _DIGITS.isdisjoint(token) and len(token) < 16:
        return token  # the common case: a plain word
    core = token.strip(".:-=_")
    has_digit = not _DIGITS.isdisjoint(core)
    has_alpha = not _LETTERS.isdisjoint(core)
    # Queue/message ids mix letters and digits (or are long hex/base64 runs); plain words and
    # kept placeholders do not. Short codes like TSS04 stay (len < 6).
    if (has_digit and has_alpha) or (len(core) >= 16 and not _BASE64_SIGNS.isdisjoint(core)):
        return token[: len(token) - len(token.lstrip(".:-=_"))] + _PLAIN["id"]
    if len(core) >= 20 and core.isalnum() and not core.islower() and not core.istitle():
        return _PLAIN["id"]  # long mixed-case letter runs: base64 without digits
    return token


_HTML_NAMES = frozenset(
    {
        *("a", "b", "i", "u", "p", "br", "hr", "div", "span", "font", "html", "head", "body"),
        *("title", "script", "style", "img", "table", "tr", "td", "th", "em", "strong", "pre"),
        *("code", "center", "small", "big", "ul", "ol", "li", "iframe", "form", "input", "meta"),
    }
)


def _mask_angle(match: re.Match[str]) -> str:
    inner = match.group(1)
    name = inner.lstrip("/!?").rstrip("/").lower()
    if inner[:1] in "/!?" or name in _HTML_NAMES:
        return " "  # markup in a reason means nothing to the reader; drop it
    return _PLAIN["email"]


def _recipient_pattern(recipient: str) -> re.Pattern[str] | None:
    local, _, domain = recipient.strip().rpartition("@")
    words = {w for w in (local, local.split("+", 1)[0], domain) if len(w) >= 3}
    words.update(w for w in re.split(r"[.+_-]", local) if len(w) >= 4)
    if not words:
        return None
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?i)(?<![\w.+-])(?:{alternatives})(?![\w+-])")


def reason_template(text: str, *, recipient: str = "") -> str:
    """Mask everything that could identify a recipient, keeping the wording and SMTP codes.

    Placeholders: ``<email>``, ``<host>``, ``<ip>``, ``<id>``, ``<n>``, ``<url>``, ``<date>``,
    ``<time>``, ``<path>``, ``<q>`` (a query value); addresses/hosts of big providers become
    ``<email:docomo>`` / ``<host:gmail>``. ``recipient``, when known, is also masked where it
    appears without an ``@`` (a bare local part cannot be told from a word otherwise).
    """
    if not text:
        return ""
    kept: list[str] = []
    s = read_head(text)
    if not s.isascii():
        # NFKC folds full-width forms (ｕｓｅｒ＠ｅｘａｍｐｌｅ．ｊｐ) for the ASCII patterns; it
        # may also make one character 18 (U+FDFA), hence the second cut.
        s = read_head(_INVISIBLE.sub("", unicodedata.normalize("NFKC", s)))
    if not s.isprintable():
        s = _CONTROL.sub(" ", s)
    if recipient:
        pattern = _recipient_pattern(recipient)
        if pattern is not None:
            s = pattern.sub(_PLAIN["email"], _mask_emails(s) if "@" in s else s)
    if "://" in s:
        s = _URL.sub(lambda m: _mask_url(m, kept), s)
    if "@" in s:
        s = _mask_emails(s)
    if s.count(":") >= 2:
        s = _IPV6_CANDIDATE.sub(_mask_ipv6, s)
    s = _IPV4.sub(_PLAIN["ip"], s)
    if "<" in s:
        s = _ANGLE.sub(_mask_angle, s)  # <kijitora>: a bare local part or route address
    if "." in s:
        s = _HOST.sub(lambda m: _mask_host(m, kept), s)
    if "-" in s or "_" in s:
        s = _IP_LABELS.sub(_PLAIN["ip"], s)
    if "/" in s:
        s = _PATH.sub(_PLAIN["path"], s)
    if "=" in s:
        s = _QUERY.sub(lambda m: m.group(1) + _PLAIN["q"], s)
        s = _LDAP.sub(lambda m: m.group(1) + _PLAIN["q"], s)
    s = _ISO_DATE.sub(_PLAIN["date"], s)
    lower = s.lower()
    if any(month in lower for month in _MONTHS):
        s = _MAIL_DATE.sub(_PLAIN["date"], s)
    if "年" in s:
        s = _JA_DATE.sub(_PLAIN["date"], s)
    if ":" in s:
        s = _TIME.sub(_PLAIN["time"], s)
    s = _CODES.sub(lambda m: _keep(kept, m.group(0)), s)
    if "rfc" in lower or "TS" in s:
        s = _NAMED_CODES.sub(lambda m: _keep(kept, m.group(0)), s)
    s = _TOKEN.sub(_mask_token, s)
    s = _NUMBER.sub(_PLAIN["n"], s)
    s = _SPACE.sub(" ", s).strip()
    if kept:
        s = _KEPT.sub(lambda m: kept[(ord(m[1]) - _KEEP_BASE) * 256 + ord(m[2]) - _KEEP_BASE], s)
    s = s.translate(_TRANSLATE)
    if len(s) > MAX_TEMPLATE_CHARS:
        s = s[: MAX_TEMPLATE_CHARS - 1] + "…"
    return s


def status_class(status: str) -> str:
    """``5`` / ``4`` / ``2`` from ``5.1.1`` or ``550``; ``""`` when there is no usable code."""
    status = status.strip()
    return status[0] if status[:1] in {"2", "4", "5"} else ""
