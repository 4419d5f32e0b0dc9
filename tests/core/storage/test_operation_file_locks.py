"""The SQLite journal's operation locks within one process: an operation held here is not taken
over again (a reconcile beside a running deletion leaves it), and release or close frees it.
Across processes (kill -9 included): tests/cli/test_killed_delete_rerun.py."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.core.storage.journal import DeletionJournal


def test_an_operation_held_in_this_process_is_not_taken_over_twice(tmp_path: Path) -> None:
    running = DeletionJournal(tmp_path / "journal.sqlite3")
    other = DeletionJournal(tmp_path / "journal.sqlite3")  # e.g. the window's reconcile job
    try:
        assert running.take_over(7)
        assert not other.take_over(7) and not running.take_over(7)
        assert other.take_over(8)  # another operation is free
        running.release(7)
        assert other.take_over(7)
        other.close()  # releases what it held
        assert running.take_over(7) and running.take_over(8)
    finally:
        running.close()
        other.close()
    reopened = DeletionJournal(tmp_path / "journal.sqlite3")
    try:
        assert reopened.take_over(7)
    finally:
        reopened.close()


def test_a_pipe_in_place_of_the_lock_file_is_never_waited_on(tmp_path: Path) -> None:
    """Something else under the lock file's name leaves the old behaviour: not locked, and
    nothing blocks on opening it."""
    if not hasattr(os, "mkfifo"):
        pytest.skip("needs a named pipe")
    os.mkfifo(tmp_path / "journal.sqlite3.running")
    journal = DeletionJournal(tmp_path / "journal.sqlite3")
    try:
        assert journal.take_over(3) and journal.take_over(3)
    finally:
        journal.close()
