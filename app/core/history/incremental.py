"""Fetch with memory: ask the provider only for what history does not hold yet, then merge.

The caller always gets the whole range, however it was fetched. History is a help, never a
condition: when it cannot be written (full disk, damaged file) the fetch result still comes
back, with the error attached for the status panel.
"""

from __future__ import annotations

import logging
from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from operator import itemgetter, lt
from typing import Any

from app.core.cancel import CancelToken
from app.core.classify import ClassifyFunction, explain_blocks_as_suppressions
from app.core.dates import unix_bounds
from app.core.history.entry_rows import EntryRows, Item
from app.core.providers.base import FetchProgressCallback, PageCallback, Provider
from app.core.providers.in_range import fetch_in_range
from app.core.storage.history.interface import (
    LIST_CODE,
    LIST_CODES,
    AccountKey,
    ConnectionSwitch,
    Coverage,
    Deletion,
    FetchSummary,
    FetchWrite,
    HistoryError,
    HistoryRows,
    HistoryStorage,
    StoredRow,
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
    """The whole range, merged from history and what the provider returned now.

    ``rows`` keeps the rows history held as stored tuples (decoded when indexed or iterated):
    the window fills its grid from it without building an object per row.
    """

    rows: EntryRows  # newest first: (created, address, list) descending
    explanations: tuple[Explanation | None, ...]  # index for index; None when not classified
    new_keys: frozenset[Key]  # 新着: (list, lower-cased address) not listed at the last fetch
    incremental: bool  # at least one list was asked only for its tail
    requests_made: int
    retries: int
    notes: tuple[str, ...] = ()
    summary: FetchSummary | None = None  # None when history was not written
    history_error: HistoryError | None = None  # shown to the operator; the entries are valid
    asked_from: dict[ListKind, int] = field(default_factory=dict)
    # Another API key or endpoint than the account's history was fetched with: that history
    # was set aside (and this connection's earlier one brought back, if any).
    connection_changed: bool = False

    @property
    def entries(self) -> EntryRows:
        """The rows as a sequence of entries (each decoded when read)."""
        return self.rows


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
    connection: str | None = None,
) -> HistoryFetch:
    """Fetch ``lists`` over ``date_range``; incremental where history covers it, unless ``full``.

    ``deletions`` are the journal's successful deletes for this account (see
    app.core.history.journal_link.journal_deletions): rows Todoku deleted leave the result
    without a full pass, and addresses that come back are recorded as 再発.
    ``on_page`` receives only what the provider returned now.
    ``make_tail_provider``, when given, serves the tail windows of an incremental fetch: a tail
    is a page or two, so a provider that pages one request at a time (SendGrid with
    ``max_concurrency=1``) sends no speculative request past the end and costs no time.
    ``connection`` is the stamp of the endpoint and credentials in use
    (app/core/history/connection_stamp.py; None in practice mode): history fetched with
    another one is set aside first, so this fetch is neither answered from it nor marks its
    rows 他所で削除.
    """
    kinds = tuple(dict.fromkeys(lists))
    range_start, range_end = unix_bounds(date_range)
    history_error: HistoryError | None = None
    coverage: dict[ListKind, Coverage] = {}
    notes: list[str] = []
    switch = ConnectionSwitch.SAME
    if store is not None and connection is not None:
        try:
            switch = store.use_connection(account, connection)
        except HistoryError as error:  # unknown whose rows these are: fetch without history
            history_error, store = error, None
        if switch.switched:
            notes.append(connection_switch_note(switch))
    if store is not None and not full:
        try:
            coverage = store.coverage(account, kinds)
        except HistoryError as error:
            history_error, store = error, None
    asked = plan_asks(coverage, kinds, range_start, range_end, full=full)
    incremental = any(start > range_start for start in asked.values())

    # Read even for a full pass: what history held decides which rows are 新着. The rows stay
    # stored tuples (no object per row: see entry_rows.py).
    old_rows: HistoryRows | None = None
    if store is not None:
        try:
            old_rows = store.open_range(account, range_start, range_end, kinds)
        except HistoryError as error:  # unreadable now: fall back to a full pass
            history_error, store, incremental = error, None, False
            asked = dict.fromkeys(kinds, range_start)

    fetched: list[SuppressionEntry] = []
    requests = retries = 0

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
            # Rows outside the range are never the range's: not shown, not recorded (one
            # from the future would also lift the high-water mark past what was fetched).
            result = fetch_in_range(
                provider,
                window,
                group,
                bounds=(range_start, range_end),
                progress=progress,
                on_page=keep_page,
                cancel=cancel,
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

    rows, explained, new_keys = merge_range(
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
                    connection=connection,
                )
            )
            if retention_days is not None:
                store.purge_older_than(fetched_at - timedelta(days=retention_days))
        except HistoryError as error:
            log.warning("history not written: %s", error)
            history_error = error
    return HistoryFetch(
        rows=rows,
        explanations=explained,
        new_keys=new_keys,
        incremental=incremental,
        requests_made=requests,
        retries=retries,
        notes=tuple(notes),
        summary=summary,
        history_error=history_error,
        asked_from=asked,
        connection_changed=switch.switched,
    )


