"""Which letter fits an entry, and which entries share one letter.

The choice reads two things the app already knows: the recipient's domain group (lg.jp, the
three carriers, free mail, anything else = an organisation) and the classifier's reason. It
never reads the bounce text itself. Entries share a letter when they go to the same recipient
side: one letter per recipient domain for a municipality or a company (one IT desk fixes all of
its addresses), one per address for consumers (each person changes their own settings).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from app.core.classify.hosts import CARRIER_GROUPS, host_group
from app.core.letters.templates import LetterKind
from app.core.letters.typos import suggest_address
from app.core.types import Explanation, ListKind, SuppressionEntry

MUNICIPAL = "municipal"
COMPANY = "company"
CARRIER = "carrier"
CONSUMER_MAILBOX_FULL = "consumer_mailbox_full"
CONSUMER_TYPO = "consumer_typo"

LETTER_KINDS: dict[str, LetterKind] = {
    MUNICIPAL: LetterKind.MUNICIPAL,
    COMPANY: LetterKind.COMPANY,
    CARRIER: LetterKind.CARRIER,
    CONSUMER_MAILBOX_FULL: LetterKind.CONSUMER,
    CONSUMER_TYPO: LetterKind.CONSUMER,
}

# The receiving side refused us by policy: its administrator (or the consumer's filter) can
# let us through. Reason names are the classifier's vocabulary.
_REFUSALS = frozenset(
    {
        "filtered",
        "rejected",
        "blocked",
        "badreputation",
        "authfailure",
        "requireptr",
        "spamdetected",
        "policyviolation",
        "securityerror",
        "contenterror",
        "notcompliantrfc",
        "virusdetected",
    }
)
# A municipal gateway (LGWAN relay) that does not know us answers with relay or unclassified
# refusals too; its IT desk is still the one to ask.
_MUNICIPAL_EXTRA = frozenset({"norelaying", "onhold", "undefined", "systemerror"})
# Unclassified carrier refusals may still be the reception filter: the 指定受信 letter costs the
# customer nothing. "userunknown" is not here: the classifier already reads a carrier's "User
# unknown" that is a filter as "filtered" (docomo before 2025-03-13, au and MVNOs without an
# echoed address; resources/rules/20-hosts.toml), so what stays "userunknown" means the address is
# gone, and asking its owner to change a setting would contradict the explanation beside it.
_CARRIER_EXTRA = frozenset({"onhold", "undefined"})
_FREE_MAIL_GROUPS = frozenset({"gmail", "microsoft", "yahoo", "yahoojp", "icloud"})
# The address (or its domain) is gone: no letter by mail can arrive, whoever runs the domain.
# Before, a gone Gmail address was told to review the sender's authentication and volume, and a
# gone carrier or municipal address only what it was not (「受信設定で解決する原因ではありません」).
_ADDRESS_GONE = frozenset({"userunknown", "hostunknown", "hasmoved", "notaccept"})
ADDRESS_GONE_WHY = (
    "宛先のアドレスが使われていないため、メールの連絡文は届きません。"
    "電話など別の手段で、正しいアドレスを確認してください。"
)


@dataclass(frozen=True, slots=True)
class Choice:
    """``letter_id`` is "" when no letter helps; ``why_ja`` says why in either case."""

    letter_id: str
    why_ja: str
    suggested_address: str = ""

    @property
    def kind(self) -> LetterKind | None:
        return LETTER_KINDS.get(self.letter_id)


def choose_letter(entry: SuppressionEntry, explanation: Explanation) -> Choice:
    """The letter for one entry, from its domain group and the classifier's reason."""
    if entry.list_kind in (ListKind.SPAM_REPORTS, ListKind.UNSUBSCRIBES):
        return Choice("", "受信者ご本人の意思による登録のため、連絡文はありません。")
    suggestion = suggest_address(entry.email)
    if suggestion:
        return Choice(
            CONSUMER_TYPO,
            f"ドメインが {suggestion.rpartition('@')[2]} の入力誤りのように見えます。",
            suggestion,
        )
    reason = explanation.reason
    group = host_group(entry.domain)
    if reason in _ADDRESS_GONE:
        return Choice("", ADDRESS_GONE_WHY)
    if reason == "mailboxfull":
        return Choice(CONSUMER_MAILBOX_FULL, "受信者の受信箱が満杯です。")
    if group == "lgjp":
        if reason in _REFUSALS | _MUNICIPAL_EXTRA or entry.list_kind is ListKind.BLOCKS:
            return Choice(MUNICIPAL, "自治体（lg.jp）のメールゲートウェイが受信を拒否しています。")
        return Choice("", "自治体の宛先ですが、受信許可で解決する原因ではありません。")
    if group in CARRIER_GROUPS:
        if reason in _REFUSALS or reason in _CARRIER_EXTRA:
            return Choice(
                CARRIER, "携帯電話会社の迷惑メール対策で受信されていない可能性があります。"
            )
        return Choice("", "携帯電話の宛先ですが、受信設定で解決する原因ではありません。")
    if group in _FREE_MAIL_GROUPS:
        return Choice(
            "",
            "フリーメールの宛先です。受信側の管理者に依頼する窓口はなく、"
            "送信側（送信ドメイン認証や配信量）の見直しが必要です。",
        )
    if reason in _REFUSALS or entry.list_kind is ListKind.BLOCKS:
        return Choice(COMPANY, "宛先の組織のメールサーバーが、方針により受信を拒否しています。")
    return Choice("", "受信側に依頼して解決する原因ではありません。")


