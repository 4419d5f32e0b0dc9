"""Start-up while another process is writing to the deletion journal (a second Todoku deleting,
`todoku-cli delete` recording a batch): the window opens the journal on the GUI thread after
the first paint, and SQLite's busy wait (10 s) then holds the whole event loop: no repaint, no
click, no キャンセル for as long as the other writer keeps its lock.

The other writer gives up its lock only once the GUI thread's event loop has run while the
journal was being opened: a GUI thread held by SQLite's busy wait never gets there, whatever the
machine's load."""

from __future__ import annotations

import sqlite3

from app.core.storage.journal import DeletionJournal
from tests.helpers.ui import loop_turns_while


def test_a_journal_locked_by_another_writer_does_not_freeze_the_window(
    qtbot, make_window, tmp_path
) -> None:
    path = tmp_path / "data" / "journal.sqlite3"
    DeletionJournal(path).close()  # a sound journal left by an earlier run
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # the other process's write transaction
    try:
        window = make_window(journal_path=path)
        deletion = window.controller.deletion
        # Found: the event loop stopped for as long as the lock was held (SQLite would wait up
        # to 10 s), in DeletionController.check_unfinished → JournalLink.open_journal →
        # DeletionJournal(path) → migrate's BEGIN IMMEDIATE, all on the GUI thread.
        loop_turns_while(qtbot, lambda: deletion._link.opening)
    finally:
        other.execute("COMMIT")
        other.close()

    qtbot.waitUntil(lambda: deletion.journal is not None, timeout=20_000)
    assert deletion.available
