"""Seed data for the SendGrid sandbox: realistic Japanese recipients and labelled bounce reasons."""

from __future__ import annotations

import gc
import json
import math
import random
import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from app.sandbox.sendgrid_types import LIST_KINDS, SandboxRecord

# Source layout default; frozen builds and the app pass the path from app.paths explicitly.
DEFAULT_REASONS_PATH = (
    Path(__file__).resolve().parents[2] / "resources" / "sandbox" / "bounce-reasons.jsonl"
)

LIST_MIX: tuple[tuple[str, float], ...] = (
    ("bounces", 0.55),
    ("blocks", 0.25),
    ("invalid_emails", 0.08),
    ("spam_reports", 0.05),
    ("unsubscribes", 0.07),
)


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


_FAMILY = _words(
    "sato suzuki takahashi tanaka watanabe ito yamamoto nakamura kobayashi kato yoshida "
    "yamada sasaki yamaguchi matsumoto inoue kimura hayashi shimizu yamazaki mori abe ikeda "
    "hashimoto ishikawa ogawa okada goto hasegawa murakami kondo ishii saito sakamoto endo "
    "aoki fujita nishimura fukuda ota miura fujii okamoto matsuda nakagawa nakano harada "
    "ono tamura takeuchi"
)
_GIVEN = _words(
    "taro hanako yuki haruto sota yui aoi ren hina riku sakura kenji akiko takumi misaki "
    "daiki naoko hiroshi keiko shota mai yusuke emi kazuki ayaka tomoko makoto yoko ryo "
    "nana shinji megumi kenta yumi tsubasa mayu koji rie daisuke saki"
)
_WORDS = _words("sora hoshi neko inu umi yama hana kaze tsuki momo choco sakana ramen")
_CITIES = _words(
    "yokohama kawasaki sapporo sendai chiba saitama sagamihara niigata shizuoka hamamatsu "
    "nagoya kyoto sakai kobe okayama hiroshima kitakyushu fukuoka kumamoto naha"
)
_PREFS = _words(
    "hokkaido aomori miyagi fukushima ibaraki kanagawa nagano aichi osaka hyogo ehime oita"
)
_MUNICIPAL_LOCALS = _words("somu kikaku kosodate bosai zeimu shimin kenko kyoiku joho-seisaku")
_COMPANIES = _words(
    "yamato-shoji sakura-denki fuji-kensetsu minato-bussan hikari-soft aozora-unyu "
    "midori-foods kita-kogyo asahi-insatsu tsubame-seiki"
)
# (domain, or *kind for a generated one; weight; local-part style)
_DOMAINS: tuple[tuple[str, float, str], ...] = (
    ("docomo.ne.jp", 14, "carrier"),
    ("ezweb.ne.jp", 5, "carrier"),
    ("au.com", 3, "carrier"),
    ("softbank.ne.jp", 3, "carrier"),
    ("i.softbank.jp", 4, "carrier"),
    ("gmail.com", 20, "personal"),
    ("yahoo.co.jp", 12, "personal"),
    ("outlook.jp", 3, "personal"),
    ("hotmail.com", 4, "personal"),
    ("hotmail.co.jp", 2, "personal"),
    ("icloud.com", 3, "personal"),
    ("*company", 16, "work"),
    ("*city", 6, "municipal"),
    ("*pref", 3, "municipal"),
)
_TYPO_DOMAINS = _words(
    "gmial.com gmai.com yahooo.co.jp yaho.co.jp docomo.ne.j docomo.co.jp ezwab.ne.jp "
    "softbnak.ne.jp hotmial.com outlook.co gmail.con"
)
# "The domain does not exist" is only ever true of a domain that does not: put at gmail.com or a
# carrier, it made the app tell a practising operator that docomo.ne.jp may be misspelt. A mistyped
# major domain or a company domain that was given up is where such a reply comes from.
_DEAD_DOMAINS = (*_TYPO_DOMAINS, *_words("kyu-shoji.co.jp heisha-old.co.jp tsubureta-shoten.jp"))
_INVALID_REASONS = (
    "Mail domain mentioned in email address is unknown",
    "Known bad domain",
    "Mail domain mentioned in email address is unknown",
)
# Addresses that trip up naive clients: path/query encoding, quoting, case and non-ASCII.
TRICKY_EMAILS: tuple[tuple[str, str], ...] = (
    ("bounces", "taro+newsletter@gmail.com"),
    ("bounces", "sale%off@yamato-shoji.co.jp"),
    ("bounces", "kikaku/koho@city.yokohama.lg.jp"),
    ("bounces", "o'brien@outlook.jp"),
    ("bounces", "山田@例え.jp"),
    ("blocks", "tarō.suzuki@gmail.com"),
    ("blocks", "taro..yamada@docomo.ne.jp"),
    ("bounces", "hanako.@ezweb.ne.jp"),
    ("spam_reports", "Mixed.Case@Yahoo.co.jp"),
    ("unsubscribes", '"hanako sato"@example.co.jp'),
    ("invalid_emails", "sato#1@gmial.com"),
)
_BLOCK_LABELS = frozenset(
    _words(
        "blocked badreputation networkerror toomanyconn expired requireptr speeding "
        "spamdetected policyviolation authfailure failedstarttls systemfull"
    )
)
# Weight common hard bounces up: most real bounce lists are dominated by unknown users.
_BOUNCE_WEIGHTS = {"userunknown": 4, "mailboxfull": 2, "hostunknown": 2, "suspend": 2}
# A reply written by one mailbox provider only ever reaches its own users: La Poste's "LPN006"
# at a docomo address would make the app add a ドコモ note to a French reply. The labelled lines
# name the decoder module that read them (Sisimai's rhost:<provider> / provider lhost); these
# recipient domains are where such a reply comes from. Modules not listed (the MTAs: Postfix,
# Exim, Sendmail ...; the sending-side services: SES, WorkMail) answer for any domain.
PROVIDER_DOMAINS: dict[str, tuple[str, ...]] = {
    "rhost:FrancePTT": ("orange.fr", "wanadoo.fr", "laposte.net"),
    "rhost:Tencent": ("qq.com", "foxmail.com"),
    "rhost:Google": ("gmail.com",),
    "Gmail": ("gmail.com",),
    "GoogleGroups": ("googlegroups.com", *(f"{company}.co.jp" for company in _COMPANIES)),
    "rhost:Microsoft": ("hotmail.com", "outlook.jp", "hotmail.co.jp"),
    "Outlook": ("hotmail.com", "outlook.jp", "hotmail.co.jp"),
    "rhost:Apple": ("icloud.com",),
    "rhost:Aol": ("aol.com",),
    "rhost:NTTDOCOMO": ("docomo.ne.jp",),
    "EZweb": ("ezweb.ne.jp", "au.com"),
    "KDDI": ("ezweb.ne.jp", "au.com"),
    "Biglobe": ("biglobe.ne.jp",),
    "Yandex": ("yandex.ru",),
    "MailRu": ("mail.ru",),
    "rhost:Facebook": ("facebook.com",),
    # Google Workspace serves company domains: a Workspace group reply goes to a company.
    "rhost:GSuite": tuple(f"{company}.co.jp" for company in _COMPANIES),
}
# The module is the decoder that read the whole bounce mail (a Sendmail relay may carry La Poste's
# reply), so the provider's own marks in the text count too.
_PROVIDER_MARKS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("lpn0", PROVIDER_DOMAINS["rhost:FrancePTT"]),
    ("ofr0", PROVIDER_DOMAINS["rhost:FrancePTT"]),
    ("laposte", PROVIDER_DOMAINS["rhost:FrancePTT"]),
    ("service.mail.qq.com", PROVIDER_DOMAINS["rhost:Tencent"]),
    ("groups.google.com", PROVIDER_DOMAINS["GoogleGroups"]),
    ("support.google.com/mail", PROVIDER_DOMAINS["Gmail"]),
    ("gmail", PROVIDER_DOMAINS["Gmail"]),
    ("email account that you tried to reach", PROVIDER_DOMAINS["Gmail"]),
)


