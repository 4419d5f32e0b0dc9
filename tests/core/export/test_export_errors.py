"""Export failures for real: no folder, folder as target, no permission, locked file, full disk.

The permission cases need a process the kernel actually refuses. Tests run as root here, and root
ignores file modes, so those cases run the export in a child process started through ``setpriv``
with the capabilities that bypass permission checks removed (CAP_DAC_OVERRIDE,
CAP_DAC_READ_SEARCH, CAP_FOWNER). As a normal user the child simply runs as that user.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from app.core.export.csv_export import export_csv
from app.core.export.excel import export_xlsx
from app.core.export.output import ExportError
from tests.helpers.export_rows import make_context, make_rows
from tests.helpers.linked_target import linked_target

IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
SETPRIV = shutil.which("setpriv")
DROP_CAPS = ["--bounding-set", "-dac_override,-dac_read_search,-fowner"]

CHILD = textwrap.dedent(
    """
    import json, resource, signal, sys
    from pathlib import Path
    from app.core.export.excel import export_xlsx
    from app.core.export.output import ExportError
    from tests.helpers.export_rows import make_context, make_rows

    target, rows, file_size_limit = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    if file_size_limit:
        # Writes past the limit fail with EFBIG instead of killing the process.
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (file_size_limit, file_size_limit))
    try:
        export_xlsx(make_rows(rows), make_context(), target)
    except ExportError as error:
        cause = error.__cause__
        print(json.dumps({"message": error.message_ja, "next_step": error.next_step_ja,
                          "detail": error.detail, "cause": type(cause).__name__}))
    else:
        print(json.dumps({"message": None}))
    """
)


def run_child(target: Path, *, rows: int = 20, drop_caps: bool, file_size_limit: int = 0) -> dict:
    command = [sys.executable, "-c", CHILD, str(target), str(rows), str(file_size_limit)]
    if drop_caps and IS_ROOT:
        if SETPRIV is None:
            pytest.skip("running as root and setpriv is missing: cannot make a write fail")
        command = [SETPRIV, *DROP_CAPS, *command]
    repo = Path(__file__).resolve().parents[3]
    done = subprocess.run(command, cwd=repo, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_missing_folder(tmp_path: Path) -> None:
    target = tmp_path / "no-such-folder" / "out.xlsx"
    with pytest.raises(ExportError) as caught:
        export_xlsx(make_rows(3), make_context(), target)
    assert caught.value.message_ja == "保存先のフォルダが見つかりません。"
    assert "保存先を選び直してください" in caught.value.next_step_ja
    assert str(target.parent) in caught.value.detail
    assert list(tmp_path.iterdir()) == []


def test_target_is_an_existing_folder(tmp_path: Path) -> None:
    target = tmp_path / "report.xlsx"
    target.mkdir()
    with pytest.raises(ExportError) as caught:
        export_xlsx(make_rows(3), make_context(), target)
    assert "同じ名前のフォルダ" in caught.value.message_ja
    assert [p.name for p in tmp_path.iterdir()] == ["report.xlsx"]
    assert list(target.iterdir()) == []


def test_read_only_folder(tmp_path: Path) -> None:
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        result = run_child(folder / "out.xlsx", drop_caps=True)
    finally:
        folder.chmod(0o755)
    assert result["cause"] == "PermissionError"
    assert "Excel などで開かれているか" in result["message"]
    assert "閉じてから" in result["next_step"]
    assert list(folder.iterdir()) == []


@pytest.mark.skipif(not IS_ROOT, reason="needs root to give the target file to another user")
def test_locked_target_keeps_the_old_file_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    # Like a file open in Excel on Windows: the whole export is written, then the final rename
    # onto the target is refused. Here the refusal is real: a sticky folder and a target owned
    # by another user, renamed over by a process without CAP_FOWNER.
    folder = tmp_path / "shared"
    folder.mkdir()
    target = folder / "report.xlsx"
    target.write_bytes(b"yesterday's report")
    os.chown(target, 65534, 65534)
    os.chown(folder, 65534, 65534)
    folder.chmod(0o1777)
    result = run_child(target, rows=200, drop_caps=True)
    assert result["cause"] == "PermissionError"
    assert result["message"].startswith("ファイルを保存できませんでした。")
    assert ".tmp' -> '" in result["detail"]  # it was the final rename that was refused
    assert target.read_bytes() == b"yesterday's report"
    assert [p.name for p in folder.iterdir()] == ["report.xlsx"]


def test_disk_full_is_reported_and_cleaned_up(tmp_path: Path) -> None:
    # A file-size limit makes the kernel refuse writes mid-way (EFBIG), the same path a full
    # disk (ENOSPC) takes; both map to the disk-space message.
    target = tmp_path / "big.xlsx"
    result = run_child(target, rows=3000, drop_caps=False, file_size_limit=64 * 1024)
    assert result["cause"] == "OSError"
    assert result["message"] == "ディスクの空き容量が足りないため、保存できませんでした。"
    assert "File too large" in result["detail"]
    assert list(tmp_path.iterdir()) == []


def test_a_symbolic_link_target_updates_the_linked_file_and_keeps_the_link(
    tmp_path: Path,
) -> None:
    """The rename replaced the link itself with a new file: the shared file it pointed to kept
    the old export and the link was gone."""
    link, real = linked_target(tmp_path, "report.xlsx")
    export_xlsx(make_rows(3), make_context(), link)
    assert link.is_symlink() and link.resolve() == real
    assert real.read_bytes().startswith(b"PK")  # the new workbook, a zip
    assert sorted(p.name for p in real.parent.iterdir()) == ["report.xlsx"]  # no temporary file


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_named_pipe_target_is_written_through_not_replaced(tmp_path: Path) -> None:
    """`--csv pipe` (or /dev/stdout): the rename put a regular file where the pipe was, so the
    reader at the other end got nothing (and, run as root, `/dev/full` itself was replaced)."""
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    received: list[bytes] = []

    def read_pipe() -> None:
        with open(pipe, "rb") as reader:
            received.append(reader.read())

    reader = threading.Thread(target=read_pipe, daemon=True)  # stuck on open if never written
    reader.start()
    export_csv(make_rows(3), make_context(), pipe)
    reader.join(timeout=10)
    assert stat.S_ISFIFO(pipe.lstat().st_mode)
    assert received and received[0].decode("utf-8-sig").count("\n") >= 4  # header + 3 rows
    assert [p.name for p in tmp_path.iterdir()] == ["pipe"]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("届かない宛先リスト" * 10 + ".xlsx", "長すぎる"),  # 270 bytes: over 255 a name
        ("a\x00b.xlsx", "使えない文字"),  # a NUL pasted into the name
    ],
)
def test_a_name_the_os_refuses_is_an_export_error(tmp_path: Path, name: str, message: str) -> None:
    for writer in (export_xlsx, export_csv):
        with pytest.raises(ExportError, match=message):
            writer(make_rows(3), make_context(), tmp_path / name)
    assert list(tmp_path.iterdir()) == []  # no temporary file left behind
