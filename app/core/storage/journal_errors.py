"""The Japanese error for a failure on the SQLite deletion journal, by what SQLite says.

The journal is the record of every address Todoku removed: a damaged file is reported with
where it is and left exactly as it is (never deleted, renamed or started afresh here), and a
file another program holds is "in use", not a disk or permission problem.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from app.core.storage.journal_records import JournalError
from app.core.storage.sqlite_verdicts import is_busy, is_corrupt, is_disk_full, is_permission

_STILL_OFF = "記録できない間は削除を実行しません。"


class JournalDamagedError(JournalError):
    """SQLite says the file is not a database, or that its content is malformed."""

    def __init__(self, path: Path, *, detail: str = "") -> None:
        super().__init__(
            f"削除履歴のファイルが壊れているため、開けません（{path}）。",
            next_step_ja=(
                "削除履歴はこれまでに削除したアドレスの記録のため、Todoku はこのファイルを"
                "消したり作り直したりしません（手を加えていません）。バックアップがあれば、"
                "そのファイルに戻してください。ない場合は、このファイルを別の名前に変えて"
                "保管すると（管理者に渡せます）、次に開いたときに新しい削除履歴が作られます。"
                + _STILL_OFF
            ),
            detail=detail,
        )
        self.path = path


class JournalInUseError(JournalError):
    """Another connection (another Todoku window, todoku-cli) held the file's lock past the
    busy wait."""

    def __init__(self, path: Path, *, next_step_ja: str | None = None, detail: str = "") -> None:
        super().__init__(
            "削除履歴のファイルをほかのプログラム（別の Todoku の画面や todoku-cli の削除など）"
            f"が使用中のため、開けませんでした（{path}）。",
            next_step_ja=next_step_ja
            or (
                "ほかの Todoku や todoku-cli の処理が終わってから、もう一度お試しください。"
                "ファイルには手を加えていません。" + _STILL_OFF
            ),
            detail=detail,
        )
        self.path = path


class JournalDiskFullError(JournalError):
    default_message_ja = "ディスクがいっぱいのため、削除履歴に記録できませんでした。"
    default_next_step_ja = "ディスクの空きを増やしてから、もう一度お試しください。" + _STILL_OFF


class JournalAccessError(JournalError):
    """No permission to read the file or to write where SQLite must (its -wal/-shm files)."""

    default_message_ja = (
        "削除履歴のファイルまたはそのフォルダに読み書きの権限がないため、削除履歴を開けません。"
    )
    default_next_step_ja = (
        "削除履歴のファイルとフォルダに、このユーザーの読み取りと書き込みの権限があるか"
        "確認してください。ファイルには手を加えていません。" + _STILL_OFF
    )


def journal_error(error: sqlite3.Error | OSError, path: Path) -> JournalError:
    """The error to raise for ``error`` on the journal file at ``path``."""
    detail = f"{type(error).__name__}: {error} ({path})"
    if isinstance(error, OSError):
        if isinstance(error, PermissionError):
            return JournalAccessError(detail=detail)
        return JournalError(detail=detail)
    if is_corrupt(error):
        return JournalDamagedError(path, detail=detail)
    if is_busy(error):
        return JournalInUseError(path, detail=detail)
    if is_disk_full(error):
        return JournalDiskFullError(detail=detail)
    if is_permission(error):
        return JournalAccessError(detail=detail)
    return JournalError(detail=detail)