@dataclass(frozen=True, slots=True)
class LetterItem:
    entry: SuppressionEntry
    explanation: Explanation
    choice: Choice


@dataclass(frozen=True, slots=True)
class LetterGroup:
    """Entries that one letter covers: same letter, same recipient side (``side``)."""

    letter_id: str
    side: str  # a recipient domain (municipal, company) or an address (consumers)
    items: tuple[LetterItem, ...]

    @property
    def kind(self) -> LetterKind:
        return LETTER_KINDS[self.letter_id]


def recipient_side(letter_id: str, entry: SuppressionEntry) -> str:
    if letter_id in (MUNICIPAL, COMPANY):
        return entry.domain
    return entry.email.lower()


def group_for_letters(
    pairs: Iterable[tuple[SuppressionEntry, Explanation]],
    kind: LetterKind | None = None,
) -> tuple[list[LetterGroup], list[LetterItem]]:
    """(groups in first-seen order, items no letter fits). ``kind`` keeps only that kind."""
    groups: dict[tuple[str, str], list[LetterItem]] = {}
    left_out: list[LetterItem] = []
    for entry, explanation in pairs:
        choice = choose_letter(entry, explanation)
        item = LetterItem(entry, explanation, choice)
        if not choice.letter_id or (kind is not None and choice.kind is not kind):
            left_out.append(item)
            continue
        key = (choice.letter_id, recipient_side(choice.letter_id, entry))
        items = groups.setdefault(key, [])
        if all(i.entry.key != entry.key for i in items):
            items.append(item)
    return [LetterGroup(lid, side, tuple(items)) for (lid, side), items in groups.items()], left_out


OVERRIDDEN_WHY_JA = "原因の判定とは別の種類が選ばれました。"


def _forced_letter_id(kind: LetterKind, choice: Choice, email: str) -> str:
    if choice.kind is kind:
        return choice.letter_id
    if kind is LetterKind.MUNICIPAL:
        return MUNICIPAL
    if kind is LetterKind.COMPANY:
        return COMPANY
    if kind is LetterKind.CARRIER:
        return CARRIER
    return CONSUMER_TYPO if suggest_address(email) else CONSUMER_MAILBOX_FULL


def group_as_kind(
    pairs: Iterable[tuple[SuppressionEntry, Explanation]], kind: LetterKind
) -> tuple[list[LetterGroup], list[LetterItem]]:
    """Like ``group_for_letters``, but every entry gets a letter of ``kind`` (the operator
    overrode the chooser). Spam reports and unsubscribes stay out: writing to someone who asked
    not to be mailed is never right. An item whose own choice differs keeps ``why_ja`` saying
    so, for the UI to warn."""
    groups: dict[tuple[str, str], list[LetterItem]] = {}
    left_out: list[LetterItem] = []
    for entry, explanation in pairs:
        choice = choose_letter(entry, explanation)
        if entry.list_kind in (ListKind.SPAM_REPORTS, ListKind.UNSUBSCRIBES):
            left_out.append(LetterItem(entry, explanation, choice))
            continue
        letter_id = _forced_letter_id(kind, choice, entry.email)
        if letter_id != choice.letter_id:
            suggestion = suggest_address(entry.email) if letter_id == CONSUMER_TYPO else ""
            choice = Choice(letter_id, OVERRIDDEN_WHY_JA, suggestion)
        key = (letter_id, recipient_side(letter_id, entry))
        items = groups.setdefault(key, [])
        if all(i.entry.key != entry.key for i in items):
            items.append(LetterItem(entry, explanation, choice))
    return [LetterGroup(lid, side, tuple(items)) for (lid, side), items in groups.items()], left_out
