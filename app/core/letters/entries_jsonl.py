"""Read the JSON Lines that ``todoku-cli fetch --jsonl`` writes back into ``SuppressionEntry``.

One object per line: ``list``, ``email``, ``created`` (Unix seconds) and, optionally,
``status``, ``reason``, ``ip`` (``created_jst`` is ignored: ``created`` is the truth).
A line that cannot be read is reported with its line number and skipped.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import BinaryIO

from app.core import untrusted_json
from app.core.bounded_lines import text_lines
from app.core.types import ListKind, SuppressionEntry


@dataclass(frozen=True, slots=True)
class JsonlProblem:
    line: int
    message_ja: str


# A fetch line is a few hundred bytes (a reason is at most a few KB); a line far longer is a
# binary or a file without line ends, reported by number instead of being held in memory.
MAX_LINE_BYTES = 1024 * 1024


def read_entries_from(
    source: BinaryIO, max_line_bytes: int = MAX_LINE_BYTES
) -> tuple[list[SuppressionEntry], list[JsonlProblem]]:
    """``read_entries`` over a binary stream, line by line with each line bounded.

    A line that is too long or not UTF-8 is reported by number and skipped; the others are read.
    """
    entries: list[SuppressionEntry] = []
    problems: list[JsonlProblem] = []
    for line in text_lines(source, max_line_bytes):
        if line.problem_ja:
            problems.append(
                JsonlProblem(line.number, f"{line.problem_ja}。この行は読み飛ばしました")
            )
            continue
        _read_line(line.text, line.number, entries, problems)
    return entries, problems


def read_entries(lines: Iterable[str]) -> tuple[list[SuppressionEntry], list[JsonlProblem]]:
    entries: list[SuppressionEntry] = []
    problems: list[JsonlProblem] = []
    for number, line in enumerate(lines, start=1):
        _read_line(line, number, entries, problems)
    return entries, problems


def _read_line(
    line: str, number: int, entries: list[SuppressionEntry], problems: list[JsonlProblem]
) -> None:
    if not line.strip():
        return
    try:
        entries.append(entry_from_json(untrusted_json.loads(line)))
    # RecursionError: JSON nested too deep; OverflowError/OSError: a created time no
    # datetime can hold (1e20, or negative on Windows).
    except (ValueError, TypeError, KeyError, RecursionError, OverflowError, OSError) as error:
        problems.append(JsonlProblem(number, f"{number} 行目を読めません（{error}）"))


def entry_from_json(data: object) -> SuppressionEntry:
    if not isinstance(data, dict):
        raise ValueError("JSON オブジェクトではありません")
    email = data["email"]
    created = data["created"]
    if not isinstance(email, str) or "@" not in email:
        raise ValueError("email がメールアドレスではありません")
    if not isinstance(created, int | float) or isinstance(created, bool):
        raise ValueError("created は Unix 時刻（秒）の数値にしてください")
    texts = {key: data.get(key) or "" for key in ("status", "reason", "ip")}
    if not all(isinstance(value, str) for value in texts.values()):
        raise ValueError("status / reason / ip は文字列にしてください")
    return SuppressionEntry(
        list_kind=ListKind.parse(str(data["list"])),
        email=email,
        created=datetime.fromtimestamp(created, tz=UTC),
        status=str(texts["status"]),
        reason=str(texts["reason"]),
        ip=str(texts["ip"]),
    )
