"""The core and the sandbox stay Qt-free: checked on the source, not by convention."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parents[1] / "app"
QT_FREE_PACKAGES = ("core", "sandbox", "cli")


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def _python_files(package: str) -> list[Path]:
    return sorted((APP / package).rglob("*.py"))


@pytest.mark.parametrize("package", QT_FREE_PACKAGES)
def test_package_does_not_import_qt(package: str) -> None:
    offenders = {
        str(path.relative_to(APP)): sorted(
            name
            for name in _imported_modules(path)
            if name.split(".")[0] in {"PySide6", "shiboken6", "app.ui"} or name.startswith("app.ui")
        )
        for path in _python_files(package)
    }
    offenders = {path: names for path, names in offenders.items() if names}
    assert offenders == {}


def test_the_check_sees_a_qt_import(tmp_path: Path) -> None:
    # Guard against a check that cannot fail: it must flag a file that imports Qt.
    sample = tmp_path / "sample.py"
    sample.write_text("from PySide6.QtCore import QObject\nimport app.ui.main_window\n")
    assert {"PySide6.QtCore", "app.ui.main_window"} <= _imported_modules(sample)


def test_core_imports_without_qt_loaded() -> None:
    import subprocess
    import sys

    code = (
        "import sys, pkgutil, importlib, app.core, app.sandbox\n"
        "for pkg in (app.core, app.sandbox):\n"
        "    for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'):\n"
        "        importlib.import_module(m.name)\n"
        "bad = [m for m in sys.modules if m.startswith('PySide6')]\n"
        "print(bad); sys.exit(1 if bad else 0)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
