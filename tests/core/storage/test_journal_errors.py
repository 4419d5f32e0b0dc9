"""The deletion journal's errors say what SQLite found: a damaged file (named, left as it is),
a file another program holds (in use), never disk space or permissions for either."""

from __future__ import annotations

import sqlite3

import pytest

from app.core.storage.journal import DeletionJournal
from app.core.storage.journal_errors import JournalDamagedError, JournalInUseError


def test_a_damaged_journal_is_named_and_left_untouched(tmp_path) -> None:
    path = tmp_path / "journal.sqlite3"
    garbage = b"\x00garbage, not an SQLite database\x00" * 512
    path.write_bytes(garbage)

    with pytest.raises(JournalDamagedError) as raised:
        DeletionJournal(path)

    error = raised.value
    assert "壊れ" in error.message_ja and str(path) in error.message_ja
    assert "空き容量" not in error.next_step_ja and "権限" not in error.next_step_ja
    assert path.read_bytes() == garbage  # not repaired, renamed or started afresh
    assert sorted(p.name for p in tmp_path.iterdir()) == ["journal.sqlite3"]


def test_a_journal_held_by_another_writer_is_in_use(tmp_path) -> None:
    path = tmp_path / "journal.sqlite3"
    DeletionJournal(path).close()
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another Todoku or todoku-cli writing
    try:
        with pytest.raises(JournalInUseError) as raised:
            DeletionJournal(path, busy_timeout_s=0.2)
    finally:
        other.execute("ROLLBACK")
        other.close()

    error = raised.value
    assert "使用中" in error.message_ja
    assert "空き容量" not in error.next_step_ja and "権限" not in error.next_step_ja
    DeletionJournal(path).close()  # free again: it opens


def test_a_write_blocked_by_another_writer_is_in_use(tmp_path) -> None:
    path = tmp_path / "journal.sqlite3"
    journal = DeletionJournal(path, busy_timeout_s=0.2)
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(JournalInUseError):
            journal.mask_address("a@example.com")
    finally:
        other.execute("ROLLBACK")
        other.close()
        journal.close()
