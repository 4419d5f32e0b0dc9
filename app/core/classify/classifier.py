"""Public entry point: turn a suppression entry's reason into a Japanese Explanation, offline.

Order of decisions: the list kind first (spam reports and unsubscribes carry no reason), then the
ordered rules of resources/rules/ (host-specific, phrases, enhanced status codes, reply codes),
then 要確認 (``onhold``, or ``undefined`` when there is no text and no status). Results are
memoised on the normalised text, the status, the recipient's host group and the list kind.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from pathlib import Path

from app.core.classify.explanations import ExplanationBuilder
from app.core.classify.facts import Facts, extract_facts, with_host
from app.core.classify.folding import fold_codes, trim_gsmtp, unfold_qmail_log
from app.core.classify.hosts import domain_of, host_group
from app.core.classify.memo import GenerationalMemo
from app.core.classify.memo_keys import RawKey, digit_key, loose_digits
from app.core.classify.normalise import canonical_ids
from app.core.classify.provider_ids import provider_id_spans, provider_ids
from app.core.classify.rule_set import RuleSet
from app.core.classify.rules import load_rules
from app.core.classify.vocabulary import (
    CATEGORY_LABELS_JA,
    asks_for_retry,
    unknown_text_hint,
)
from app.core.types import Explanation, ListKind, SuppressionEntry

__all__ = [
    "CATEGORY_LABELS_JA", "Classifier", "default_rules_dir", "digit_key", "loose_digits",
]  # fmt: skip

MATCH_CHARS = 3000  # how much of a reason the rules read
# ... and how long its normalised form may be: NFKC expands some characters up to 18-fold
# (U+FDFA), so 3,000 of them made a 54,000-character text and one classify took half a second.
# The margin keeps the stage tag canonical() appends to a wrapped reply of full length.
FORM_CHARS = MATCH_CHARS + 64
# Bounded like real addresses (RFC 5321 4.5.3.1: a local part of at most 64 octets, labels of
# at most 63): unbounded runs made findall quadratic, and "a" * 100_000 + "@" took 36 s.
_QUOTED = re.compile(r"[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63})+").findall
# qmail and its descendants (netqmail, notqmail, vpopmail) write the enhanced status code of
# their own messages at the end, in parentheses after "#": "Sorry, I couldn't find any host by
# that name. (#4.1.2)". Only the leading codes keep their digits in the canonical form, so this
# one is read here, as the status a bounce without a status field would have carried.
_QMAIL_CODE = re.compile(r"\(#([245]\.\d{1,3}\.\d{1,3})\)").search


def _canonical_head(head: str) -> tuple[str, bool]:
    """``canonical_ids`` of the head the rules read, cut to FORM_CHARS (NFKC may lengthen it)."""
    form, ids = canonical_ids(head)
    return form[:FORM_CHARS], ids


_FIXED_BY_LIST = {
    ListKind.SPAM_REPORTS: "feedback",
    ListKind.UNSUBSCRIBES: "unsubscribed",
}


def default_rules_dir() -> Path:
    """resources/rules/ of a source checkout (app/paths.py may pass another dir when frozen)."""
    return Path(__file__).resolve().parents[3] / "resources" / "rules"


def _files_state(rules_dir: Path) -> tuple[tuple[str, int, int], ...]:
    """Name, modification time and size of each rule file: a change to any of them reloads."""
    try:
        stats = [(path.name, path.stat()) for path in sorted(rules_dir.glob("*.toml"))]
        return tuple((name, stat.st_mtime_ns, stat.st_size) for name, stat in stats)
    except OSError:
        return ()  # load_rules reports the unreadable directory itself


@functools.lru_cache(maxsize=8)
def _rules_as_on_disk(rules_dir: Path, state: tuple[tuple[str, int, int], ...]) -> RuleSet:
    """Loading compiles ~2,000 patterns and the literal index (about half a second): done once
    per directory and file state. A RuleSet is immutable, so sharing it is safe."""
    del state  # part of the cache key only
    return load_rules(rules_dir)


class Classifier:
    """Rule-based classifier with bounded memos (one instance may serve a whole fetch).

    Four memos, cheapest first: the text itself (the recipient's address cut out); the key of
    ``digit_key()`` (later digits as 0); the canonical text of ``normalise()``; and, per
    canonical text, its codes and the first matching rule that needs no host, so the same text
    seen for several recipient host groups runs the regexes once. Each is a two-generation memo of
    plain dicts, whose get/set are atomic in CPython, so sharing an instance between worker
    threads is safe (at worst two threads compute the same answer).
    """

    def __init__(self, rule_set: RuleSet, memo_size: int = 50_000) -> None:
        self._rules = rule_set
        self._exact_memo: GenerationalMemo[tuple[str, str, str, str], Explanation]
        self._exact_memo = GenerationalMemo(memo_size)
        # Per digit key: the answer and the first text seen with it; None when the text holds
        # provider ids, whose digits then key the answer in the id memo.
        self._raw_memo: GenerationalMemo[RawKey, tuple[Explanation | None, str]]
        self._raw_memo = GenerationalMemo(memo_size)
        self._id_memo: GenerationalMemo[tuple[RawKey, tuple[str, ...]], tuple[Explanation, str]]
        self._id_memo = GenerationalMemo(memo_size)
        # Per lead and zeroed text (IPv4 addresses and hex ids written one way where safe, see
        # loose_digits): the canonical form of a text without provider ids.
        self._forms: GenerationalMemo[tuple[str, bytes], str] = GenerationalMemo(memo_size)
        # Per digit key of an ASCII text with ids: where they are (the same for the whole key).
        self._id_spans: GenerationalMemo[RawKey, tuple[tuple[int, int], ...]]
        self._id_spans = GenerationalMemo(memo_size)
        self._memo: GenerationalMemo[tuple[str, str, str, str], Explanation]
        self._memo = GenerationalMemo(memo_size)
        self._generic_memo: GenerationalMemo[tuple[str, str, str], tuple[int, Facts]]
        self._generic_memo = GenerationalMemo(memo_size)
        self._hosts: GenerationalMemo[str, str] = GenerationalMemo(memo_size)
        self._fixed_memo: dict[ListKind, Explanation] = {}
        # reason, texts, advice -> Explanation (one shared object per equal answer)
        self._build = ExplanationBuilder(rule_set).build

    @classmethod
    def load(cls, rules_dir: Path | None = None, memo_size: int = 50_000) -> Classifier:
        """A classifier with fresh memos over the rules of ``rules_dir``, read once per process
        while the files stay as they are: every window, account switch and fetch shares them."""
        directory = rules_dir or default_rules_dir()
        return cls(_rules_as_on_disk(directory, _files_state(directory)), memo_size)

    @property
    def rule_set(self) -> RuleSet:
        return self._rules

    @property
    def memo_entries(self) -> int:
        """Canonical keys remembered, at most twice the memo size (for benchmarks and tests)."""
        return len(self._memo)

    def classify_entry(self, entry: SuppressionEntry) -> Explanation:
        return self.classify(entry.reason, entry.status, entry.email, entry.list_kind)

    def classify(
        self,
        reason_text: str,
        status: str = "",
        email: str = "",
        list_kind: ListKind | None = None,
    ) -> Explanation:
        """Explain one entry. Never raises for any text; the text is only ever matched."""
        if list_kind is ListKind.SPAM_REPORTS or list_kind is ListKind.UNSUBSCRIBES:
            return self._fixed(list_kind)
        kind: str = list_kind or ""  # a StrEnum member is a str: no .value lookup needed
        reason_text = reason_text or ""
        status = status or ""
        if "@" in email:
            host = self._host(email)
            # The address is cut out (normalise() masks it anyway): equal keys, equal answers.
            # Not one with a space: "@" in its place would join two words into one token.
            text = reason_text if " " in email else reason_text.replace(email, "@")
        else:
            # No address given (a pasted reply): the recipient address the reply quotes still
            # names the receiving host group, as it would for the entry's own address.
            # Read in the head only, like the rules (MATCH_CHARS).
            head = reason_text[:MATCH_CHARS]
            quoted = _QUOTED(head) if "@" in head else []
            host = self._host(quoted[0]) if quoted else ""
            text = reason_text
        if text.endswith(" - gsmtp"):
            text = trim_gsmtp(text)
        return self._exact_memo.get((text, status, host, kind)) or self._classify_text(
            text, status, host, kind
        )

    def classify_entries(self, entries: Iterable[SuppressionEntry]) -> list[Explanation]:
        """``classify_entry`` for many entries (a fetched page): same answers, less overhead.

        The first memo lookup of ``classify`` is repeated here with everything bound to locals:
        at a million entries the cost of a method call per entry is a third of the total.
        """
        results: list[Explanation] = []
        append = results.append
        # Each page binds the current generations afresh; a stale one only costs a slower path.
        exact_get = self._exact_memo.current.get
        hosts_get = self._hosts.current.get
        slow = self.classify
        classify_text = self._classify_text
        for entry in entries:
            kind = entry.list_kind
            email = entry.email
            reason = entry.reason
            status = entry.status
            host = hosts_get(email[email.rfind("@") + 1 :]) if "@" in email else None
            if host is None or kind in _FIXED_BY_LIST or " " in email or reason is None:
                append(slow(reason, status, email, kind))
                continue
            text = reason.replace(email, "@")
            if text.endswith(" - gsmtp"):
                text = trim_gsmtp(text)
            append(exact_get((text, status, host, kind)) or classify_text(text, status, host, kind))
        return results

    def _host(self, email: str) -> str:
        domain = email[email.rfind("@") + 1 :]
        host = self._hosts.get(domain)
        if host is None:
            host = host_group(domain_of(email))
            self._hosts.put(domain, host)
        return host

    def _classify_text(self, text: str, status: str, host: str, kind: str) -> Explanation:
        """The memos behind the exact one, for ``text`` (address cut out, Gmail id trimmed).

        Next comes the memo on ``digit_key()``: texts that differ only in digits after the
        leading codes (IPs, sizes, times) share it. Only texts new to both pay for
        ``normalise()`` and, when the canonical text is new as well, for the rules. A text
        joins the exact memo only when it comes again after being the first one seen with its
        digit key: one that carries a fresh IP each time would fill it for nothing.
        """
        exact_key = (text, status, host, kind)
        exact = self._exact_memo
        result = exact.previous.get(exact_key)
        if result is not None:
            exact.put(exact_key, result)
            return result
        if "_" in text:
            text = unfold_qmail_log(text)
        stripped = status.strip()
        if not stripped and "(#" in text:
            found = _QMAIL_CODE(text, 0, MATCH_CHARS)
            stripped = found.group(1) if found else ""
        if not text.isascii():
            # Before both keys, so they read the same codes: "５５０ ５．７．１" has those of
            # "550 5.7.1". Only the head the rules read is folded (NFKC may expand 18-fold).
            text = fold_codes(text[:MATCH_CHARS])
        lead, digits = digit_key(text)
        key1 = (lead, digits, stripped, host, kind)
        raw = self._raw_memo
        seen = raw.current.get(key1) or raw.get(key1)  # the plain dict first: most texts hit
        if seen is not None:
            known, first_text = seen
            if known is not None:
                if text == first_text:
                    exact.put(exact_key, known)
                return known
        # Only the head is matched: real replies state their cause within a few hundred
        # characters, and a hostile 200 kB reason would otherwise cost seconds of regex scans.
        head = text[:MATCH_CHARS]
        if seen is not None:
            # A key whose texts hold provider ids ("OFR_416", "[TSS04]"): their digits are part
            # of the message, so they join the key.
            result, first_text = self._classify_with_ids(text, key1, self._ids(head, key1))
            if text == first_text:
                exact.put(exact_key, result)
            return result
        # The canonical form depends on the lead and the zeroed text alone (not on the status,
        # host group or list): one normalise() serves every recipient host group. IPv4
        # addresses of other lengths and other hex ids give another digit key but the same form,
        # so the key reads them one way where that is safe (see loose_digits).
        loose = (
            loose_digits(digits)
            if lead[:1] != "\1" and len(text) < MATCH_CHARS and text.isascii()
            else digits
        )
        form_key = (lead, loose)
        form = self._forms.get(form_key)
        if form is None:
            form, has_ids = _canonical_head(head)
            if not has_ids:  # a form with ids depends on their digits too
                self._forms.put(form_key, form)
        else:
            has_ids = False
        result = self._classify_form(form, stripped, host, kind)
        if has_ids:
            # Whether a text holds ids, and where, depends on its digit key alone: the mark
            # tells every later text with this key to add its ids.
            raw.put(key1, (None, ""))
            self._id_memo.put((key1, self._ids(head, key1)), (result, text))
        else:
            raw.put(key1, (result, text))
        return result

    def _ids(self, head: str, key1: RawKey) -> tuple[str, ...]:
        """The provider ids of ``head``, from the places memoised for its digit key."""
        if not head.isascii():
            return provider_ids(head)
        spans = self._id_spans.get(key1)
        if spans is None:  # a new key (or its places were dropped from the memo)
            spans = provider_id_spans(head)
            self._id_spans.put(key1, spans)
        return tuple([head[start:end] for start, end in spans])

    def _classify_with_ids(
        self, text: str, key1: RawKey, ids: tuple[str, ...]
    ) -> tuple[Explanation, str]:
        """A text whose provider ids decide: the digit key plus the ids' own digits.

        Texts with equal digit keys hold ids at the same places (``provider_ids`` reads digits
        only through [0-9]), so equal ids as well mean equal canonical forms. Returns the answer
        and the first text seen with the key, as the digit-key memo does.
        """
        key = (key1, ids)
        seen = self._id_memo.get(key)
        if seen is None:
            _, _, status, host, kind = key1
            form, _ = _canonical_head(text[:MATCH_CHARS])
            seen = (self._classify_form(form, status, host, kind), text)
            self._id_memo.put(key, seen)
        return seen

    def _classify_form(self, form: str, status: str, host: str, kind: str) -> Explanation:
        """The canonical text's memo, then the rules."""
        key2 = (form, status, host, kind)
        result = self._memo.get(key2)
        if result is None:
            result = self._classify_uncached(form, status, host, kind)
            self._memo.put(key2, result)
        return result

    def _fixed(self, list_kind: ListKind) -> Explanation:
        cached = self._fixed_memo.get(list_kind)
        if cached is None:
            reason = _FIXED_BY_LIST[list_kind]
            kind = str(list_kind.value)
            cached = self._build(reason, "list:" + kind, "", "", "", "", kind, temporary=False)
            self._fixed_memo[list_kind] = cached
        return cached

    def _classify_uncached(self, text: str, status: str, host: str, kind: str) -> Explanation:
        # The codes and words of a text (its Facts but the host group) and its first generic
        # rule are the same for every host group: found once per text, not once per group.
        generic_key = (text, status, kind)
        seen = self._generic_memo.get(generic_key)
        if seen is None:
            plain = extract_facts(text, status, "", kind)
            seen = (self._rules.first_generic(plain), plain)
            self._generic_memo.put(generic_key, seen)
        index, plain = seen
        facts = plain if not host else with_host(plain, host)
        index = self._rules.first_for_host(facts, index)
        rules = self._rules.rules
        rule = rules[index] if index < len(rules) else None
        if rule is not None:
            # A 4xx reply that itself says "try again later" is temporary even when the rule
            # knows such refusals usually last (a missing PTR record, a loop): the server says so.
            lasting = rule.lasting and not (facts.temporary and asks_for_retry(text))
            # A reputation verdict enforced as a rate limit ("IP reputation ratelimit in
            # effect") lets mail through more slowly: it is a rate limit, never permanent.
            throttled = facts.rate_limited and rule.reason == "badreputation"
            return self._build(
                rule.reason, rule.id, rule.explanation_ja, rule.fix_ja, rule.delete_ja, host,
                kind, temporary=facts.temporary or rule.temporary or throttled,
                passes=rule.temporary, lasting=lasting, label_ja=rule.label_ja,
            )  # fmt: skip
        if not text and not status:
            return self._build("undefined", "", "", "", "", host, kind, temporary=False)
        # 要確認, but say what the codes do tell: temporary or not, and whose side it is on.
        hint = unknown_text_hint(facts.code, facts.reply, text, status)
        return self._build(
            "onhold", "", hint.explanation_ja, hint.fix_ja, "", host, kind,
            temporary=facts.temporary or hint.temporary, known_permanent=hint.permanent,
        )  # fmt: skip
