"""A history path that is a device node, a named pipe or a folder is refused, untouched.

A device's first bytes are not SQLite's header, so the store took it for a broken history,
renamed the node to ``*.broken-*`` and created a regular file in its place (run as root against
``--history /dev/zero``, a system device). A named pipe made the check wait for a writer for
ever. Both must end in ``HistoryNotAFileError`` before anything is opened or renamed.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from app.core.storage.history.interface import HistoryNotAFileError
from app.core.storage.history.sqlite_store import SqliteHistoryStore

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.skipif(os.geteuid() != 0, reason="mknod (creating a device node) needs root")
@pytest.mark.parametrize("minor", [5, 3], ids=["zero", "null"])
def test_a_device_node_is_refused_and_never_moved_aside(tmp_path: Path, minor: int) -> None:
    """Private copies of /dev/zero (not SQLite's header) and /dev/null (reads as empty)."""
    device = tmp_path / "zero"
    os.mknod(device, 0o644 | stat.S_IFCHR, os.makedev(1, minor))
    with pytest.raises(HistoryNotAFileError) as raised:
        SqliteHistoryStore(device)
    assert "device" in raised.value.detail
    assert stat.S_ISCHR(device.stat().st_mode), "the device node was replaced by a file"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["zero"]


def test_a_folder_is_refused_with_the_same_message(tmp_path: Path) -> None:
    folder = tmp_path / "history.sqlite3"
    folder.mkdir()
    with pytest.raises(HistoryNotAFileError) as raised:
        SqliteHistoryStore(folder)
    assert "通常のファイルではない" in raised.value.message_ja
    assert folder.is_dir() and sorted(p.name for p in tmp_path.iterdir()) == ["history.sqlite3"]


def test_a_named_pipe_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    pipe = tmp_path / "history.fifo"
    os.mkfifo(pipe)
    script = (
        "import sys; from pathlib import Path\n"
        "from app.core.storage.history.sqlite_store import SqliteHistoryStore\n"
        "try:\n    SqliteHistoryStore(Path(sys.argv[1])).close()\n"
        "except Exception as error:\n    print(type(error).__name__)\n"
    )
    try:
        done = subprocess.run(
            [sys.executable, "-c", script, str(pipe)],
            cwd=ROOT, capture_output=True, text=True, timeout=30,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        pytest.fail("opening a named pipe as the history file hangs")
    assert done.stdout.strip() == "HistoryNotAFileError", done.stderr
    assert stat.S_ISFIFO(pipe.stat().st_mode)
