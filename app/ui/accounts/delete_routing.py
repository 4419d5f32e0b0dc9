"""Which checked rows go to the usual deletion and which get the provider's hand-cleaning guide.

Qt-free: ``split_by_mode`` sorts the rows by ``DeleteMode`` (API / GUIDANCE / NONE) per list.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from app.core.types import DeleteMode, Explanation, ListKind, SuppressionEntry

Item = tuple[SuppressionEntry, Explanation | None]


@dataclass
class DeletionSplit:
    """``api``: rows for the usual confirmation and delete; ``guided``: addresses per list the
    operator removes in the provider's console; ``history``: rows per list nothing removes."""

    api: list[Item] = field(default_factory=list)
    guided: dict[ListKind, list[str]] = field(default_factory=dict)
    history: dict[ListKind, int] = field(default_factory=dict)


def split_by_mode(
    items: Iterable[Item], mode_of: Callable[[ListKind], DeleteMode]
) -> DeletionSplit:
    split = DeletionSplit()
    modes: dict[ListKind, DeleteMode] = {}
    for item in items:
        kind = item[0].list_kind
        mode = modes.setdefault(kind, mode_of(kind))
        if mode is DeleteMode.API:
            split.api.append(item)
        elif mode is DeleteMode.GUIDANCE:
            split.guided.setdefault(kind, []).append(item[0].email)
        else:
            split.history[kind] = split.history.get(kind, 0) + 1
    return split
