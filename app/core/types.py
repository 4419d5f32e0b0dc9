"""Frozen domain types that cross layers: list kinds, entries, date ranges, explanations.

What providers report back (fetch progress and results, permissions, delete outcomes) lives in
app/core/results.py: the window needs none of it before it appears.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum


class ListKind(StrEnum):
    """A SendGrid suppression list. The value is the list's path segment in the v3 API."""

    BOUNCES = "bounces"
    BLOCKS = "blocks"
    INVALID_EMAILS = "invalid_emails"
    SPAM_REPORTS = "spam_reports"
    UNSUBSCRIBES = "unsubscribes"

    @property
    def label_ja(self) -> str:
        return _LIST_LABELS_JA[self]

    @classmethod
    def parse(cls, text: str) -> ListKind:
        """Accept the API name (``bounces``) in any case; raise ``ValueError`` otherwise."""
        try:
            return cls(text.strip().lower())
        except ValueError:
            names = ", ".join(kind.value for kind in cls)
            raise ValueError(f"unknown list {text!r}; expected one of {names}") from None


_LIST_LABELS_JA = {
    ListKind.BOUNCES: "バウンス",
    ListKind.BLOCKS: "ブロック",
    ListKind.INVALID_EMAILS: "無効アドレス",
    ListKind.SPAM_REPORTS: "迷惑メール報告",
    ListKind.UNSUBSCRIBES: "配信停止",
}

ALL_LISTS: tuple[ListKind, ...] = tuple(ListKind)


class DeleteEffect(StrEnum):
    """What deleting an entry from its suppression list does (machine-readable advice).

    ``resend``: the cause was temporary; deleting lets SendGrid send to the address again.
    ``after_fix``: delete only after the cause (address, recipient settings, our sending
    setup or reputation) is fixed, or the next send fails the same way. ``no_effect``: a
    block is no suppression, SendGrid keeps trying anyway. ``harmful``: spam reports and
    unsubscribes; deleting without the recipient's consent resumes unwanted mail.
    """

    RESEND = "resend"
    AFTER_FIX = "after_fix"
    NO_EFFECT = "no_effect"
    HARMFUL = "harmful"


@dataclass(frozen=True, slots=True)
class SuppressionEntry:
    """One address on one suppression list, as the provider reported it.

    ``created`` is always timezone-aware (UTC from the provider; the UI shows JST).
    ``reason`` and ``status`` are untrusted text from remote mail servers.
    """

    list_kind: ListKind
    email: str
    created: datetime
    status: str = ""
    reason: str = ""
    ip: str = ""

    @property
    def domain(self) -> str:
        _, _, domain = self.email.rpartition("@")
        return domain.lower()

    @property
    def key(self) -> tuple[ListKind, str]:
        """Identity inside a fetch: addresses compare case-insensitively (SendGrid does not say)."""
        return (self.list_kind, self.email.lower())


@dataclass(frozen=True, slots=True)
class DateRange:
    """Calendar days chosen in Asia/Tokyo, both ends inclusive."""

    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@dataclass(frozen=True, slots=True)
class Explanation:
    """Why an entry is on its list and what to do, in Japanese.

    ``reason`` is a name from the vocabulary of bounce-reasons.md in lower case (``userunknown``,
    ``filtered``, ... ``onhold`` when nothing understood the text). ``category`` is the
    SendGrid-style classification (``Invalid Address``, ``Mailbox Unavailable``, ``Reputation``,
    ``Content``, ``Frequency or Volume Too High``, ``Technical Failure``, ``Unclassified``).
    ``source`` is ``rules`` or ``llm``. Every text here is plain text, never markup.
    ``permanent``: sending again later fails until someone changes something (the address, the
    recipient's settings, our sending setup or reputation); false when waiting alone can succeed
    (greylisting, rate limits, a full mailbox, an outage). ``delete_effect``: see DeleteEffect.
    """

    reason: str
    category: str
    permanent: bool
    label_ja: str
    explanation_ja: str
    action_ja: str
    source: str = "rules"
    rule_id: str = ""
    needs_review: bool = False  # 要確認: no rule understood the text
    delete_effect: DeleteEffect = DeleteEffect.AFTER_FIX
