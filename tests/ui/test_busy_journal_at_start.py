"""Start-up while another process is writing to the deletion journal (a second Todoku deleting,
`todoku-cli delete` recording a batch): the window opens the journal on the GUI thread after
the first paint, and SQLite's busy wait (10 s) then holds the whole event loop: no repaint, no
click, no キャンセル for as long as the other writer keeps its lock."""

from __future__ import annotations

import sqlite3
import threading

from app.core.storage.journal import DeletionJournal
from tests.helpers.ui import gui_pauses

HELD_S = 3.0  # the other writer's transaction; SQLite would wait up to 10 s


def test_a_journal_locked_by_another_writer_does_not_freeze_the_window(
    qtbot, make_window, tmp_path
) -> None:
    path = tmp_path / "data" / "journal.sqlite3"
    DeletionJournal(path).close()  # a sound journal left by an earlier run
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")  # the other process's write transaction
    release = threading.Timer(HELD_S, lambda: other.execute("COMMIT"))
    release.start()
    try:
        window = make_window(journal_path=path)
        _ticks, longest_gap = gui_pauses(qtbot, int(HELD_S * 1000) + 800)
    finally:
        release.join()
        other.close()

    # Found: one gap of ~3.1 s (the whole time the lock was held), in
    # DeletionController.check_unfinished → JournalLink.open_journal → DeletionJournal(path)
    # → migrate's BEGIN IMMEDIATE, all on the GUI thread.
    assert longest_gap < 1.0, f"the event loop was blocked {longest_gap:.1f} s"
    assert window.controller.deletion.available
