"""A deletion journal that is damaged (not an SQLite file any more: a bad sync tool, a disk
error, a half-restored backup): the window disables deleting, which is right, but tells the
operator to check free disk space and folder permissions. Neither is the problem, so the advice
sends them looking in the wrong place while deleting stays off for good; the fetch history
says plainly when its file is broken."""

from __future__ import annotations

from app.core.storage.journal_records import JournalError


def test_a_damaged_journal_is_not_blamed_on_disk_space_or_permissions(
    qtbot, make_window, tmp_path
) -> None:
    path = tmp_path / "data" / "journal.sqlite3"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"\x00garbage, not an SQLite database\x00" * 512)
    window = make_window(journal_path=path)
    panel = window.status_panel
    qtbot.waitUntil(lambda: isinstance(panel.error, JournalError), timeout=5000)
    assert not window.controller.deletion.available  # deleting stays off: right

    shown = f"{panel.error.message_ja} {panel.error.next_step_ja}"
    # Found: 「削除の記録（削除履歴）を読み書きできませんでした。」 「ディスクの空き容量とデータ
    # フォルダの権限を確認してください。…」 for a file SQLite calls "file is not a database".
    assert "空き容量" not in shown and "権限" not in shown, shown
    assert "壊れ" in shown, shown