def provider_domains(module: str, text: str) -> tuple[str, ...]:
    """Recipient domains a labelled reply fits (() = any domain): by module, then by text."""
    if module in PROVIDER_DOMAINS:
        return PROVIDER_DOMAINS[module]
    lowered = text.lower()
    return next((domains for mark, domains in _PROVIDER_MARKS if mark in lowered), ())


_ADDRESS = re.compile(r"[\w.+'%-]+@[\w-]+(?:\.[\w-]+)+")
_STATUS = re.compile(r"\b([245]\.\d{1,3}\.\d{1,3})\b")
_SERVICE_LOCALS = ("postmaster", "mailer-daemon", "abuse", "noreply", "no-reply", "root")


@dataclass(frozen=True, slots=True)
class ReasonTemplate:
    """A reason text split around recipient addresses, so filling one in is a single join."""

    parts: tuple[str, ...]
    status: str
    label: str
    domains: tuple[str, ...] = ()  # recipient domains this provider's reply fits; () = any

    def render(self, email: str) -> str:
        return email.join(self.parts)

    def recipient(self, email: str) -> str:
        """``email`` moved to one of this reply's provider domains when it is at another one.

        The domain is picked from the local part, not the generator's random stream, so every
        other record of a seed stays as it was.
        """
        if not self.domains:
            return email
        local, _, domain = email.rpartition("@")
        if domain.lower() in self.domains:
            return email
        return f"{local}@{self.domains[len(local) % len(self.domains)]}"


