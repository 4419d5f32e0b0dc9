"""書き出し to a file name the OS refuses: the operator gets the export's own Japanese message
(as for a folder in the way or a full disk), not 予期しないエラー with a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.export.output import ExportError
from app.core.types import ListKind
from tests.helpers.ui import fetch
from tests.ui.test_window_export import DialogRunner, run_export


@pytest.mark.parametrize(
    "name",
    [
        # 90 kanji = 270 bytes in UTF-8: over the 255-byte name limit of ext4/APFS/NTFS-on-Linux.
        # A descriptive Japanese file name reaches that easily.
        "届かない宛先リスト" * 10 + ".xlsx",
        "a\x00b.xlsx",  # a NUL pasted into the file name field
    ],
    ids=["name-too-long", "nul-in-name"],
)
def test_export_to_a_name_the_os_refuses_gives_an_export_error(
    qtbot, make_window, tmp_path: Path, name: str
) -> None:
    runner = DialogRunner(qtbot, path=tmp_path / name)
    window = make_window(run_export_dialog=runner)
    fetch(qtbot, window, lists=(ListKind.BOUNCES,))
    run_export(qtbot, window)
    error = window.status_panel.error
    # It was UnexpectedError 「予期しないエラーが発生しました。」 (OSError ENAMETOOLONG /
    # ValueError "embedded null byte" escape the export job), whose next step is to wait and
    # retry, which cannot help.
    assert isinstance(error, ExportError), (type(error).__name__, error and error.detail[-300:])
