"""The provider interface every mail service implements (SendGrid, CMC, Infobip, Amazon SES).

Optional capabilities are plain methods a provider may lack; read them through the helpers at
the end of this module (``deletion_mode``, ``deletion_guidance``) so older providers keep working.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Protocol

from app.core.cancel import CancelToken
from app.core.types import (
    DateRange,
    DeleteMode,
    DeleteOutcome,
    DeletionGuidance,
    FetchProgress,
    FetchResult,
    ListKind,
    ListPermissions,
    SuppressionEntry,
)

PageCallback = Callable[[tuple[SuppressionEntry, ...]], None]
FetchProgressCallback = Callable[[FetchProgress], None]
DeleteProgressCallback = Callable[[int, int], None]  # done, total


class Provider(Protocol):
    """A mail service whose suppression lists Todoku can read and clean.

    Implementations are not shared across threads: each job builds its own
    (docs/architecture.md, "Jobs and cancellation").
    Every failure is raised as a ``TodokuError`` subclass.
    """

    name: str

    def supported_lists(self) -> tuple[ListKind, ...]: ...

    def permissions(self) -> tuple[ListPermissions, ...]:
        """Which lists the configured key may read and delete."""
        ...

    def fetch(
        self,
        date_range: DateRange,
        lists: Iterable[ListKind],
        *,
        progress: FetchProgressCallback | None = None,
        on_page: PageCallback | None = None,
        cancel: CancelToken | None = None,
    ) -> FetchResult:
        """Every entry of ``lists`` created within ``date_range`` (JST, inclusive).

        ``on_page`` receives each page's *new* entries (already de-duplicated) as they arrive.
        """
        ...

    def delete(
        self,
        list_kind: ListKind,
        emails: Sequence[str],
        *,
        progress: DeleteProgressCallback | None = None,
        cancel: CancelToken | None = None,
    ) -> tuple[DeleteOutcome, ...]:
        """Remove ``emails`` from one list; one outcome per address, in input order."""
        ...

    def close(self) -> None: ...

    def __enter__(self) -> Provider: ...

    def __exit__(self, *exc: object) -> None: ...


class GuidedDeletion(Protocol):
    """A provider where some lists are cleaned by hand in its console (CMC blocks)."""

    def delete_mode(self, list_kind: ListKind) -> DeleteMode: ...

    def deletion_guidance(self, list_kind: ListKind, emails: Sequence[str]) -> DeletionGuidance: ...


def deletion_mode(provider: object, list_kind: ListKind) -> DeleteMode:
    """How ``provider`` removes addresses from ``list_kind``; ``API`` for providers that do not
    say (SendGrid), so existing providers need no change."""
    method = getattr(provider, "delete_mode", None)
    if method is None:
        return DeleteMode.API
    mode = method(list_kind)
    return mode if isinstance(mode, DeleteMode) else DeleteMode(mode)


def deletion_guidance(
    provider: object, list_kind: ListKind, emails: Sequence[str]
) -> DeletionGuidance | None:
    """The provider's hand-cleaning guide for ``emails``, or None when it deletes by API."""
    if deletion_mode(provider, list_kind) is not DeleteMode.GUIDANCE:
        return None
    guide: DeletionGuidance = provider.deletion_guidance(list_kind, emails)  # type: ignore[attr-defined]
    return guide
