"""Columns of the entry grid: the Column enum and the text each cell shows."""

from __future__ import annotations

from enum import IntEnum

from app.core.classify.vocabulary import delete_effect_shown
from app.core.glossary import category_labels, permanence_label
from app.core.types import ALL_LISTS, DeleteEffect, Explanation, SuppressionEntry
from app.ui import texts
from app.ui.safe_text import single_line, tooltip_text

# Lists sort in the order the toolbar shows them, not alphabetically by their English value.
KIND_ORDER = {kind: position for position, kind in enumerate(ALL_LISTS)}


class Column(IntEnum):
    CHECK = 0
    KIND = 1
    EMAIL = 2
    DOMAIN = 3
    CREATED = 4
    STATUS = 5
    REASON = 6
    CAUSE = 7
    ACTION = 8
    CATEGORY = 9
    HISTORY = 10  # 新着 / 再発 (from the fetch history); last, so saved headers stay valid
    DELETE_EFFECT = 11  # 削除すると: what deleting the row does (shown beside 対応)


# Columns whose text and sort key come from the explanation, not the entry: the only ones an
# LLM refinement changes.
EXPLANATION_COLUMNS = frozenset(
    {Column.CAUSE, Column.ACTION, Column.CATEGORY, Column.DELETE_EFFECT}
)

# Columns with a tooltip (the full text the single-line cell cuts short).
TOOLTIP_COLUMNS = frozenset({Column.REASON, Column.CAUSE, Column.DELETE_EFFECT})

# From the glossary, as the classifier's own: the grid needs the names, not its rule vocabulary.
_CATEGORY_LABELS = category_labels()


def category_label(category: str) -> str:
    """The Japanese name of a classifier category (an unknown one shows as it is)."""
    return _CATEGORY_LABELS.get(category, category)


def display_text(
    entry: SuppressionEntry, explanation: Explanation | None, column: int
) -> str | None:
    """What ``column`` shows for one row (``None`` for the check column, which has no text).

    Remote text (address, domain, status, reason, and explanations that may quote it) is
    flattened to one line, its bidi controls written out (⟨U+202E⟩) and cut short, so a newline
    or tab in a bounce message cannot stretch or break the grid, a bidi override cannot make a
    cell lie, and a megabyte-long value is not elided again on every repaint. ``full_text`` gives
    the uncut value as it is (the clipboard).
    """
    if column == Column.CHECK:
        return None
    if column == Column.KIND:
        return entry.list_kind.label_ja
    if column == Column.EMAIL:
        return single_line(entry.email)
    if column == Column.DOMAIN:
        return single_line(entry.domain)
    if column == Column.CREATED:
        return texts.format_jst(entry.created)
    if column == Column.STATUS:
        return single_line(entry.status)
    if column == Column.REASON:
        return single_line(entry.reason)
    if column == Column.HISTORY:
        return ""  # the model answers from its marks (EntryStore.marks)
    if explanation is None:
        return texts.NOT_CLASSIFIED
    if column == Column.CAUSE:
        return single_line(explanation.explanation_ja)
    if column == Column.ACTION:
        return single_line(explanation.action_ja)
    if column == Column.DELETE_EFFECT:
        return delete_effect_shown(explanation)
    label = category_label(explanation.category)
    return f"{label}（{texts.NEEDS_REVIEW}）" if explanation.needs_review else label


def full_text(entry: SuppressionEntry, explanation: Explanation | None, column: int) -> str:
    """What ``column`` holds for one row, uncut (the clipboard); other columns as displayed.

    Line breaks and tabs are left in: the caller flattens them for its own format.
    """
    if column == Column.EMAIL:
        return entry.email
    if column == Column.DOMAIN:
        return entry.domain
    if column == Column.STATUS:
        return entry.status
    if column == Column.REASON:
        return entry.reason
    if explanation is not None and column == Column.CAUSE:
        return explanation.explanation_ja
    if explanation is not None and column == Column.ACTION:
        return explanation.action_ja
    return display_text(entry, explanation, column) or ""


def tooltip(entry: SuppressionEntry, explanation: Explanation | None, column: int) -> str | None:
    """The full text behind a cut-short cell, escaped: Qt renders tooltips as rich text."""
    if column == Column.REASON:
        return tooltip_text(entry.reason)
    if column == Column.CAUSE:
        return tooltip_text(explanation.explanation_ja if explanation else "")
    if column == Column.DELETE_EFFECT and explanation is not None:
        return tooltip_text(effect_summary(explanation))
    return None


def effect_summary(explanation: Explanation) -> str:
    """削除すると and 一時的 / 恒久的 in one line: the grid's tooltip and the details pane."""
    return texts.DELETE_EFFECT_SUMMARY.format(
        effect=delete_effect_shown(explanation),
        permanence=permanence_label(explanation.permanent),
        note=(
            texts.PERMANENCE_NOTE_CONSENT
            if explanation.delete_effect == DeleteEffect.HARMFUL
            else texts.PERMANENCE_NOTES[explanation.permanent]
        ),
    )
