"""Fetch with memory: ask the provider only for what history does not hold yet, then merge.

The caller always gets the whole range, however it was fetched. History is a help, never a
condition: when it cannot be written (full disk, damaged file) the fetch result still comes
back, with the error attached for the status panel.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from app.core.cancel import CancelToken
from app.core.classify import ClassifyFunction, explain_blocks_as_suppressions
from app.core.dates import unix_bounds
from app.core.providers.base import FetchProgressCallback, PageCallback, Provider
from app.core.storage.history.interface import (
    AccountKey,
    Coverage,
    Deletion,
    FetchSummary,
    FetchWrite,
    HistoryError,
    HistoryStorage,
)
from app.core.types import DateRange, Explanation, ListKind, SuppressionEntry, TimeWindow

log = logging.getLogger(__name__)

# Entries are re-asked for this far behind the newest ``created`` history holds: the server's
# clock, late writes (an entry stamped a little before it becomes visible) and several writers
# can put a "new" entry slightly behind the last one we saw.
OVERLAP_S = 15 * 60
DEFAULT_RETENTION_DAYS = 400

Key = tuple[ListKind, str]


@dataclass(frozen=True, slots=True)
class HistoryFetch:
    """The whole range, merged from history and what the provider returned now."""

    entries: tuple[SuppressionEntry, ...]
    explanations: tuple[Explanation | None, ...]  # index for index; None when not classified
    new_keys: frozenset[Key]  # 新着: (list, lower-cased address) not listed at the last fetch
    incremental: bool  # at least one list was asked only for its tail
    requests_made: int
    retries: int
    notes: tuple[str, ...] = ()
    summary: FetchSummary | None = None  # None when history was not written
    history_error: HistoryError | None = None  # shown to the operator; the entries are valid
    asked_from: dict[ListKind, int] = field(default_factory=dict)


def plan_asks(
    coverage: dict[ListKind, Coverage],
    lists: Sequence[ListKind],
    range_start: int,
    range_end: int,
    *,
    full: bool,
) -> dict[ListKind, int]:
    """Per list, the first second to ask the provider for (``range_start`` = the whole range)."""
    asked: dict[ListKind, int] = {}
    for kind in lists:
        held = coverage.get(kind)
        if full or held is None or held.start_time > range_start or held.end_time < range_start:
            asked[kind] = range_start
        else:
            asked[kind] = min(range_end, max(range_start, held.high_water - OVERLAP_S))
    return asked


def fetch_with_history(
    make_provider: Callable[[], Provider],
    store: HistoryStorage | None,
    account: AccountKey,
    date_range: DateRange,
    lists: Iterable[ListKind],
    *,
    classify: ClassifyFunction | None = None,
    deletions: Sequence[Deletion] = (),
    full: bool = False,
    retention_days: int | None = DEFAULT_RETENTION_DAYS,
    progress: FetchProgressCallback | None = None,
    on_page: PageCallback | None = None,
    cancel: CancelToken | None = None,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    make_tail_provider: Callable[[], Provider] | None = None,
) -> HistoryFetch:
    """Fetch ``lists`` over ``date_range``; incremental where history covers it, unless ``full``.

    ``deletions`` are the journal's successful deletes for this account (see
    app.core.history.journal_link.journal_deletions): rows Todoku deleted leave the result
    without a full pass, and addresses that come back are recorded as 再発.
    ``on_page`` receives only what the provider returned now.
    ``make_tail_provider``, when given, serves the tail windows of an incremental fetch: a tail
    is a page or two, so a provider that pages one request at a time (SendGrid with
    ``max_concurrency=1``) sends no speculative request past the end and costs no time.
    """
    kinds = tuple(dict.fromkeys(lists))
    range_start, range_end = unix_bounds(date_range)
    history_error: HistoryError | None = None
    coverage: dict[ListKind, Coverage] = {}
    if store is not None and not full:
        try:
            coverage = store.coverage(account, kinds)
        except HistoryError as error:
            history_error, store = error, None
    asked = plan_asks(coverage, kinds, range_start, range_end, full=full)
    incremental = any(start > range_start for start in asked.values())

    # Read even for a full pass: what history held decides which rows are 新着.
    old_rows: dict[Key, tuple[SuppressionEntry, Explanation | None, datetime]] = {}
    if store is not None:
        try:
            rows = store.open_range(account, range_start, range_end, kinds)
            for index in range(len(rows)):
                entry = rows.entry(index)
                old_rows[entry.key] = (entry, rows.explanation(index), rows.last_seen(index))
        except HistoryError as error:  # unreadable now: fall back to a full pass
            history_error, store, incremental = error, None, False
            asked = dict.fromkeys(kinds, range_start)
            old_rows = {}

    fetched: list[SuppressionEntry] = []
    requests = retries = 0
    notes: list[str] = []

    def keep_page(page: tuple[SuppressionEntry, ...]) -> None:
        fetched.extend(page)
        if on_page is not None:
            on_page(page)

    blocks_suppress = False
    groups: dict[int, list[ListKind]] = {}
    for kind, start in asked.items():
        groups.setdefault(start, []).append(kind)
    for start, group in groups.items():
        window: DateRange = date_range
        factory = make_provider
        if start > range_start:
            window = TimeWindow(date_range.start, date_range.end, start, range_end)
            factory = make_tail_provider or make_provider
        provider = factory()
        blocks_suppress = blocks_suppress or bool(getattr(provider, "blocks_suppress", False))
        try:
            result = provider.fetch(
                window, tuple(group), progress=progress, on_page=keep_page, cancel=cancel
            )
        finally:
            provider.close()
        requests += result.requests_made
        retries += result.retries
        notes.extend(result.notes)
    fetched_at = clock()

    explanations: list[Explanation] | None = None
    if classify is not None:
        if blocks_suppress:
            classify = explain_blocks_as_suppressions(classify)
        explanations = []
        for first in range(0, len(fetched), 500):
            if cancel is not None:
                cancel.raise_if_cancelled()
            explanations.extend(classify(fetched[first : first + 500]))

    entries, explained, new_keys = _merge(
        old_rows, fetched, explanations, asked, deletions, range_start, range_end
    )

    summary: FetchSummary | None = None
    if store is not None:
        try:
            summary = store.record_fetch(
                FetchWrite(
                    account=account,
                    lists=kinds,
                    range_start=range_start,
                    range_end=range_end,
                    asked_start=asked,
                    full=not incremental,
                    fetched_at=fetched_at,
                    entries=fetched,
                    explanations=explanations,
                    deletions=deletions,
                    requests=requests,
                )
            )
            if retention_days is not None:
                store.purge_older_than(fetched_at - timedelta(days=retention_days))
        except HistoryError as error:
            log.warning("history not written: %s", error)
            history_error = error
    return HistoryFetch(
        entries=entries,
        explanations=explained,
        new_keys=new_keys,
        incremental=incremental,
        requests_made=requests,
        retries=retries,
        notes=tuple(notes),
        summary=summary,
        history_error=history_error,
        asked_from=asked,
    )


def _merge(
    old_rows: dict[Key, tuple[SuppressionEntry, Explanation | None, datetime]],
    fetched: Sequence[SuppressionEntry],
    explanations: Sequence[Explanation] | None,
    asked: dict[ListKind, int],
    deletions: Sequence[Deletion],
    range_start: int,
    range_end: int,
) -> tuple[tuple[SuppressionEntry, ...], tuple[Explanation | None, ...], frozenset[Key]]:
    """The range as a full fetch would show it, built without a second request.

    Old rows survive unless their list's asked window covers them (the provider answered for
    that window: present rows were re-fetched, absent ones are gone) or the journal says Todoku
    deleted them after history last saw them.
    """
    deleted_after: dict[Key, datetime] = {}
    for deletion in deletions:
        key = (deletion.list_kind, deletion.email.lower())
        if key not in deleted_after or deletion.deleted_at > deleted_after[key]:
            deleted_after[key] = deletion.deleted_at
    merged: dict[Key, tuple[SuppressionEntry, Explanation | None]] = {}
    for key, (entry, explanation, last_seen) in old_rows.items():
        if int(entry.created.timestamp()) >= asked.get(entry.list_kind, range_start):
            continue
        deleted = deleted_after.get(key)
        if deleted is not None and deleted >= last_seen:
            continue
        merged[key] = (entry, explanation)
    new_keys: set[Key] = set()
    for index, entry in enumerate(fetched):
        if not range_start <= int(entry.created.timestamp()) <= range_end:
            continue
        key = entry.key
        before = old_rows.get(key)
        if before is None or before[0].created != entry.created:
            new_keys.add(key)
        merged[key] = (entry, explanations[index] if explanations is not None else None)
    ordered = sorted(
        merged.values(), key=lambda pair: (pair[0].created, pair[0].email), reverse=True
    )
    return (
        tuple(pair[0] for pair in ordered),
        tuple(pair[1] for pair in ordered),
        frozenset(new_keys),
    )
