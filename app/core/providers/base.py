"""The provider interface every mail service implements (SendGrid now; CMC, Infobip later)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Protocol

from app.core.cancel import CancelToken
from app.core.types import (
    DateRange,
    DeleteOutcome,
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

    Implementations are not shared across threads: each job builds its own (see STYLE §5.9).
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
