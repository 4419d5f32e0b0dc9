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
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.core.storage.history import AccountKey, FetchWrite, HistoryError
from app.core.storage.history.sqlite_store import SqliteHistoryStore
from app.core.types import ListKind, SuppressionEntry
from tests.helpers.other_user import lock, lockable_folder, run_as_other_user

ROOT = Path(__file__).resolve().parents[3]
NOVEMBER = datetime(2026, 11, 3, tzinfo=UTC)


def sound_history(path: Path) -> None:
    """A WAL-mode history holding one November bounce of account 本番 (closed cleanly, so no
    -wal or -shm file is left beside it)."""
    store = SqliteHistoryStore(path)
    start = int(datetime(2026, 10, 1, tzinfo=UTC).timestamp())
    end = int(datetime(2026, 12, 1, tzinfo=UTC).timestamp())
    bounce = SuppressionEntry(ListKind.BOUNCES, "a@example.jp", NOVEMBER, "5.1.1", "550 unknown")
    store.record_fetch(
        FetchWrite(
            AccountKey(account="本番"), (ListKind.BOUNCES,), start, end,
            {ListKind.BOUNCES: start}, True, NOVEMBER, [bounce], None, (),
        )
    )  # fmt: skip
    store.close()


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


def test_a_report_reads_a_history_in_a_read_only_folder() -> None:
    """`report` only reads: it opens the file read-only, so the folder's rights do not matter."""
    with lockable_folder() as folder, lockable_folder() as home:
        home.chmod(0o777)  # the other user's settings and journal go there
        path = folder / "history.sqlite3"
        sound_history(path)
        before = path.read_bytes()
        lock(folder)
        env = {
            **{k: v for k, v in os.environ.items() if k != "SENDGRID_API_KEY"},
            "PYTHONPATH": str(ROOT), "HOME": str(home), "XDG_DATA_HOME": str(home / "data"),
            "XDG_CONFIG_HOME": str(home / "config"),
        }  # fmt: skip
        done = run_as_other_user(
            [sys.executable, "-m", "app.cli", "report", "--month", "2026-11",
             "--account", "本番", "--history", str(path)],
            cwd=ROOT, env=env,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert "合計 1 件" in done.stdout
        assert sorted(p.name for p in folder.iterdir()) == ["history.sqlite3"]
        assert path.read_bytes() == before


def test_read_only_use_never_repairs_a_bad_file(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    path.write_bytes(b"SQLite format 3\x00" + b"\xff" * 4096)
    with pytest.raises(HistoryError) as raised:
        SqliteHistoryStore(path, read_only=True)
    assert "壊れている" in raised.value.message_ja
    assert sorted(p.name for p in tmp_path.iterdir()) == ["history.sqlite3"]
    missing = tmp_path / "none" / "history.sqlite3"
    with pytest.raises(HistoryError):
        SqliteHistoryStore(missing, read_only=True)
    assert not missing.parent.exists()


def test_a_read_only_store_refuses_writes(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    sound_history(path)
    store = SqliteHistoryStore(path, read_only=True)
    try:
        assert store.accounts() == (AccountKey(account="本番"),)
        with pytest.raises(HistoryError):
            store.erase_address("a@example.jp")
        assert store.accounts() == (AccountKey(account="本番"),)
    finally:
        store.close()
