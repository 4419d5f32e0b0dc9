"""How one fetch meets what is stored, the same for every backend: which staged row is new,
listed again or seen again, and how the fetched window joins the window already covered. The
stores differ in how they read and write, not in these decisions."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.core.storage.history.interface import LIST_CODE, FetchWrite
from app.core.storage.history.stored_rows import epoch_seconds
from app.core.types import ListKind

# Staged: (list code, email, created, domain id, status id, reason id, ip id, explanation id).
# Stored, by (list code, lower-cased email): (row id, created, gone_by).
Stored = dict[tuple[int, str], tuple[int, int, str | None]]


@dataclass
class MergePlan:
    """Parameter rows for the stores' INSERT and two UPDATE statements, in their column order."""

    inserts: list[tuple[Any, ...]] = field(default_factory=list)
    relisted: list[tuple[Any, ...]] = field(default_factory=list)
    seen: list[tuple[Any, ...]] = field(default_factory=list)


def plan_merge(
    staged: list[tuple[Any, ...]], stored: Stored, account_id: int, fetch_id: int, now: int
) -> MergePlan:
    plan = MergePlan()
    for code, email, created, domain_id, status_id, reason_id, ip_id, expl_id in staged:
        old = stored.get((code, email.lower()))
        if old is None:
            plan.inserts.append(
                (account_id, code, email, created, domain_id, status_id, reason_id, ip_id,
                 expl_id, now, now, fetch_id)
            )  # fmt: skip
        elif old[2] is not None or old[1] != created:
            # Back on the list, or listed anew (SendGrid moves ``created`` on a new bounce).
            plan.relisted.append(
                (email, created, domain_id, status_id, reason_id, ip_id, expl_id, now, fetch_id,
                 old[0])
            )  # fmt: skip
        else:
            plan.seen.append((status_id, reason_id, ip_id, expl_id, now, old[0]))
    return plan


def newest_created(write: FetchWrite) -> dict[int, int]:
    """Per list code, the newest ``created`` (epoch seconds) among the fetched entries."""
    newest: dict[int, int] = {}
    for entry in write.entries:
        code = LIST_CODE[entry.list_kind]
        newest[code] = max(newest.get(code, 0), epoch_seconds(entry.created))
    return newest


def joined_window(
    held: tuple[int, int, int] | None, write: FetchWrite, kind: ListKind, newest: dict[int, int]
) -> tuple[int, int, int]:
    """(start, end, high water) of the coverage after this fetch, from the stored one."""
    asked = write.asked_start.get(kind, write.range_start)
    start, end, high = write.range_start, write.range_end, write.range_start
    # Contiguous with what is held (asked from inside it): the windows join.
    if held is not None and held[0] <= asked <= held[1] + 1:
        start, end, high = min(held[0], start), max(held[1], end), max(held[2], high)
    return start, end, max(high, newest.get(LIST_CODE[kind], 0))
