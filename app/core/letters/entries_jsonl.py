"""Read the JSON Lines that ``todoku-cli fetch --jsonl`` writes back into ``SuppressionEntry``.

One object per line: ``list``, ``email``, ``created`` (Unix seconds) and, optionally,
``status``, ``reason``, ``ip`` (``created_jst`` is ignored: ``created`` is the truth).
A line that cannot be read is reported with its line number and skipped.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from app.core import untrusted_json
from app.core.types import ListKind, SuppressionEntry


@dataclass(frozen=True, slots=True)
class JsonlProblem:
    line: int
    message_ja: str


def read_entries(lines: Iterable[str]) -> tuple[list[SuppressionEntry], list[JsonlProblem]]:
    entries: list[SuppressionEntry] = []
    problems: list[JsonlProblem] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            entries.append(entry_from_json(untrusted_json.loads(line)))
        # RecursionError: JSON nested too deep; OverflowError/OSError: a created time no
        # datetime can hold (1e20, or negative on Windows).
        except (ValueError, TypeError, KeyError, RecursionError, OverflowError, OSError) as error:
            problems.append(JsonlProblem(number, f"{number} 行目を読めません（{error}）"))
    return entries, problems


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
