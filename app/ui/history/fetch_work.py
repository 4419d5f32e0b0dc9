"""The window's fetch through history (runs as the fetch job, on a worker thread).

Everything the grid needs from history is gathered here, off the GUI thread: the whole range
(``fetch_with_history``), the 履歴 column's text per row (新着, 再発 n), the details pane's
再発 line, the 再発 records for the delete confirmation and the 他所で削除 rows of the range.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from app.core.errors import TodokuError
from app.core.types import DateRange, Explanation, ListKind, SuppressionEntry

if TYPE_CHECKING:
    from app.core.cancel import CancelToken
    from app.core.classify import ClassifyFunction
    from app.core.history.entry_rows import EntryRows
    from app.core.history.incremental import HistoryFetch
    from app.core.providers.base import FetchProgressCallback, Provider
    from app.core.storage.history import AccountKey, HistoryStorage, Recurrence
    from app.core.storage.journal_store import JournalStore
    from app.ui.history.session import HistorySession

NEW_MARK = "新着"
MARK_JOIN = "・"


@dataclass(frozen=True, slots=True)
class GoneRow:
    """An entry of the range no longer listed, noticed by a full pass (他所で削除)."""

    list_kind: ListKind
    email: str
    label_ja: str
    noticed_at: datetime


@dataclass(frozen=True, slots=True)
class HistoryFetchResult:
    """What the fetch job hands the window (``FetchController`` reads the first three)."""

    account: AccountKey
    fetch: HistoryFetch
    marks: dict[tuple[ListKind, str], str]
    notes: dict[str, str]
    recurrences: dict[str, Recurrence]
    gone: tuple[GoneRow, ...]
    notices: tuple[TodokuError, ...]  # history could not be written/read, file moved aside
    full: bool

    @property
    def entries(self) -> EntryRows:
        """The whole range; rows history held stay stored tuples until shown."""
        return self.fetch.rows

    @property
    def explanations(self) -> tuple[Explanation | None, ...]:
        return self.fetch.explanations

    @property
    def summary_ja(self) -> str:
        from app.ui.history import texts

        fetch = self.fetch
        how = texts.HOW_INCREMENTAL if fetch.incremental else texts.HOW_FULL
        line = texts.FETCH_DONE.format(entries=len(fetch.rows), how=how)
        if fetch.new_keys:
            line += texts.FETCH_NEW.format(new=len(fetch.new_keys))
        recurring = sum(1 for mark in self.marks.values() if "再発" in mark)
        if recurring:
            line += texts.FETCH_RECURRING.format(count=recurring)
        if self.full and self.gone:
            line += texts.FETCH_GONE.format(count=len(self.gone))
        return line


def row_marks(
    rows: EntryRows,
    new_keys: frozenset[tuple[ListKind, str]],
    recurrences: dict[str, Recurrence],
) -> tuple[dict[tuple[ListKind, str], str], dict[str, str]]:
    """The 履歴 column per row key and the details line per address."""
    from app.core.history.recurrence import details_line, grid_label

    marks: dict[tuple[ListKind, str], str] = {}
    for key in new_keys:
        marks[key] = NEW_MARK
    notes: dict[str, str] = {}
    labelled = {
        email: label
        for email, recurrence in recurrences.items()
        if (label := grid_label(recurrence))
    }
    if labelled:
        # Whole columns (no entry decoded per row), the address test before the key.
        for kind, email in zip(rows.list_kinds(), rows.emails(), strict=True):
            lower = email.lower()
            found = labelled.get(lower)
            if found is None:
                continue
            key = (kind, lower)
            marks[key] = f"{marks[key]}{MARK_JOIN}{found}" if key in marks else found
            notes[lower] = details_line(recurrences[lower])
    return marks, notes


def fetch_recording_history(
    session: HistorySession,
    make_provider: Callable[[], Provider],
    make_tail_provider: Callable[[], Provider] | None,
    account: AccountKey,
    date_range: DateRange,
    lists: tuple[ListKind, ...],
    classify: ClassifyFunction,
    journal: JournalStore | None,
    full: bool,
    retention_days: int,
    *,
    progress: FetchProgressCallback | None = None,
    on_page: Callable[..., None] | None = None,
    cancel: CancelToken | None = None,
    connection: Callable[[], str | None] | None = None,
) -> HistoryFetchResult:
    """Fetch through history (incremental where it covers the range, unless ``full``) and read
    back what the grid marks. History trouble never costs the fetch: it becomes a notice.
    ``connection`` gives the stamp of the endpoint and credentials in use (see
    ``fetch_with_history``)."""
    from app.core.dates import unix_bounds
    from app.core.history.incremental import connection_switch_note, fetch_with_history
    from app.core.history.journal_link import journal_deletions
    from app.core.storage.history import GoneBy, HistoryError

    store = session.open_for(account)
    notices: list[TodokuError] = list(session.take_notices())
    stamp = connection() if connection is not None and store is not None else None
    switch_note = ""
    if stamp is not None and store is not None:
        # Before deciding whether the pages may stream (a full pass): another connection's
        # history is set aside here, so this fetch is a full pass of the new one.
        try:
            switched = store.use_connection(account, stamp)
        except HistoryError as error:
            notices.append(error)
            store = None
        else:
            if switched.switched:
                switch_note = connection_switch_note(switched)
    deletions = journal_deletions(journal, account) if journal is not None and store else ()
    stream = None
    if on_page is not None and _full_pass(store, account, date_range, lists, full):
        stream = _classified_pages(on_page, classify)
    outcome = fetch_with_history(
        make_provider,
        store,
        account,
        date_range,
        lists,
        classify=classify,
        deletions=deletions,
        full=full,
        retention_days=retention_days,
        progress=progress,
        on_page=stream,
        cancel=cancel,
        make_tail_provider=make_tail_provider,
        connection=stamp,
    )
    if switch_note:  # set aside above, so fetch_with_history found its own history in place
        outcome = dataclasses.replace(
            outcome, notes=(switch_note, *outcome.notes), connection_changed=True
        )
    if outcome.history_error is not None:
        notices.append(outcome.history_error)
    recurrences: dict[str, Recurrence] = {}
    gone: tuple[GoneRow, ...] = ()
    if store is not None and outcome.history_error is None:
        try:
            # Every 再発 of the account (a short table), not a lookup of each address of the
            # range: 150k addresses cost ~0.3 s that way.
            recurrences = store.recurrences(account)
            start, end = unix_bounds(date_range)
            gone = tuple(
                sorted(
                    (
                        GoneRow(kind, email, by.label_ja, noticed)
                        for kind, email, by, noticed in store.gone_in_range(
                            account, start, end, lists
                        )
                        if by is GoneBy.ELSEWHERE
                    ),
                    key=lambda row: (row.noticed_at, row.email),
                    reverse=True,
                )
            )
        except HistoryError as error:
            notices.append(error)
    marks, notes = row_marks(outcome.rows, outcome.new_keys, recurrences)
    return HistoryFetchResult(
        account, outcome, marks, notes, recurrences, gone, tuple(notices), full
    )


def _full_pass(
    store: HistoryStorage | None,
    account: AccountKey,
    date_range: DateRange,
    lists: tuple[ListKind, ...],
    full: bool,
) -> bool:
    """Every list will be asked for the whole range (no history yet, or 全件再取得): its pages
    are the range, so the grid may show them as they come. An incremental fetch returns only
    the tail; its rows are inserted when the job ends, merged with history."""
    if full or store is None:
        return True
    from app.core.dates import unix_bounds
    from app.core.history.incremental import plan_asks
    from app.core.storage.history import HistoryError

    start, end = unix_bounds(date_range)
    try:
        asked = plan_asks(store.coverage(account, lists), lists, start, end, full=False)
    except HistoryError:
        return True  # fetch_with_history falls back to a full pass and says why
    return all(first == start for first in asked.values())


def _classified_pages(
    on_page: Callable[..., None], classify: ClassifyFunction
) -> Callable[[tuple[SuppressionEntry, ...]], None]:
    """Pages for the grid while a full pass runs (the classifier's memo makes the second
    pass over the same reasons at the end cheap)."""
    from app.core.services import ClassifiedPage

    def emit(page: tuple[SuppressionEntry, ...]) -> None:
        on_page(ClassifiedPage(page, tuple(classify(page))))

    return emit
