"""再発: texts the grid, the details pane and the delete confirmation show for a returning address.

Data comes from ``HistoryStorage.recurrences(account, emails)`` (lower-cased address →
``Recurrence``); these functions only word it, in plain text (reasons are untrusted: never
markup).
"""

from __future__ import annotations

from app.core.dates import JST
from app.core.storage.history.interface import Recurrence, Return
from app.core.types import ListKind

REASON_PREVIEW = 120  # characters of each return's reason in the dialog


def grid_label(recurrence: Recurrence | None) -> str:
    """The 再発 column: ``再発 2`` or empty."""
    return f"再発 {recurrence.count}" if recurrence is not None and recurrence.count else ""


def _again(recurrence: Recurrence) -> str:
    kinds = {item.list_kind for item in recurrence.returns}
    if kinds <= {ListKind.BOUNCES}:
        return "再びバウンスしています"
    if len(kinds) == 1:
        return f"再び{next(iter(kinds)).label_ja}に載っています"
    return "再びリストに載っています"


def confirm_sentence(recurrence: Recurrence) -> str:
    """The delete confirmation's warning, e.g. 「このアドレスは過去 2 回削除し、そのたびに再び
    バウンスしています。削除しても届きません。」."""
    if recurrence.count == 1:
        return (
            f"このアドレスは過去 1 回削除しましたが、{_again(recurrence)}。削除しても届きません。"
        )
    return (
        f"このアドレスは過去 {recurrence.count} 回削除し、そのたびに{_again(recurrence)}。"
        "削除しても届きません。"
    )


def return_line(item: Return) -> str:
    """One return: when it was deleted, when it came back, and the reason it came back with."""
    deleted = item.deleted_at.astimezone(JST).strftime("%Y-%m-%d")
    back = item.returned_at.astimezone(JST).strftime("%Y-%m-%d")
    reason = " ".join(item.reason.split())
    if len(reason) > REASON_PREVIEW:
        reason = reason[: REASON_PREVIEW - 1] + "…"
    return (
        f"{deleted} に削除 → {back} に再登録（{item.list_kind.label_ja}）: {reason or '理由なし'}"
    )


def confirm_lines(recurrence: Recurrence) -> list[str]:
    """The sentence followed by one line per return (for the confirmation dialog)."""
    return [confirm_sentence(recurrence), *(return_line(item) for item in recurrence.returns)]


def details_line(recurrence: Recurrence) -> str:
    """The details pane: ``再発 2 回（最後の再登録 2026-11-20）``."""
    last = max(item.returned_at for item in recurrence.returns)
    return f"再発 {recurrence.count} 回（最後の再登録 {last.astimezone(JST):%Y-%m-%d}）"
