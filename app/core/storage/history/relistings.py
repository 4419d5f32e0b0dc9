"""再発 (an address listed again after Todoku deleted it), worked out once for every backend:
the stores differ in how they write the rows, not in which rows there are."""

from __future__ import annotations

from datetime import datetime

from app.core.storage.history.interface import LIST_CODE, FetchWrite, reason_to_template
from app.core.storage.history.stored_rows import epoch_seconds

# (list code, email as listed, deleted at, listed again at (epoch seconds), reason template)
Relisting = tuple[int, str, int, int, str]


def relistings(write: FetchWrite) -> list[Relisting]:
    """Each journal deletion of an address this fetch saw on the same list, with the listing
    that followed it: the one the next deletion removed (the journal keeps its ``created`` and
    reason), or, for the last deletion, the listing this fetch saw. A listing not later than
    the deletion is no return."""
    by_key: dict[tuple[int, str], list[datetime]] = {}
    for deletion in write.deletions:
        key = (LIST_CODE[deletion.list_kind], deletion.email.lower())
        by_key.setdefault(key, []).append(deletion.deleted_at)
    if not by_key:
        return []
    journal_rows = {
        (LIST_CODE[d.list_kind], d.email.lower(), d.deleted_at): d for d in write.deletions
    }
    rows: list[Relisting] = []
    for entry in write.entries:
        key = (LIST_CODE[entry.list_kind], entry.email.lower())
        times = sorted(set(by_key.get(key, ())))
        for position, deleted_at in enumerate(times):
            if position + 1 < len(times):
                later = journal_rows[(*key, times[position + 1])]
                created, reason = later.created, later.reason
            else:
                created, reason = entry.created, entry.reason
            if created is None or created <= deleted_at:
                continue
            rows.append(
                (key[0], entry.email, epoch_seconds(deleted_at), epoch_seconds(created),
                 reason_to_template(reason, entry.email))
            )  # fmt: skip
    return rows
