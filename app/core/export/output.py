"""Write an export beside its target and move it into place only when it is complete."""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from collections.abc import Iterator
from pathlib import Path

from app.core.durable_files import replace_durably, unique_temporary
from app.core.errors import TodokuError

_DISK_FULL_ERRNOS = frozenset(
    code for code in (errno.ENOSPC, getattr(errno, "EDQUOT", None), errno.EFBIG) if code is not None
)


class ExportError(TodokuError):
    """The export file could not be written; nothing was left at the target path."""

    default_message_ja = "ファイルを保存できませんでした。"
    default_next_step_ja = "保存先やファイル名を変えて、もう一度お試しください。"


def _is_dir(path: Path) -> bool:
    """``path.is_dir()``, False where the OS cannot even look the name up (too long)."""
    try:
        return path.is_dir()
    except (OSError, ValueError):
        return False


def export_error_from(error: OSError, path: Path) -> ExportError:
    """Translate an OS failure while exporting to ``path`` into a Japanese message and next step."""
    detail = f"{type(error).__name__}: {error} (保存先: {path})"
    if error.errno == errno.ENAMETOOLONG:
        # Most file systems allow 255 bytes a name: 85 kanji in UTF-8, which a descriptive
        # Japanese file name reaches easily.
        return ExportError(
            "ファイル名（または保存先のパス）が長すぎるため、保存できません。",
            next_step_ja="ファイル名を短くするか、浅い場所のフォルダに保存してください。",
            detail=detail,
        )
    if isinstance(error, FileNotFoundError) and not _is_dir(path.parent):
        return ExportError(
            "保存先のフォルダが見つかりません。",
            next_step_ja=(
                "保存先を選び直してください。フォルダが移動・削除されていないか、"
                "ネットワークドライブや USB メモリがつながっているかも確認してください。"
            ),
            detail=detail,
        )
    if isinstance(error, IsADirectoryError) or _is_dir(path):
        return ExportError(
            "同じ名前のフォルダがあるため、保存できません。",
            next_step_ja="別のファイル名を指定してください。",
            detail=detail,
        )
    if isinstance(error, PermissionError):
        return ExportError(
            "ファイルを保存できませんでした。同じ名前のファイルが Excel などで開かれているか、"
            "保存先フォルダに書き込む権限がありません。",
            next_step_ja=(
                "そのファイルを Excel で開いている場合は閉じてから、もう一度お試しください。"
                "解決しない場合は、別のファイル名か別の保存先（デスクトップなど）を選んでください。"
            ),
            detail=detail,
        )
    if error.errno in _DISK_FULL_ERRNOS:
        return ExportError(
            "ディスクの空き容量が足りないため、保存できませんでした。",
            next_step_ja=(
                "不要なファイルを削除して空き容量を増やすか、別のドライブに保存してください。"
                "絞り込みで行数を減らすと、ファイルも小さくなります。"
            ),
            detail=detail,
        )
    return ExportError(detail=detail)


def check_target(path: Path) -> None:
    """Fail before any work when the target cannot possibly be written."""
    if "\x00" in str(path):  # a NUL pasted into the name: no OS takes it (ValueError, not OSError)
        raise ExportError(
            "ファイル名に使えない文字が含まれているため、保存できません。",
            next_step_ja="ファイル名を入力し直してください。",
            detail=f"NUL in the path: {str(path)!r}",
        )
    try:
        path.stat()
    except OSError as error:
        if error.errno == errno.ENAMETOOLONG:
            raise export_error_from(error, path) from error
    if path.is_dir():
        raise export_error_from(IsADirectoryError(errno.EISDIR, "is a directory", str(path)), path)
    if not path.parent.is_dir():
        raise export_error_from(
            FileNotFoundError(errno.ENOENT, "folder not found", str(path.parent)), path
        )


@contextlib.contextmanager
def atomic_output(path: Path) -> Iterator[Path]:
    """Yield a temporary path in the target's folder; on success move it onto ``path``.

    On any failure or cancel the temporary file is removed and ``path`` is untouched (an older
    file there survives). OS errors become ``ExportError``; other exceptions pass through.

    A symbolic link is followed: the file it points to is replaced, the link stays. A target
    that is not a regular file (``/dev/stdout``, a named pipe, ``/dev/null``) is written
    directly: a rename would put a regular file in its place (run as root, it replaced the
    device node ``/dev/full`` itself), and a stream leaves no half file to protect.
    """
    check_target(path)
    if _is_stream(path):  # stat follows links: /dev/stdout is the pipe or terminal behind it
        try:
            yield path
        except OSError as error:
            raise export_error_from(error, path) from error
        return
    target = Path(os.path.realpath(path)) if path.is_symlink() else path
    try:
        temp_path = unique_temporary(target)
    except OSError as error:
        raise export_error_from(error, path) from error
    try:
        yield temp_path
        # Flushed before and after the rename: a power cut never leaves a half file under the
        # final name (a rename can reach the disk before the bytes do).
        replace_durably(temp_path, target)
    except OSError as error:
        _remove_quietly(temp_path)
        raise export_error_from(error, path) from error
    except BaseException:
        _remove_quietly(temp_path)
        raise


def _is_stream(path: Path) -> bool:
    """True for an existing character or block device, named pipe or socket."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return False  # missing (the usual case) or unreadable: the normal path reports it
    return stat.S_ISCHR(mode) or stat.S_ISBLK(mode) or stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)


def _remove_quietly(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()


def save_text(path: Path, text: str) -> None:
    """Save a text the operator asked for (a letter, a guide) whole or not at all, in UTF-8
    with the OS's own line endings (Notepad shows the lines as written). Writing in place cut
    an older file at ``path`` to nothing before a full disk refused the new text; here the
    older file survives any failure. Raises ``ExportError``."""
    with atomic_output(path) as temp_path:
        temp_path.write_text(text, encoding="utf-8")
