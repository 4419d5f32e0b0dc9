"""Frozen domain types that cross layers: list kinds, entries, date ranges, explanations, and
what providers report back (fetch progress and results, permissions, delete outcomes)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import StrEnum

from app.core.glossary import list_label


class ListKind(StrEnum):
    """A SendGrid suppression list. The value is the list's path segment in the v3 API."""

    BOUNCES = "bounces"
    BLOCKS = "blocks"
    INVALID_EMAILS = "invalid_emails"
    SPAM_REPORTS = "spam_reports"
    UNSUBSCRIBES = "unsubscribes"

    @property
    def label_ja(self) -> str:
        return list_label(self.value)  # resources/glossary.toml

    @classmethod
    def parse(cls, text: str) -> ListKind:
        """Accept the API name (``bounces``) in any case; raise ``ValueError`` otherwise."""
        try:
            return cls(text.strip().lower())
        except ValueError:
            names = ", ".join(kind.value for kind in cls)
            raise ValueError(f"unknown list {text!r}; expected one of {names}") from None


ALL_LISTS: tuple[ListKind, ...] = tuple(ListKind)


# An entry whose creation time nobody told us (an address given alone, a global unsubscribe):
# kept as a sentinel so entries stay one type; the journal stores no date for it.
UNKNOWN_CREATED = datetime(1970, 1, 1, tzinfo=UTC)


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
class TimeWindow(DateRange):
    """A range narrowed to exact Unix seconds (both inclusive) inside its calendar days.

    An incremental fetch asks only for the tail of a range history already holds; a provider
    that turns ranges into bounds with ``app.core.dates.unix_bounds`` honours it unchanged.
    """

    start_time: int = 0
    end_time: int = 0


@dataclass(frozen=True, slots=True)
class Explanation:
    """Why an entry is on its list and what to do, in Japanese.

    ``reason`` is a name of the vocabulary in docs/bounce-reasons.md (``userunknown``,
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


class DeleteStatus(StrEnum):
    DELETED = "deleted"
    NOT_FOUND = "not_found"  # already gone: the goal (address not listed) holds
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class DeleteOutcome:
    """What happened to one address of a delete request."""

    list_kind: ListKind
    email: str
    status: DeleteStatus
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.status is not DeleteStatus.FAILED


@dataclass(frozen=True, slots=True)
class FetchProgress:
    """Progress of a fetch, reported after every page."""

    list_kind: ListKind
    pages_done: int
    entries_so_far: int  # over all lists of this fetch, after de-duplication


@dataclass(frozen=True, slots=True)
class ListPermissions:
    """What an API key may do with one list."""

    list_kind: ListKind
    can_read: bool
    can_delete: bool


@dataclass(frozen=True, slots=True)
class FetchResult:
    """Every entry of the requested lists and range, de-duplicated by (list, address)."""

    entries: tuple[SuppressionEntry, ...]
    requests_made: int = 0
    retries: int = 0
    notes: tuple[str, ...] = field(default=())


class DeleteMode(StrEnum):
    """How a provider removes an address from one list (see ``base.deletion_mode``)."""

    API = "api"  # ``Provider.delete`` sends the request
    GUIDANCE = "guidance"  # no confirmed API: ``deletion_guidance`` tells the operator the steps
    NONE = "none"  # the list is history (CMC bounces): nothing to remove


@dataclass(frozen=True, slots=True)
class DeletionGuidance:
    """Step-by-step Japanese instructions for removing addresses by hand in a provider's console.

    ``emails`` are the selected addresses, in the operator's order; every text is plain text.
    """

    provider: str
    list_kind: ListKind
    title_ja: str
    steps_ja: tuple[str, ...]
    emails: tuple[str, ...]
    notes_ja: tuple[str, ...] = ()

    def as_text(self) -> str:
        """The whole guide as plain text (for the CLI, the clipboard and a text file)."""
        lines = [self.title_ja, ""]
        lines += [f"{number}. {step}" for number, step in enumerate(self.steps_ja, start=1)]
        if self.notes_ja:
            lines.append("")
            lines += [f"※ {note}" for note in self.notes_ja]
        lines += ["", f"対象のアドレス（{len(self.emails)} 件）:"]
        lines += [f"  {email}" for email in self.emails]
        return "\n".join(lines)
