"""Deletion journal: durable writes, queries, search, threads, schema version, Excel export."""

from __future__ import annotations

import sqlite3
import threading
import zipfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook

from app.core.storage.journal import (
    DeletionJournal,
    EntryResult,
    JournalError,
    NewEntry,
    OperationMeta,
    OperationQuery,
    OperationState,
    ResultUpdate,
)
from app.core.storage.journal_export import ENTRIES_SHEET, OPERATIONS_SHEET, export_journal_xlsx
from app.core.types import ListKind

CREATED = datetime(2026, 11, 3, 1, 2, 3, tzinfo=UTC)


class StepClock:
    """A clock the test moves by hand (operations get distinct, known start times)."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


def entries(count: int, kind: ListKind = ListKind.BOUNCES, prefix: str = "user") -> list[NewEntry]:
    return [
        NewEntry(kind, f"{prefix}{i}@example.jp", CREATED, "5.1.1", "550 user unknown", "", "x")
        for i in range(count)
    ]


def test_operation_and_entries_are_committed_before_anything_else(tmp_path: Path) -> None:
    journal = DeletionJournal(tmp_path / "journal.sqlite3")
    meta = OperationMeta("本番", "sub1", "eu", "api.eu.sendgrid.com", False, "住民から連絡あり")
    op_id = journal.create_operation(meta, entries(3))
    # A separate plain connection (as another process would) sees everything, all pending.
    with sqlite3.connect(tmp_path / "journal.sqlite3") as other:
        rows = other.execute(
            "SELECT email, result FROM operation_entries WHERE operation_id = ? ORDER BY seq",
            (op_id,),
        ).fetchall()
        state = other.execute("SELECT state, note FROM operations").fetchone()
    assert rows == [(f"user{i}@example.jp", "pending") for i in range(3)]
    assert state == ("pending", "住民から連絡あり")
    record = journal.operation(op_id)
    assert record is not None
    assert (record.total, record.pending, record.succeeded, record.failed) == (3, 3, 0, 0)
    assert record.os_user  # the OS login name is recorded
    assert (record.subuser, record.region, record.base_host) == (
        "sub1",
        "eu",
        "api.eu.sendgrid.com",
    )
    journal.close()


def test_wal_mode_full_sync_and_schema_version(tmp_path: Path) -> None:
    journal = DeletionJournal(tmp_path / "j.sqlite3")
    assert journal.schema_version == 2  # 2: operations.display_name (team mode)
    connection = journal._connection()
    assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert connection.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert journal.integrity_check() == "ok"
    journal.close()
    with sqlite3.connect(tmp_path / "j.sqlite3") as raw:
        raw.execute("UPDATE schema_version SET version = 99")
    with pytest.raises(JournalError) as raised:
        DeletionJournal(tmp_path / "j.sqlite3")
    assert "新しい版" in raised.value.message_ja


def test_results_states_and_counts(tmp_path: Path) -> None:
    clock = StepClock(datetime(2026, 11, 5, 0, 0, tzinfo=UTC))
    journal = DeletionJournal(tmp_path / "j.sqlite3", clock=clock)
    op_id = journal.create_operation(OperationMeta(), entries(4))
    journal.set_state(op_id, OperationState.RUNNING)
    assert [op.id for op in journal.unfinished_operations()] == [op_id]
    clock.now += timedelta(seconds=5)
    journal.record_results(
        op_id,
        [
            ResultUpdate(ListKind.BOUNCES, "user0@example.jp", EntryResult.DELETED),
            ResultUpdate(ListKind.BOUNCES, "user1@example.jp", EntryResult.NOT_FOUND, "なし"),
            ResultUpdate(ListKind.BOUNCES, "user2@example.jp", EntryResult.FAILED, "サーバー"),
        ],
    )
    journal.set_state(op_id, OperationState.DONE)
    record = journal.operation(op_id)
    assert record is not None
    assert (record.succeeded, record.failed, record.pending) == (2, 1, 1)
    assert record.state is OperationState.DONE
    assert record.finished_at == clock.now
    assert journal.unfinished_operations() == ()
    failed = journal.entries(op_id, [EntryResult.FAILED])
    assert [(e.email, e.detail) for e in failed] == [("user2@example.jp", "サーバー")]
    assert failed[0].created == CREATED
    assert failed[0].updated_at == clock.now
    journal.close()


def test_search_newest_first_by_address_note_and_jst_day(tmp_path: Path) -> None:
    clock = StepClock(datetime(2026, 11, 1, 14, 59, tzinfo=UTC))  # 11/1 23:59 JST
    journal = DeletionJournal(tmp_path / "j.sqlite3", clock=clock)
    first = journal.create_operation(OperationMeta(note="100%の確認"), entries(2, prefix="taro"))
    clock.now += timedelta(minutes=2)  # 11/2 00:01 JST
    second = journal.create_operation(OperationMeta(note="住民から連絡あり"), entries(1))
    clock.now += timedelta(days=3)
    third = journal.create_operation(OperationMeta(), entries(1, prefix="Hanako"))

    def ids(**kwargs: object) -> list[int]:
        return [op.id for op in journal.list_operations(OperationQuery(**kwargs))]  # type: ignore[arg-type]

    assert ids() == [third, second, first]
    assert ids(text="hanako") == [third]  # address, case-insensitive
    assert ids(text="TARO1@") == [first]
    assert ids(text="住民") == [second]
    assert ids(text="%") == [first]  # a literal percent sign, not a wildcard
    assert ids(text="_") == []
    assert ids(start=date(2026, 11, 1), end=date(2026, 11, 1)) == [first]
    assert ids(start=date(2026, 11, 2)) == [third, second]
    assert ids(end=date(2026, 11, 4)) == [second, first]
    journal.close()


def test_worker_thread_writes_while_another_thread_reads(tmp_path: Path) -> None:
    journal = DeletionJournal(tmp_path / "j.sqlite3")
    op_id = journal.create_operation(OperationMeta(), entries(200))
    errors: list[BaseException] = []

    def write() -> None:
        try:
            for i in range(200):
                journal.record_results(
                    op_id,
                    [ResultUpdate(ListKind.BOUNCES, f"user{i}@example.jp", EntryResult.DELETED)],
                )
        except BaseException as error:  # reported to the test thread below
            errors.append(error)

    worker = threading.Thread(target=write)
    worker.start()
    seen = []
    while worker.is_alive():
        record = journal.operation(op_id)
        assert record is not None
        seen.append(record.succeeded)
    worker.join()
    assert errors == []
    assert seen == sorted(seen)  # readers see a monotonic, consistent count
    final = journal.operation(op_id)
    assert final is not None and final.succeeded == 200
    journal.close()


HOSTILE = (
    '=HYPERLINK("http://evil","x")',
    "+81-3-0000",
    "-1+2",
    "@SUM(A1)",
    "\tcmd",
    "\r=1+1",
)


def test_export_rolls_entries_over_to_more_sheets_at_the_row_limit(tmp_path: Path) -> None:
    """明細 was one sheet whatever its length: past Excel's 1,048,576 rows the file is one
    Excel refuses to open. The rows now go on 明細(2), 明細(3), … each with the header (shown
    here with a limit of 3 rows a sheet: the header and two entries)."""
    journal = DeletionJournal(tmp_path / "j.sqlite3")
    emails = [f"u{i}@example.jp" for i in range(5)]
    entries = [NewEntry(ListKind.BOUNCES, e, CREATED, "5.1.1", "x", "", "") for e in emails]
    journal.create_operation(OperationMeta(note="n"), entries)
    target = tmp_path / "history.xlsx"
    summary = export_journal_xlsx(journal, target, max_rows_per_sheet=3)
    assert summary.entries == 5
    workbook = load_workbook(target)
    names = [f"{ENTRIES_SHEET}", f"{ENTRIES_SHEET}(2)", f"{ENTRIES_SHEET}(3)"]
    assert workbook.sheetnames == [OPERATIONS_SHEET, *names]
    found = []
    for name in names:
        rows = list(workbook[name].iter_rows(values_only=True))
        assert rows[0][0] == "操作番号" and len(rows) <= 3
        found += [row[2] for row in rows[1:]]
    assert found == emails


def test_export_keeps_formula_text_as_text_and_drops_illegal_characters(tmp_path: Path) -> None:
    journal = DeletionJournal(tmp_path / "j.sqlite3")
    hostile_entries = [
        NewEntry(ListKind.BOUNCES, f"u{i}@example.jp", CREATED, "5.1.1", text, "", "userunknown")
        for i, text in enumerate(HOSTILE)
    ]
    hostile_entries.append(NewEntry(ListKind.BLOCKS, "=cmd@example.jp", None, "", "bad\x01char"))
    op_id = journal.create_operation(OperationMeta(note="=1+1"), hostile_entries)
    journal.record_results(
        op_id, [ResultUpdate(ListKind.BOUNCES, "u0@example.jp", EntryResult.FAILED, "-err")]
    )
    target = tmp_path / "history.xlsx"
    target.write_bytes(b"old file")  # replaced atomically
    summary = export_journal_xlsx(journal, target)
    assert (summary.operations, summary.entries) == (1, len(hostile_entries))
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")) == []

    with zipfile.ZipFile(target) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
        assert len(sheets) == 2
        for name in sheets:
            assert b"<f>" not in archive.read(name) and b"<f " not in archive.read(name)

    workbook = load_workbook(target)
    assert workbook.sheetnames == [OPERATIONS_SHEET, ENTRIES_SHEET]
    operations = list(workbook[OPERATIONS_SHEET].iter_rows(values_only=True))
    assert operations[0][0] == "番号"
    assert operations[1][0] == op_id and operations[1][-1] == "=1+1"
    assert isinstance(operations[1][1], datetime)  # a real date cell (JST wall clock)
    rows = list(workbook[ENTRIES_SHEET].iter_rows(values_only=True))
    reasons = [row[7] for row in rows[1 : len(HOSTILE) + 1]]
    assert reasons == [text.replace("\r", "\n") for text in HOSTILE]
    assert rows[1][3] == "失敗" and rows[1][4] == "-err"
    assert rows[-1][2] == "=cmd@example.jp"
    assert rows[-1][7] == "bad\ufffdchar"
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f"
    journal.close()


@pytest.mark.parametrize("version", ["'abc'", "NULL", "-5", "2.5"])
def test_another_programs_schema_version_table_is_refused_in_japanese(
    tmp_path: Path, version: str
) -> None:
    """int() of the stored version raised ValueError/TypeError (a traceback), and a negative
    one ran the last migrations on somebody else's database."""
    path = tmp_path / "other.db"
    connection = sqlite3.connect(path)
    connection.executescript(
        f"CREATE TABLE schema_version(version); INSERT INTO schema_version VALUES({version});"
    )
    connection.close()
    with pytest.raises(JournalError, match="Todoku の削除履歴ではない"):
        DeletionJournal(path)
    connection = sqlite3.connect(path)
    tables = [row[0] for row in connection.execute("SELECT name FROM sqlite_master")]
    connection.close()
    assert tables == ["schema_version"]  # nothing was added to it


