"""A fetch that keeps only the rows of the range it asked for, whatever the server sent.

Every provider turns the range into its own query (SendGrid ``start_time``/``end_time``, SES
``StartDate``/``EndDate``, …) and trusts the server to honour it. A broken or hostile server
(or a proxy replaying another answer) may not: then rows of 2020 or of the year 1 arrived as
the period's rows, written out by ``fetch --no-history`` and shown in the grid, while the same
fetch through history read the range back from the store and showed only the period. Here a
row is kept only when its ``created`` lies inside the bounds, on every path alike, and a note
says how many were left out (the operator sees the server misbehaved).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from app.core.cancel import CancelToken
from app.core.dates import unix_bounds
from app.core.providers.base import FetchProgressCallback, PageCallback, Provider
from app.core.types import DateRange, FetchResult, ListKind, SuppressionEntry

log = logging.getLogger(__name__)

OUTSIDE_NOTE = (
    "指定した期間の外の日時のエントリが {count} 件返されたため、一覧に入れていません"
    "（接続先が期間の指定を守っていません）。"
)


def within(
    entries: Iterable[SuppressionEntry], start: int, end: int
) -> tuple[SuppressionEntry, ...]:
    """The entries created from ``start`` to ``end`` (Unix seconds, both inclusive)."""
    return tuple(e for e in entries if start <= int(e.created.timestamp()) <= end)


def fetch_in_range(
    provider: Provider,
    date_range: DateRange,
    lists: Iterable[ListKind],
    *,
    bounds: tuple[int, int] | None = None,
    progress: FetchProgressCallback | None = None,
    on_page: PageCallback | None = None,
    cancel: CancelToken | None = None,
) -> FetchResult:
    """``provider.fetch(date_range, lists, …)`` without the rows created outside ``bounds``
    (default: the range's own, ``unix_bounds(date_range)``), on the pages and in the result.

    A tail fetch of history passes the whole range's bounds: rows of the range before the
    tail are the range's all the same.
    """
    start, end = bounds if bounds is not None else unix_bounds(date_range)

    def keep_page(page: tuple[SuppressionEntry, ...]) -> None:
        if on_page is None:
            return
        kept = within(page, start, end)
        if kept or not page:  # a page of nothing but strays is not passed on
            on_page(kept)

    result = provider.fetch(
        date_range, tuple(lists), progress=progress, on_page=keep_page, cancel=cancel
    )
    kept = within(result.entries, start, end)
    outside = len(result.entries) - len(kept)
    if not outside:
        return result
    log.warning(
        "%s returned %d entries outside %d..%d: left out", provider.name, outside, start, end
    )
    return FetchResult(
        entries=kept,
        requests_made=result.requests_made,
        retries=result.retries,
        notes=(*result.notes, OUTSIDE_NOTE.format(count=outside)),
    )