def connection_switch_note(switch: ConnectionSwitch) -> str:
    """Why a fetch the operator expected to be 差分取得 asked for everything (or came back with
    another history): the key or the endpoint differs from the last fetch's."""
    if switch is ConnectionSwitch.RESTORED:
        return (
            "API キーまたは接続先が前回の取得と違うため、この接続で以前に取得した履歴に"
            "切り替えました（前回の接続の履歴も残しています）。"
        )
    return (
        "API キーまたは接続先が前回の取得と違うため、このアカウントの取得履歴を切り替えて"
        "全件を取得しました（前回の接続の履歴は消さずに残しています）。"
    )


def merge_range(
    old: HistoryRows | None,
    fetched: Sequence[SuppressionEntry],
    explanations: Sequence[Explanation] | None,
    asked: dict[ListKind, int],
    deletions: Sequence[Deletion],
    range_start: int,
    range_end: int,
) -> tuple[EntryRows, tuple[Explanation | None, ...], frozenset[Key]]:
    """The range as a full fetch would show it, built without a second request.

    Old rows survive unless their list's asked window covers them (the provider answered for
    that window: present rows were re-fetched, absent ones are gone), the provider returned
    their address again (a new listing moves ``created``), or the journal says Todoku deleted
    them after history last saw them. Surviving rows stay stored tuples: each step below is a
    C-level pass or touches only the few rows fetched now or deleted.
    """
    deleted_after: dict[Key, int] = {}
    for deletion in deletions:
        key = (deletion.list_kind, deletion.email.lower())
        at = int(deletion.deleted_at.timestamp())
        if at > deleted_after.get(key, -1):
            deleted_after[key] = at
    now: dict[Key, int] = {}  # the rows fetched now that fall in the range; the last one wins
    for index, entry in enumerate(fetched):
        if range_start <= int(entry.created.timestamp()) <= range_end:
            now[entry.key] = index

    kept: list[StoredRow] = []
    created: list[int] = []
    old_created: dict[Key, int] = {}  # of the old rows whose address was fetched now
    if old is not None and old.rows:
        kept = old.rows
        # Per list code, the first second the provider answered for (lists not asked have no
        # rows here: open_range read only the asked lists).
        cut = [asked.get(kind, range_end + 1) for kind in LIST_CODES]
        created = list(map(_CREATED, kept))
        if min(cut) <= max(created):
            kept = [row for row in kept if row[2] < cut[row[0]]]
        touched = {email for _, email in now} | {email for _, email in deleted_after}
        if touched:
            # The address test first (one lower() per row); the key only for the few hits.
            hits = [row for row in old.rows if row[1].lower() in touched]
            old_created = {(LIST_CODES[row[0]], row[1].lower()): row[2] for row in hits}
            dropped = {
                id(row)
                for row in hits
                if (key := (LIST_CODES[row[0]], row[1].lower())) in now
                or deleted_after.get(key, -1) >= row[7]
            }
            if dropped:
                kept = [row for row in kept if id(row) not in dropped]
        if kept is old.rows:
            kept = list(kept)  # sorted below: the store's list stays as it was read

    new_keys = frozenset(
        key
        for key, index in now.items()
        if old_created.get(key) != int(fetched[index].created.timestamp())
    )
    # Newest first, as the provider lists them: (created, address, list) descending. Built
    # ascending (stored rows sort in C by their tuple fields), the few fetched rows placed
    # by bisection, then reversed.
    # SQLite reads the range through its (account, created) index, so the rows usually come in
    # ascending ``created`` already: when strictly ascending (no tie to break) the order is
    # final, and a C-level check spares the sort (~0.1 s at 150k rows).
    if len(created) != len(kept):  # rows left out above
        created = list(map(_CREATED, kept))
    if not all(map(lt, created, created[1:])):
        kept.sort(key=_STORED_ORDER)
    # Keyed by explanation id; a row without one (None) gets None.
    known: dict[Any, Explanation] = old.explanations if old is not None else {}
    explanation_of = known.get
    items: list[Item] = []
    explained: list[Explanation | None] = []
    position = 0
    for order, index in sorted((_entry_order(fetched[index]), index) for index in now.values()):
        at = bisect_right(kept, order, lo=position, key=_STORED_ORDER)
        if at > position:
            part = kept[position:at]
            items.extend(part)
            explained.extend(map(explanation_of, map(_EXPLANATION_ID, part)))
            position = at
        items.append(fetched[index])
        explained.append(explanations[index] if explanations is not None else None)
    if position < len(kept):
        part = kept[position:] if position else kept
        items.extend(part)
        explained.extend(map(explanation_of, map(_EXPLANATION_ID, part)))
    items.reverse()
    explained.reverse()
    stored = len(kept)
    rows = EntryRows.adopt(items, old if stored else None, stored)
    return rows, tuple(explained), new_keys


_CREATED = itemgetter(2)
_EXPLANATION_ID = itemgetter(5)
_STORED_ORDER = itemgetter(2, 1, 0)  # (created, email, list code) of a stored row


def _entry_order(entry: SuppressionEntry) -> tuple[int, str, int]:
    """The same order key as a stored row's, for an entry built from a provider page."""
    return (int(entry.created.timestamp()), entry.email, LIST_CODE[entry.list_kind])