def test_a_journal_path_that_is_a_named_pipe_is_refused_without_waiting(tmp_path: Path) -> None:
    """A named pipe is no journal: it was "disk I/O error" with advice about disk space; now the
    path is refused untouched before SQLite opens it (in a child process, so a build whose open
    waits for a writer fails the test instead of hanging the run)."""
    import os
    import subprocess
    import sys

    pipe = tmp_path / "journal.sqlite3"
    os.mkfifo(pipe)
    script = (
        "import sys\nfrom pathlib import Path\n"
        "from app.core.storage.journal import DeletionJournal, JournalError\n"
        "try:\n    DeletionJournal(Path(sys.argv[1]))\n"
        "except JournalError as error:\n    print(error.message_ja)\n"
    )
    root = Path(__file__).resolve().parents[3]
    done = subprocess.run(
        [sys.executable, "-c", script, str(pipe)],
        cwd=root, capture_output=True, text=True, encoding="utf-8", timeout=30,
    )  # fmt: skip
    assert "通常のファイルではない" in done.stdout, done.stdout + done.stderr
    assert pipe.is_fifo()  # left as it was


def test_a_journal_path_that_is_a_folder_is_refused_untouched(tmp_path: Path) -> None:
    folder = tmp_path / "journal.sqlite3"
    folder.mkdir()
    with pytest.raises(JournalError, match="通常のファイルではない"):
        DeletionJournal(folder)
    assert folder.is_dir() and not any(folder.iterdir())
