"""Offset paging for providers whose lists are read ``limit``/``offset`` page by page.

Every list is paged concurrently; a list keeps more pages in flight while they come back full.
Entries are de-duplicated by (list, address) across pages. Because deleting or adding entries
while we page shifts later pages, lists that look changed afterwards are read again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any

from app.core.cancel import CancelToken
from app.core.errors import UnexpectedPayloadError
from app.core.glossary import list_label
from app.core.providers.base import FetchProgressCallback, PageCallback
from app.core.types import FetchProgress, ListKind, SuppressionEntry

log = logging.getLogger(__name__)

MAX_VERIFY_PASSES = 3
MAX_REPEATED_PAGES = 2

# Reads the raw items of the page of ``kind`` starting at ``offset``.
ReadPage = Callable[[ListKind, int, CancelToken | None], list[Any]]
# Turns one raw item (whose address is ``email``) into an entry; ``page_note`` names the page.
ParseEntry = Callable[[ListKind, str, Any, str], SuppressionEntry]


def email_of(item: Any) -> str | None:
    email = item.get("email") if isinstance(item, dict) else None
    return email if isinstance(email, str) and email else None


@dataclass
class _ListScan:
    """Paging state of one list during a fetch."""

    kind: ListKind
    next_offset: int = 0
    end_offset: int | None = None  # offset of the first short page seen
    pages_done: int = 0
    in_flight: int = 0
    window: int = 1  # pages to keep in flight; doubles while pages come back full
    seen_duplicates: bool = False
    page_lengths: dict[int, int] = field(default_factory=dict)
    first_page: tuple[str, ...] = ()  # addresses of page 0, to notice changes at the head
    # hash of each full page's set of addresses -> its offset, to notice a server that ignores
    # offset (a hash, not the set: a million-row list has two thousand pages)
    page_at: dict[int, int] = field(default_factory=dict)
    repeated_pages: int = 0  # full pages holding the same addresses as another offset's page
    repeating: bool = False  # stopped for that: re-reading it would only repeat the same page

    def wants_more(self) -> bool:
        return self.end_offset is None or self.next_offset <= self.end_offset


@dataclass
class OffsetPager:
    """One fetch: page the lists, collect new entries, re-read lists that changed meanwhile.

    ``read_page`` runs on a private pool of ``concurrency`` threads; ``parse``, ``on_page`` and
    ``progress`` run on the thread that called ``fetch``.
    """

    read_page: ReadPage
    parse: ParseEntry
    page_limit: int
    concurrency: int
    progress: FetchProgressCallback | None = None
    on_page: PageCallback | None = None
    cancel: CancelToken | None = None
    collected: dict[tuple[ListKind, str], SuppressionEntry] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def fetch(self, kinds: Sequence[ListKind]) -> tuple[SuppressionEntry, ...]:
        scans = [_ListScan(kind) for kind in kinds]
        self._scan(scans)
        # Entries deleted (or added) by someone else while we paged shift later pages, so an
        # offset scan can skip addresses. Re-check the lists whose size looks different now.
        for verify_pass in range(MAX_VERIFY_PASSES):
            with ThreadPoolExecutor(self.concurrency, thread_name_prefix="page-check") as pool:
                changed = list(
                    pool.map(
                        lambda scan: (
                            not scan.repeating
                            and (scan.seen_duplicates or self._list_changed(scan))
                        ),
                        scans,
                    )
                )
            uncertain = [scan.kind for scan, moved in zip(scans, changed, strict=True) if moved]
            if not uncertain:
                break
            note = f"再確認 {verify_pass + 1} 回目: {', '.join(k.value for k in uncertain)}"
            log.info("lists changed while fetching; %s", note)
            self.notes.append(note)
            scans = [_ListScan(kind) for kind in uncertain]
            self._scan(scans)
        else:
            self.notes.append(
                "取得中にリストが変化し続けたため、一部が最新でない可能性があります。"
            )
        return tuple(self.collected.values())

    def _stop_if_repeating(self, scan: _ListScan, offset: int, items: list[Any]) -> None:
        """End a list whose server answers different offsets with the same full page.

        A server (or a proxy before it) that ignores ``offset`` answers every page with the
        first one, and the scan would never end. Pages are compared as sets of addresses: a
        database without ORDER BY gives the same rows in another order each time. Entries added
        or deleted while we page shift later pages by a few addresses, so two offsets never give
        the same full page in a list that pages correctly."""
        if len(items) < self.page_limit:
            return
        seen_at = scan.page_at.setdefault(hash(frozenset(_emails_of(items))), offset)
        if seen_at == offset:
            return
        scan.repeated_pages += 1
        if scan.repeated_pages < MAX_REPEATED_PAGES or scan.end_offset is not None:
            return
        scan.end_offset = offset
        scan.repeating = True
        log.warning(
            "%s: the same page came back for %d offsets; paging stopped",
            scan.kind.value,
            scan.repeated_pages + 1,
        )
        self.notes.append(
            f"{list_label(scan.kind.value)}: サーバーが同じ内容のページを返し続けたため、"
            "このリストの取得を途中で止めました。一覧は不完全な可能性があります"
            "（API の前にプロキシがある場合は、その設定も確認してください）。"
        )

    def _accept(self, kind: ListKind, items: list[Any], page_note: str) -> bool:
        """Keep the page's new entries; whether it held addresses seen before."""
        fresh: list[SuppressionEntry] = []
        duplicates = False
        for item in items:
            email = email_of(item)
            if email is None:
                raise UnexpectedPayloadError(
                    detail=f"{page_note}: item without email: {str(item)[:200]}"
                )
            key = (kind, email.lower())
            if key in self.collected:
                duplicates = True
                continue
            entry = self.parse(kind, email, item, page_note)
            self.collected[key] = entry
            fresh.append(entry)
        if fresh and self.on_page is not None:
            self.on_page(tuple(fresh))
        return duplicates

    def _scan(self, scans: list[_ListScan]) -> None:
        """Page every list concurrently; each list ramps up its window while pages are full."""
        pending: dict[Future[list[Any]], tuple[_ListScan, int]] = {}
        # Pages share a child token so a failed page stops its siblings without cancelling the
        # caller's token.
        outer = self.cancel
        cancel = outer.child() if outer is not None else CancelToken()
        with ThreadPoolExecutor(self.concurrency, thread_name_prefix="page") as pool:

            def submit_more() -> None:
                for scan in scans:
                    while (
                        scan.wants_more()
                        and scan.in_flight < scan.window
                        and len(pending) < self.concurrency
                    ):
                        offset = scan.next_offset
                        scan.next_offset += self.page_limit
                        scan.in_flight += 1
                        future = pool.submit(self.read_page, scan.kind, offset, cancel)
                        pending[future] = (scan, offset)

            try:
                submit_more()
                while pending:
                    done, _ = wait(pending, return_when=FIRST_COMPLETED)
                    arrived: list[tuple[_ListScan, int, list[Any]]] = []
                    for future in done:
                        scan, offset = pending.pop(future)
                        scan.in_flight -= 1
                        items = future.result()  # re-raises the page's TodokuError
                        scan.pages_done += 1
                        scan.page_lengths[offset] = len(items)
                        if offset == 0:
                            scan.first_page = _emails_of(items)
                        if len(items) < self.page_limit:
                            if scan.end_offset is None or offset < scan.end_offset:
                                scan.end_offset = offset
                        else:
                            scan.window = min(self.concurrency, scan.window * 2)
                        arrived.append((scan, offset, items))
                    # Send the next requests before parsing: the network keeps working while
                    # this thread turns JSON into entries.
                    submit_more()
                    for scan, offset, items in arrived:
                        scan.seen_duplicates |= self._accept(
                            scan.kind, items, f"{scan.kind.value}@{offset}"
                        )
                        self._stop_if_repeating(scan, offset, items)
                        if self.progress is not None:
                            self.progress(
                                FetchProgress(scan.kind, scan.pages_done, len(self.collected))
                            )
                    if outer is not None:
                        outer.raise_if_cancelled()
            except BaseException:
                cancel.cancel()  # stop the other pages quickly; they check it before sending
                for future in pending:
                    future.cancel()
                raise

    def _list_changed(self, scan: _ListScan) -> bool:
        """Re-read the first and the last page: if either differs, the list changed meanwhile.

        Deleting an entry shifts every later page by one, so the last page notices deletions made
        after it was read, and the first page notices deletions among the newest entries (where
        other operators and bounce purges act). A deletion in the middle of a long list between
        two page reads can still go unnoticed; a full second pass would be needed for that.
        """
        if scan.end_offset is None:
            return False
        if scan.end_offset == 0:
            # The whole list came in one answer (a short first page): no offset could move
            # between two reads, so nothing was skipped. A re-read would only notice entries
            # added or removed after that answer, which any fetch misses. (This keeps the tail
            # of an incremental fetch at one request per list.)
            return False
        expected = scan.page_lengths.get(scan.end_offset, 0)
        items = self.read_page(scan.kind, scan.end_offset, self.cancel)
        if len(items) != expected:
            return True
        head = self.read_page(scan.kind, 0, self.cancel)
        # The same addresses in another order is no change: nothing was skipped.
        return frozenset(_emails_of(head)) != frozenset(scan.first_page)


def _emails_of(items: list[Any]) -> tuple[str, ...]:
    return tuple(str(item.get("email", "")) for item in items if isinstance(item, dict))