def _template(text: str, status: str, label: str, domains: tuple[str, ...] = ()) -> ReasonTemplate:
    parts: list[str] = []
    last = 0
    for match in _ADDRESS.finditer(text):
        local = match.group(0).split("@")[0].lower()
        if local in _SERVICE_LOCALS:
            continue
        parts.append(text[last : match.start()])
        last = match.end()
    parts.append(text[last:])
    return ReasonTemplate(tuple(parts), status, label, domains)


def load_reason_templates(path: Path | None = None) -> dict[str, list[ReasonTemplate]]:
    """Read the labelled reasons and split them into block-like and bounce-like pools."""
    source = path or DEFAULT_REASONS_PATH
    pools: dict[str, list[ReasonTemplate]] = {"bounces": [], "blocks": []}
    with source.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
                text, label = item["reason_text"], item["expected_reason"]
            except (ValueError, KeyError, TypeError) as error:
                raise ValueError(f"{source}:{number}: bad reason line ({error})") from None
            # Prefer the code the bounce carried, then one quoted in the text; no invented codes.
            found = _STATUS.search(text)
            status = item.get("status") or (found.group(1) if found else "")
            domains = provider_domains(str(item.get("module") or ""), text)
            if label == "hostunknown" and not domains:
                domains = _DEAD_DOMAINS
            if label in _BLOCK_LABELS or status.startswith("4"):
                pools["blocks"].append(_template(text, status or "4.0.0", label, domains))
            else:
                template = _template(text, status or "5.0.0", label, domains)
                pools["bounces"].extend([template] * _BOUNCE_WEIGHTS.get(label, 1))
    if not pools["bounces"] or not pools["blocks"]:
        raise ValueError(f"{source}: needs both bounce-like and block-like reasons")
    return pools


