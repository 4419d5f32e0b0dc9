"""How one fetch's staged rows meet the stored ones, the same for every backend: a new row, a
row listed again, or a row seen again. The stores differ in how they write the three, not in
which row is which."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

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
