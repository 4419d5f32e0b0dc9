"""The operator's words (resources/glossary.toml): one source for the window, the dialogs, the
exports and the CLI, so the same thing is never called two names."""

from __future__ import annotations

import functools
import sys
import tomllib
from pathlib import Path
from typing import Any


def glossary_path() -> Path:
    """resources/glossary.toml of the source checkout, or of the bundle when frozen (the core
    cannot ask app/paths.py, which sits above it)."""
    frozen_root = getattr(sys, "_MEIPASS", None)
    if getattr(sys, "frozen", False) and frozen_root:
        return Path(frozen_root) / "resources" / "glossary.toml"
    return Path(__file__).resolve().parents[2] / "resources" / "glossary.toml"


@functools.cache
def _table() -> dict[str, Any]:
    with glossary_path().open("rb") as file:
        return tomllib.load(file)


def term(name: str) -> str:
    """A general term, e.g. ``term("lists")`` -> 届かない宛先リスト."""
    value: str = _table()["terms"][name]
    return value


@functools.cache  # grids and exports ask once per row
def list_label(api_name: str) -> str:
    """A list's Japanese name by its API path segment (``bounces`` -> バウンス)."""
    value: str = _table()["lists"][api_name]
    return value


def category_labels() -> dict[str, str]:
    """Category name -> Japanese label, in the glossary's order (charts and reports use it)."""
    return dict(_table()["categories"])


@functools.cache  # grids and exports ask once per row
def delete_effect_label(effect: str) -> str:
    """What deleting does, by DeleteEffect value (``after_fix`` -> 原因を直してから)."""
    value: str = _table()["delete_effects"][effect]
    return value


def permanence_label(permanent: bool) -> str:
    """一時的 (waiting alone can succeed) or 恒久的 (someone must change something first)."""
    value: str = _table()["permanence"]["permanent" if permanent else "temporary"]
    return value
