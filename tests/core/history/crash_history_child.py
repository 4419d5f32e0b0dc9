"""Child process of the history kill -9 test: one small fetch committed, then a huge one.

Usage: python crash_history_child.py HISTORY_FILE
Prints "committed" after the first fetch and "writing" just before the big one; the parent
kills it with SIGKILL while the big transaction runs.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from app.core.storage.history import AccountKey, FetchWrite
from app.core.storage.history.sqlite_store import SqliteHistoryStore
from app.core.types import ALL_LISTS, ListKind, SuppressionEntry

START = 1_793_458_800  # 2026-11-01 00:00 JST
ACCOUNT = AccountKey(account="kill")


def entries(count: int, prefix: str) -> list[SuppressionEntry]:
    return [
        SuppressionEntry(
            ListKind.BOUNCES,
            f"{prefix}{i}@example.jp",
            datetime.fromtimestamp(START + i % 2_000_000, tz=UTC),
            "5.1.1",
            f"550 5.1.1 <{prefix}{i}@example.jp> unknown {i % 997}",
        )
        for i in range(count)
    ]


def write(store: SqliteHistoryStore, rows: list[SuppressionEntry], day: int) -> None:
    store.record_fetch(
        FetchWrite(
            ACCOUNT,
            ALL_LISTS,
            START,
            START + 2_600_000,
            dict.fromkeys(ALL_LISTS, START),
            True,
            datetime(2026, 12, day, tzinfo=UTC) + timedelta(hours=1),
            rows,
            None,
        )
    )


def main(path: str) -> int:
    store = SqliteHistoryStore(Path(path))
    write(store, entries(100, "small"), 1)
    print("committed", flush=True)
    big = entries(600_000, "big")
    print("writing", flush=True)
    write(store, big, 2)
    print("finished", flush=True)  # the parent fails if it ever sees this
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