class _AddressMaker:
    """Plausible romanised recipient addresses, unique per list (case-insensitive)."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        total = sum(weight for _, weight, _ in _DOMAINS)
        running = 0.0
        self._cumulative: list[float] = []
        for _, weight, _ in _DOMAINS:
            running += weight / total
            self._cumulative.append(running)

    def _pick(self, items: Sequence[str]) -> str:
        return items[int(self._rng.random() * len(items))]

    def make(self, kind: str) -> str:
        rng, pick = self._rng, self._pick
        if kind == "invalid_emails":
            return f"{pick(_GIVEN)}.{pick(_FAMILY)}@{pick(_TYPO_DOMAINS)}"
        draw = rng.random()
        index = min(bisect_right(self._cumulative, draw), len(_DOMAINS) - 1)
        domain, _, style = _DOMAINS[index]
        given, family = pick(_GIVEN), pick(_FAMILY)
        if domain == "*company":
            domain = f"{pick(_COMPANIES)}.co.jp"
        elif domain == "*city":
            domain = f"city.{pick(_CITIES)}.lg.jp"
        elif domain == "*pref":
            domain = f"pref.{pick(_PREFS)}.lg.jp"
        shape = rng.random()
        if style == "carrier":
            number = int(rng.random() * 10000)
            if shape < 0.4:
                local = f"{given}.{pick(_WORDS)}-{number:04d}"
            elif shape < 0.7:
                local = f"{pick(_WORDS)}{pick(_WORDS)}.{given}{number % 100:02d}"
            else:
                local = f"{given}_{family}.{number % 1000}"
        elif style == "municipal":
            local = pick(_MUNICIPAL_LOCALS) if shape < 0.5 else f"{family}-{given[0]}"
        elif style == "work":
            local = f"{given[0]}-{family}" if shape < 0.5 else f"{family}.{given}"
        elif shape < 0.35:
            local = f"{given}.{family}"
        elif shape < 0.6:
            local = f"{family}{given[0]}{int(rng.random() * 100)}"
        else:
            local = f"{given}{family}{1960 + int(rng.random() * 50)}"
        return f"{local}@{domain}"


def _spam_ips(rng: random.Random) -> list[str]:
    # A sender typically has a handful of dedicated IPs; SendGrid's ranges look like these.
    return [
        f"{rng.choice((167, 149))}.{rng.choice((89, 72))}.{rng.randrange(1, 255)}."
        f"{rng.randrange(1, 255)}"
        for _ in range(3)
    ]


def generate_records(
    count: int,
    seed: int,
    start: int,
    end: int,
    *,
    reasons_path: Path | None = None,
    mix: Sequence[tuple[str, float]] = LIST_MIX,
) -> list[SandboxRecord]:
    """``count`` records with ``created`` uniform in [start, end]; the same for the same seed."""
    if count < 0 or end < start:
        raise ValueError("count must be >= 0 and start <= end")
    pools = load_reason_templates(reasons_path)
    # Millions of small allocations trigger repeated full GC passes over objects that are all
    # alive anyway; pausing the collector makes 1M records ~35 % faster.
    paused = gc.isenabled()
    gc.disable()
    try:
        return _generate(count, seed, start, end, pools, mix)
    finally:
        if paused:
            gc.enable()


def _generate(
    count: int,
    seed: int,
    start: int,
    end: int,
    pools: dict[str, list[ReasonTemplate]],
    mix: Sequence[tuple[str, float]],
) -> list[SandboxRecord]:
    rng = random.Random(seed)
    kinds = rng.choices([kind for kind, _ in mix], weights=[w for _, w in mix], k=count)
    # Spread the tricky addresses over the whole time range, not all on the first page.
    tricky_count = min(len(TRICKY_EMAILS), count // 20)
    step = count // tricky_count if tricky_count else 0
    tricky = {n * step: TRICKY_EMAILS[n] for n in range(tricky_count)}
    for position, (kind, _) in tricky.items():
        kinds[position] = kind
    # Newest first, as the server orders lists: loading then sorts already-sorted runs (fast).
    span = end - start + 1
    created_values = sorted((start + int(rng.random() * span) for _ in range(count)), reverse=True)
    maker = _AddressMaker(rng)
    seen: dict[str, set[str]] = {kind: set() for kind in LIST_KINDS}
    ips = _spam_ips(rng)
    invalid_count = len(_INVALID_REASONS)
    records: list[SandboxRecord] = []
    append = records.append
    bounce_pool, block_pool = pools["bounces"], pools["blocks"]
    for position, kind in enumerate(kinds):
        email = tricky[position][1] if position in tricky else maker.make(kind)
        template: ReasonTemplate | None = None
        if kind == "bounces" or kind == "blocks":
            # Drawn right after the address, as before, so a seed gives the same records.
            pool = bounce_pool if kind == "bounces" else block_pool
            template = pool[int(rng.random() * len(pool))]
            if position not in tricky:
                email = template.recipient(email)
        lowered = email.lower()
        taken = seen[kind]
        if lowered in taken:
            local, _, domain = email.rpartition("@")
            suffix = 2
            while f"{local}{suffix}@{domain}".lower() in taken:
                suffix += 1
            email = f"{local}{suffix}@{domain}"
            lowered = email.lower()
        taken.add(lowered)
        created = created_values[position]
        if template is not None:
            append(SandboxRecord(kind, email, created, template.render(email), template.status))
        elif kind == "invalid_emails":
            reason = _INVALID_REASONS[int(rng.random() * invalid_count)]
            append(SandboxRecord(kind, email, created, reason))
        elif kind == "spam_reports":
            append(SandboxRecord(kind, email, created, ip=ips[int(rng.random() * len(ips))]))
        else:
            append(SandboxRecord(kind, email, created))
    return records


def generate_incident_blocks(
    count: int, seed: int, start: int, end: int, *, reasons_path: Path | None = None
) -> list[SandboxRecord]:
    """Blocks at one carrier within [start, end]: what a reputation incident looks like."""
    rng = random.Random(f"incident:{seed}:{start}")
    pool = [
        t
        for t in load_reason_templates(reasons_path)["blocks"]
        if t.label in {"blocked", "badreputation", "toomanyconn", "speeding"}
        and (not t.domains or "docomo.ne.jp" in t.domains)  # no other provider's reply at docomo
    ]
    maker = _AddressMaker(rng)
    records = []
    for number in range(count):
        local = maker.make("blocks").partition("@")[0]
        email = f"{local}.{number}@docomo.ne.jp"
        template = pool[int(rng.random() * len(pool))]
        created = start + int(rng.random() * (end - start + 1))
        records.append(
            SandboxRecord("blocks", email, created, template.render(email), template.status)
        )
    return records


# A record is a few hundred bytes; a crafted reason may be a few MB.
MAX_DATA_LINE_BYTES = 16 * 1024 * 1024


def load_records_jsonl(path: Path | str) -> list[SandboxRecord]:
    """Read ``{"list", "email", "created", "reason"?, "status"?, "ip"?}`` lines; blank lines skip.

    Raises ``ValueError`` naming the file and line for the first bad line.
    """
    from app.core.bounded_lines import text_lines

    source = Path(path)
    records: list[SandboxRecord] = []
    with source.open("rb") as handle:
        # Line by line with a ceiling: /dev/zero (one endless line) read until memory ran out.
        for read in text_lines(handle, MAX_DATA_LINE_BYTES):
            where = f"{source}:{read.number}"
            if read.problem_ja:
                raise ValueError(f"{source}: {read.problem_ja}")
            line = read.text
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except ValueError as error:
                raise ValueError(f"{where}: not valid JSON ({error})") from None
            except RecursionError:
                raise ValueError(f"{where}: JSON nested too deep") from None
            if not isinstance(item, dict):
                raise ValueError(f"{where}: expected a JSON object")
            records.append(_record_from(item, where))
    return records


def _record_from(item: dict[str, object], where: str) -> SandboxRecord:
    kind, email, created = item.get("list"), item.get("email"), item.get("created")
    if kind not in LIST_KINDS:
        raise ValueError(f"{where}: 'list' must be one of {', '.join(LIST_KINDS)}, got {kind!r}")
    if not isinstance(email, str) or "@" not in email:
        raise ValueError(f"{where}: 'email' must be an address, got {email!r}")
    if (
        isinstance(created, bool)
        or not isinstance(created, int | float)
        or (isinstance(created, float) and not math.isfinite(created))  # "Infinity", "NaN"
        or created < 0
    ):
        raise ValueError(f"{where}: 'created' must be Unix seconds, got {created!r}")
    texts = {}
    for name in ("reason", "status", "ip"):
        value = item.get(name, "")
        if not isinstance(value, str):
            raise ValueError(f"{where}: {name!r} must be a string, got {value!r}")
        texts[name] = value
    return SandboxRecord(str(kind), email, int(created), **texts)
