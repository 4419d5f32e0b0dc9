"""A sound history in a folder the user cannot write (a backup, a read-only share, another
user's folder) is not "broken".

The read-only check could not open the WAL file there (SQLite needs a ``-shm`` file beside it),
took that for damage and tried to rename the user's history to ``*.broken-*``; the rename
failed too, and the message blamed a move the user never asked for. Only SQLite's own verdict
on the content (not a database, malformed) may move a file aside; a permission problem is a
Japanese ``HistoryPermissionError`` and the file is left as it is.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from app.core.storage.history.sqlite_store import SqliteHistoryStore
from tests.helpers.other_user import lock, lockable_folder, run_as_other_user

ROOT = Path(__file__).resolve().parents[3]

OPEN = """\
import sys
from pathlib import Path
from app.core.storage.history.sqlite_store import SqliteHistoryStore
try:
    SqliteHistoryStore(Path(sys.argv[1])).close()
    print("opened")
except Exception as error:
    print(type(error).__name__)
    print(error.message_ja)
"""


def test_a_sound_history_in_a_read_only_folder_is_not_moved_aside() -> None:
    with lockable_folder() as folder:
        path = folder / "history.sqlite3"
        SqliteHistoryStore(path).close()  # a sound, empty, WAL-mode history
        before = path.read_bytes()
        lock(folder)
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        done = run_as_other_user([sys.executable, "-c", OPEN, str(path)], cwd=ROOT, env=env)
        assert done.returncode == 0, done.stderr
        kind, *message = done.stdout.splitlines()
        assert kind == "HistoryPermissionError", done.stdout
        assert "権限" in message[0]
        assert sorted(p.name for p in folder.iterdir()) == ["history.sqlite3"]
        assert path.read_bytes() == before


def test_sqlites_own_verdict_still_moves_a_bad_file_aside(tmp_path: Path) -> None:
    """SQLite's header followed by garbage: "file is not a database" (SQLITE_NOTADB) is damage."""
    path = tmp_path / "history.sqlite3"
    path.write_bytes(b"SQLite format 3\x00" + b"\xff" * 4096)
    store = SqliteHistoryStore(path)
    try:
        assert store.recovery_notice is not None
        assert "not a database" in store.recovery_notice.detail
        assert len(list(tmp_path.glob("history.sqlite3.broken-*"))) == 1
    finally:
        store.close()
