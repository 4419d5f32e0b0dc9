"""Feature folders depend one way: no module in a feature folder (app/ui/fetch, delete, ...)
imports the shell (the main controller or the window), nor another feature's folder."""

from __future__ import annotations

import ast
from pathlib import Path

UI = Path(__file__).resolve().parents[2] / "app" / "ui"
# The window's own modules (window_actions, window_fetch, ...) are the shell too.
SHELL = ("app.ui.controller", "app.ui.main_window", "app.ui.window_")


def feature_folders() -> list[Path]:
    shared = {"models", "widgets", "dialogs", "__pycache__"}
    return [p for p in UI.iterdir() if p.is_dir() and p.name not in shared]


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_feature_folders_exist() -> None:
    names = {folder.name for folder in feature_folders()}
    assert {"fetch", "delete", "delivery", "export", "ai", "connection"} <= names


def test_features_import_neither_the_shell_nor_each_other() -> None:
    wrong = []
    folders = feature_folders()
    for folder in folders:
        others = tuple(f"app.ui.{other.name}" for other in folders if other != folder)
        for path in folder.glob("*.py"):
            for name in imported_modules(path):
                if name.startswith(SHELL) or name.startswith(tuple(o + "." for o in others)):
                    wrong.append(f"{path.relative_to(UI)} imports {name}")
    assert wrong == []
