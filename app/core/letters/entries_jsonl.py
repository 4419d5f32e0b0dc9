"""Read the JSON Lines that ``todoku-cli fetch --jsonl`` writes back into ``SuppressionEntry``.

One object per line: ``list``, ``email``, ``created`` (Unix seconds) and, optionally,
``status``, ``reason``, ``ip`` (``created_jst`` is ignored: ``created`` is the truth).
A line that cannot be read is reported with its line number and skipped.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import BinaryIO

from app.core import untrusted_json
from app.core.bounded_lines import text_lines
from app.core.errors import InvalidInputError
from app.core.types import ListKind, SuppressionEntry


@dataclass(frozen=True, slots=True)
class JsonlProblem:
    line: int
    message_ja: str


# A fetch line is a few hundred bytes (a reason is at most a few KB); a line far longer is a
# binary or a file without line ends, reported by number instead of being held in memory.
MAX_LINE_BYTES = 1024 * 1024
# A fetch file has no unreadable line; a few are a hand edit gone wrong. This many is another
# kind of file (a binary, /dev/urandom through a pipe): reading on would never end, and the
# reports would fill the terminal and the memory.
MAX_PROBLEMS = 1000


def read_entries_from(
    source: BinaryIO, max_line_bytes: int = MAX_LINE_BYTES
) -> tuple[list[SuppressionEntry], list[JsonlProblem]]:
    """``read_entries`` over a binary stream, line by line with each line bounded.

    A line that is too long or not UTF-8 is reported by number and skipped; the others are read.

    Raises:
        InvalidInputError: more than ``MAX_PROBLEMS`` lines could not be read.
    """
    entries: list[SuppressionEntry] = []
    problems: list[JsonlProblem] = []
    for line in text_lines(source, max_line_bytes):
        if line.problem_ja:
            problems.append(
                JsonlProblem(line.number, f"{line.problem_ja}。この行は読み飛ばしました")
            )
        else:
            _read_line(line.text, line.number, entries, problems)
        if len(problems) > MAX_PROBLEMS:
            raise InvalidInputError(
                f"読めない行が多すぎます（{line.number:,} 行目までに {len(problems):,} 行）。"
                "todoku-cli fetch --jsonl で書き出したファイルではないようです。",
                next_step_ja="fetch --jsonl で書き出した UTF-8 のファイルを指定してください。",
                detail=f"first: {problems[0].message_ja}",
            )
    return entries, problems


def read_entries(lines: Iterable[str]) -> tuple[list[SuppressionEntry], list[JsonlProblem]]:
    entries: list[SuppressionEntry] = []
    problems: list[JsonlProblem] = []
    for number, line in enumerate(lines, start=1):
        _read_line(line, number, entries, problems)
    return entries, problems


class _BadLine(ValueError):
    """What is wrong with one line, in Japanese: which field, and why."""


def _read_line(
    line: str, number: int, entries: list[SuppressionEntry], problems: list[JsonlProblem]
) -> None:
    if not line.strip():
        return
    try:
        data = untrusted_json.loads(line)
    except RecursionError:
        problems.append(JsonlProblem(number, f"{number} 行目を読めません（入れ子が深すぎます）"))
        return
    except ValueError:
        problems.append(JsonlProblem(number, f"{number} 行目を読めません（JSON ではありません）"))
        return
    try:
        entries.append(entry_from_json(data))
    except _BadLine as error:
        problems.append(JsonlProblem(number, f"{number} 行目を読めません（{error}）"))


_FIELDS_NEEDED = ("email", "created", "list")


def entry_from_json(data: object) -> SuppressionEntry:
    """One fetch line's object as an entry; ``_BadLine`` (a ValueError) names what is wrong."""
    if not isinstance(data, dict):
        raise _BadLine("JSON オブジェクト（{…}）ではありません")
    missing = [key for key in _FIELDS_NEEDED if key not in data]
    if missing:
        raise _BadLine(f"項目 {'、'.join(missing)} がありません")
    email = data["email"]
    created = data["created"]
    if not isinstance(email, str) or "@" not in email:
        raise _BadLine("email がメールアドレスではありません")
    if not isinstance(created, int | float) or isinstance(created, bool):
        raise _BadLine("created は Unix 時刻（秒）の数値にしてください")
    if not math.isfinite(created):
        raise _BadLine("created が数ではありません（NaN や無限大）")
    texts = {key: data.get(key) or "" for key in ("status", "reason", "ip")}
    if not all(isinstance(value, str) for value in texts.values()):
        raise _BadLine("status / reason / ip は文字列にしてください")
    return SuppressionEntry(
        list_kind=_list_kind(data["list"]),
        email=email,
        created=_created(created),
        status=str(texts["status"]),
        reason=str(texts["reason"]),
        ip=str(texts["ip"]),
    )


def _list_kind(value: object) -> ListKind:
    try:
        return ListKind.parse(str(value))
    except ValueError:
        names = "、".join(kind.value for kind in ListKind)
        raise _BadLine(f"list は次のいずれかにしてください: {names}") from None


def _created(seconds: float) -> datetime:
    # OverflowError/OSError/ValueError: a time no datetime (or the platform's time_t) holds,
    # such as 1e20, or a negative one on Windows.
    try:
        return datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, OSError, ValueError):
        raise _BadLine("created（Unix 時刻）が扱える日時の範囲を超えています") from None
