"""An output target that is a symbolic link into another folder (a shared folder's file)."""

from __future__ import annotations

from pathlib import Path


def linked_target(tmp_path: Path, name: str) -> tuple[Path, Path]:
    """``(link, real)``: ``tmp_path/name`` links to ``tmp_path/shared/name``, which holds
    b"old export". Writers must replace ``real`` and keep ``link`` a link."""
    shared = tmp_path / "shared"
    shared.mkdir()
    real = shared / name
    real.write_bytes(b"old export")
    link = tmp_path / name
    link.symlink_to(real)
    return link, real
