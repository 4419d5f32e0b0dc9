"""Rows of a fetch that stopped before its end (cancelled, or an error): the grid holds the
pages that had come in, so an export of it is part of the range and lists, not all of it. The
file must say so to whoever reads it later, and say what the rows do cover."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime

from app.core.dates import JST
from app.core.types import ListKind

STATE_LABEL = "取得の状態"
COVERAGE_LABEL = "取得できた行"
NOTE_LABEL = "注意"


@dataclass(frozen=True, slots=True)
class ListCoverage:
    """The rows one list has in the export's source (the whole grid): how many, and the first
    and last JST day among them (None without rows)."""

    list_kind: ListKind
    rows: int
    first_day: date | None = None
    last_day: date | None = None


@dataclass(frozen=True, slots=True)
class IncompleteFetch:
    """The fetch behind the rows did not finish. ``error_ja`` is the error's message when it
    failed ('' when the operator cancelled it); ``coverage`` what the rows cover, list by list
    (filled in by the export job, which reads every row)."""

    cancelled: bool
    error_ja: str = ""
    coverage: tuple[ListCoverage, ...] = ()

    def with_coverage(self, coverage: tuple[ListCoverage, ...]) -> IncompleteFetch:
        return replace(self, coverage=coverage)


def coverage_of(
    lists: Sequence[ListKind], kinds: Sequence[ListKind], created_seconds: Sequence[int]
) -> tuple[ListCoverage, ...]:
    """Per list of ``lists`` (the ones asked for, then any other found): rows and JST day span,
    from the rows' parallel columns (list and Unix seconds of ``created``)."""
    counts: dict[ListKind, int] = {}
    first: dict[ListKind, int] = {}
    last: dict[ListKind, int] = {}
    for kind, seconds in zip(kinds, created_seconds, strict=True):
        counts[kind] = counts.get(kind, 0) + 1
        if seconds < first.get(kind, seconds + 1):
            first[kind] = seconds
        if seconds > last.get(kind, seconds - 1):
            last[kind] = seconds
    ordered = list(dict.fromkeys([*lists, *counts]))
    return tuple(
        ListCoverage(
            kind,
            counts.get(kind, 0),
            _jst_day(first[kind]) if kind in first else None,
            _jst_day(last[kind]) if kind in last else None,
        )
        for kind in ordered
    )


def _jst_day(seconds: int) -> date:
    return datetime.fromtimestamp(seconds, tz=UTC).astimezone(JST).date()


def state_text(incomplete: IncompleteFetch) -> str:
    """Short: the 取得の状態 item of the 条件 sheet."""
    if incomplete.cancelled:
        return "途中まで（取得をキャンセルしました）"
    return f"途中まで（取得がエラーで止まりました: {incomplete.error_ja}）"


def note_text(incomplete: IncompleteFetch) -> str:
    """The warning every sheet that names the range carries."""
    why = (
        "取得を途中でキャンセルしたため"
        if incomplete.cancelled
        else "取得がエラーで途中で止まったため"
    )
    return (
        f"{why}、この一覧は期間・リストの一部の行だけです。"
        "期間内のすべての行ではありません。取得し直してから書き出してください。"
    )


def coverage_text(incomplete: IncompleteFetch) -> str:
    """One line per list: rows and the days they fall on; a list without rows was perhaps never
    read. The days are those of the rows received, not a promise that every row between them
    came in (pages arrive in any order)."""
    lines = []
    for item in incomplete.coverage:
        if not item.rows or item.first_day is None or item.last_day is None:
            lines.append(f"{item.list_kind.label_ja}: 0 件（取得できていない可能性があります）")
            continue
        lines.append(
            f"{item.list_kind.label_ja}: {item.rows:,} 件"
            f"（{item.first_day:%Y/%m/%d} 〜 {item.last_day:%Y/%m/%d} の行）"
        )
    lines.append("日付は受け取った行の最初と最後の日です。その間の行がそろっているとは限りません。")
    return "\n".join(lines)
