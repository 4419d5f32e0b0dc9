"""What providers report back: fetch progress and results, list permissions, delete outcomes.

Frozen, like app/core/types.py, and apart from it so the window can appear without creating
these classes (a frozen dataclass costs ~0.3 ms to create).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from app.core.types import ListKind, SuppressionEntry


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
