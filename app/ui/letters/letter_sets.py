"""The letters of a selection, once per kind the operator can pick (自動 + the four kinds).

Glue over the Qt-free core (``app.core.letters``): the dialog receives these sets ready-made,
so switching the kind is instant and the dialog never calls the core itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from app.core.letters import LetterKind, SenderFacts, TemplateSet, compose_letter
from app.core.letters.chooser import OVERRIDDEN_WHY_JA, group_as_kind, group_for_letters
from app.core.letters.compose import Letter
from app.core.types import Explanation, SuppressionEntry

Pairs = Sequence[tuple[SuppressionEntry, Explanation]]


@dataclass(frozen=True)
class LetterSet:
    """The letters for one kind choice; ``left_out``: (address, why) of entries without one."""

    letters: tuple[Letter, ...]
    left_out: tuple[tuple[str, str], ...] = ()
    overridden: bool = False  # some entry got a kind its cause does not call for


@dataclass(frozen=True)
class LetterChoices:
    """``sets[None]`` is the chooser's pick; ``sets[kind]`` forces one kind."""

    sets: dict[LetterKind | None, LetterSet]
    warnings_ja: tuple[str, ...] = field(default=())
    # Stored sender facts not put into the letters, and why (SenderFacts.left_out_ja).
    sender_left_out_ja: tuple[str, ...] = field(default=())


def compose_sets(
    pairs: Pairs, templates: TemplateSet, facts: SenderFacts, today: datetime
) -> LetterChoices:
    sets: dict[LetterKind | None, LetterSet] = {}
    groups, left_out = group_for_letters(pairs)
    sets[None] = LetterSet(
        tuple(compose_letter(g, templates, facts, today) for g in groups),
        tuple((item.entry.email, item.choice.why_ja) for item in left_out),
    )
    for kind in LetterKind:
        groups, left_out = group_as_kind(pairs, kind)
        overridden = any(
            item.choice.why_ja == OVERRIDDEN_WHY_JA for group in groups for item in group.items
        )
        sets[kind] = LetterSet(
            tuple(compose_letter(g, templates, facts, today) for g in groups),
            tuple((item.entry.email, item.choice.why_ja) for item in left_out),
            overridden,
        )
    return LetterChoices(sets, templates.warnings_ja, facts.left_out_ja)
