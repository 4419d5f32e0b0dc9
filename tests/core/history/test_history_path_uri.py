"""A sound history file whose folder name holds "%XX", "#" or "?" must be kept.

SQLite reads a ``file:`` name as a URI: it decodes "%20" and ends the path at "#" or "?". The
read-only check once opened ``f"file:{path}?mode=ro"`` unquoted, so it read another file (or
none) and the user's history was renamed to ``*.broken-*`` on every open.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from app.core.storage.history.sqlite_store import SqliteHistoryStore

FOLDERS = ["report%202026", "50%25", "team#2", "a?b"]


def foreign_neighbour(tmp_path: Path, folder: str) -> None:
    """Another program's SQLite file named like the path cut at "#"/"?" (what SQLite opened)."""
    cut = folder.split("#")[0].split("?")[0]
    if cut != folder:
        neighbour = sqlite3.connect(tmp_path / cut)
        neighbour.execute("CREATE TABLE notes(x)")
        neighbour.commit()
        neighbour.close()


@pytest.mark.parametrize("folder", FOLDERS)
def test_sound_history_is_kept_whatever_the_folder_name(tmp_path: Path, folder: str) -> None:
    foreign_neighbour(tmp_path, folder)
    path = tmp_path / folder / "history.sqlite3"
    path.parent.mkdir()
    SqliteHistoryStore(path).close()
    store = SqliteHistoryStore(path)
    try:
        assert store.recovery_notice is None, store.recovery_notice.detail
        assert not list(path.parent.glob("*.broken-*"))
        assert store.schema_version() > 0
    finally:
        store.close()
