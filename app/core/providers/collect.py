"""De-duplicating entry collection shared by the non-SendGrid providers' fetches."""

from __future__ import annotations

from collections.abc import Iterable

from app.core.providers.base import FetchProgressCallback, PageCallback
from app.core.types import FetchProgress, ListKind, SuppressionEntry


class EntryCollector:
    """Keeps the first entry per (list, address), forwards each page's new entries and progress.

    Only the fetching thread touches it (page callbacks run there), so it needs no lock.
    Reasons repeat a lot across a fetch: one shared string per distinct text keeps grids small.
    """

    def __init__(
        self, on_page: PageCallback | None, progress: FetchProgressCallback | None
    ) -> None:
        self._on_page = on_page
        self._progress = progress
        self._interned: dict[str, str] = {}
        self.entries: dict[tuple[ListKind, str], SuppressionEntry] = {}
        self.pages: dict[ListKind, int] = {}

    def intern(self, text: str) -> str:
        return self._interned.setdefault(text, text)

    def add_page(self, kind: ListKind, entries: Iterable[SuppressionEntry]) -> None:
        fresh = []
        known = self.entries
        for entry in entries:
            key = (entry.list_kind, entry.email.lower())  # entry.key, without a property call
            if key not in known:
                known[key] = entry
                fresh.append(entry)
        self.pages[kind] = self.pages.get(kind, 0) + 1
        if fresh and self._on_page is not None:
            self._on_page(tuple(fresh))
        if self._progress is not None:
            self._progress(FetchProgress(kind, self.pages[kind], len(self.entries)))
