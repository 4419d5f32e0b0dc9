"""Public entry point: turn a suppression entry's reason into a Japanese Explanation, offline.

Order of decisions: the list kind first (spam reports and unsubscribes carry no reason), then the
ordered rules of resources/rules/ (host-specific, phrases, enhanced status codes, reply codes),
then 要確認 (``onhold``, or ``undefined`` when there is no text and no status). Results are
memoised on the normalised text, the status, the recipient's host group and the list kind.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TypeVar

from app.core.classify.hosts import domain_of, host_group
from app.core.classify.rules import (
    LEAD_MATCH,
    LEAD_START,
    RuleSet,
    extract_facts,
    lead_end,
    load_rules,
    normalise,
    trim_gsmtp,
)
from app.core.classify.vocabulary import (
    BLOCK_DELETE_JA,
    BLOCK_NOTE_JA,
    CATEGORY_LABELS_JA,
    NEEDS_REVIEW_REASONS,
    REASONS,
)
from app.core.types import Explanation, ListKind, SuppressionEntry

__all__ = ["CATEGORY_LABELS_JA", "Classifier", "default_rules_dir"]

_FIXED_BY_LIST = {
    ListKind.SPAM_REPORTS: "feedback",
    ListKind.UNSUBSCRIBES: "unsubscribed",
}
_ZERO_DIGITS = bytes.maketrans(b"0123456789", b"0000000000")
_Key = TypeVar("_Key")
_Value = TypeVar("_Value")


def raw_key(reason_text: str, email: str) -> tuple[str, bytes]:
    """Level-1 memo key, built with C-level string operations only (no regex pass).

    The recipient's own address is cut out and every digit after the leading codes is set to
    0. ``normalise()`` depends on nothing else (it masks addresses and keeps later digits only
    as 0), so texts with equal keys get equal canonical forms: the memo is exact.
    """
    if "@" in email and " " not in email:
        reason_text = reason_text.replace(email, "@")
    reason_text = trim_gsmtp(reason_text)
    end = lead_end(reason_text)
    # The lead travels raw; zeroing it inside the bytes too changes nothing and saves a slice.
    return reason_text[:end], reason_text.encode("utf-8", "surrogatepass").translate(_ZERO_DIGITS)


def default_rules_dir() -> Path:
    """resources/rules/ of a source checkout (app/paths.py may pass another dir when frozen)."""
    return Path(__file__).resolve().parents[3] / "resources" / "rules"


class Classifier:
    """Rule-based classifier with bounded memos (one instance may serve a whole fetch).

    Three memos, cheapest first: the level-1 key of ``raw_key()``; the canonical text of
    ``normalise()``; and, per canonical text, the first matching rule that needs no host, so
    the same text seen for several recipient host groups runs the regexes once. Each memo is
    a plain dict whose get/set are atomic in CPython, so sharing an instance between worker
    threads is safe (at worst two threads compute the same answer).
    """

    def __init__(self, rule_set: RuleSet, memo_size: int = 50_000) -> None:
        self._rules = rule_set
        self._memo_size = memo_size
        self._raw_memo: dict[tuple[object, ...], Explanation] = {}
        self._memo: dict[tuple[str, str, str, str], Explanation] = {}
        self._generic_memo: dict[tuple[str, str, str], int] = {}
        self._hosts: dict[str, str] = {}
        self._fixed_memo: dict[ListKind, Explanation] = {}

    @classmethod
    def load(cls, rules_dir: Path | None = None, memo_size: int = 50_000) -> Classifier:
        return cls(load_rules(rules_dir or default_rules_dir()), memo_size)

    @property
    def rule_set(self) -> RuleSet:
        return self._rules

    @property
    def memo_entries(self) -> int:
        """Distinct canonical keys remembered (for benchmarks and diagnostics)."""
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
        # Hot path: runs once per entry (up to millions), so it is written for speed.
        if list_kind is ListKind.SPAM_REPORTS or list_kind is ListKind.UNSUBSCRIBES:
            return self._fixed(list_kind)
        kind: str = list_kind or ""  # a StrEnum member is a str: no .value lookup needed
        reason_text = reason_text or ""
        status = status.strip() if status else ""
        host: str | None  # None only between the memo lookup and its fallback below
        host = ""
        if email:
            domain = email[email.rfind("@") + 1 :]
            host = self._hosts.get(domain)
            if host is None:
                host = host_group(domain_of(email)) if "@" in email else ""
                self._remember(self._hosts, domain, host)
        # raw_key() inlined: this line runs for every entry.
        text = reason_text.replace(email, "@") if "@" in email and " " not in email else reason_text
        if text.endswith(" - gsmtp"):
            text = trim_gsmtp(text)
        end = LEAD_MATCH(text).end() if text[:1] in LEAD_START else 0
        key1 = (
            text[:end], text.encode("utf-8", "surrogatepass").translate(_ZERO_DIGITS), status,
            host, kind,
        )  # fmt: skip
        cached = self._raw_memo.get(key1)
        if cached is not None:
            return cached
        text = normalise(reason_text)
        key2 = (text, status, host, kind)
        result = self._memo.get(key2)
        if result is None:
            result = self._classify_uncached(text, status, host, kind)
            self._remember(self._memo, key2, result)
        self._remember(self._raw_memo, key1, result)
        return result

    def classify_entries(self, entries: Iterable[SuppressionEntry]) -> list[Explanation]:
        """``classify_entry`` for many entries (a fetched page): same answers, less overhead.

        The memo lookup of ``classify`` is repeated here with everything bound to locals, since
        at a million entries the per-call cost of a method call is a third of the total.
        """
        results: list[Explanation] = []
        append = results.append
        raw_get = self._raw_memo.get
        hosts_get = self._hosts.get
        slow = self.classify
        lead_match, lead_start, zero = LEAD_MATCH, LEAD_START, _ZERO_DIGITS
        for entry in entries:
            kind = entry.list_kind
            email = entry.email
            reason = entry.reason or ""
            status = entry.status
            host = hosts_get(email[email.rfind("@") + 1 :]) if "@" in email else None
            if host is None or kind in _FIXED_BY_LIST or " " in email:
                append(slow(reason, status, email, kind))
                continue
            status = status.strip() if status else ""
            text = reason.replace(email, "@")
            if text.endswith(" - gsmtp"):
                text = trim_gsmtp(text)
            end = lead_match(text).end() if text[:1] in lead_start else 0
            cached = raw_get(
                (text[:end], text.encode("utf-8", "surrogatepass").translate(zero), status, host,
                 kind)
            )  # fmt: skip
            append(cached if cached is not None else slow(reason, status, email, kind))
        return results

    def _fixed(self, list_kind: ListKind) -> Explanation:
        cached = self._fixed_memo.get(list_kind)
        if cached is None:
            reason = _FIXED_BY_LIST[list_kind]
            kind = str(list_kind.value)
            cached = self._build(reason, "list:" + kind, "", "", "", "", kind, temporary=False)
            self._fixed_memo[list_kind] = cached
        return cached

    def _remember(self, memo: dict[_Key, _Value], key: _Key, value: _Value) -> None:
        if len(memo) >= self._memo_size:
            # Cheap bound: forget everything rather than track recency; refilling is fast.
            memo.clear()
        memo[key] = value

    def _classify_uncached(self, text: str, status: str, host: str, kind: str) -> Explanation:
        facts = extract_facts(text, status, host, kind)
        generic_key = (text, status, kind)
        index = self._generic_memo.get(generic_key)
        if index is None:
            index = self._rules.first_generic(facts)
            self._remember(self._generic_memo, generic_key, index)
        index = self._rules.first_for_host(facts, index)
        rules = self._rules.rules
        rule = rules[index] if index < len(rules) else None
        if rule is not None:
            return self._build(
                rule.reason, rule.id, rule.explanation_ja, rule.fix_ja, rule.delete_ja, host,
                kind, temporary=facts.temporary,
            )  # fmt: skip
        reason = "onhold" if text or status else "undefined"
        return self._build(reason, "", "", "", "", host, kind, temporary=facts.temporary)

    def _build(
        self,
        reason: str,
        rule_id: str,
        explanation_ja: str,
        fix_ja: str,
        delete_ja: str,
        host: str,
        kind: str,
        *,
        temporary: bool,
    ) -> Explanation:
        info = REASONS[reason]
        explanation = explanation_ja or info.explanation_ja
        fix = fix_ja or info.fix_ja
        for advice in self._rules.advice_for(host, reason):
            fix += advice.fix_ja
        if kind == ListKind.BLOCKS:
            explanation = BLOCK_NOTE_JA + explanation
            action = BLOCK_DELETE_JA + fix
        else:
            action = fix + (delete_ja or info.delete_ja)
        return Explanation(
            reason=reason,
            category=info.category,
            # A 4xx answer is never "the address is dead", whatever the words say.
            permanent=info.permanent and not temporary,
            label_ja=info.label_ja,
            explanation_ja=explanation,
            action_ja=action,
            source="rules",
            rule_id=rule_id,
            needs_review=reason in NEEDS_REVIEW_REASONS,
        )
