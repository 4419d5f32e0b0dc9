"""Which part of the app may import which: the import-linter contracts in pyproject.toml, and
no Qt module loaded by the core, the sandbox or the CLI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(*config: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", *map(str, config)],
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": ""},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_import_contracts_are_kept() -> None:
    result = lint_imports()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_a_broken_contract_fails(tmp_path: Path) -> None:
    # Guard against a check that cannot fail: deletion does use the journal.
    config = tmp_path / ".importlinter"
    config.write_text(
        "[importlinter]\nroot_package = app\n\n[importlinter:contract:sample]\n"
        "name = sample\ntype = forbidden\nsource_modules = app.core.deletion\n"
        "forbidden_modules = app.core.storage\n"
    )
    result = lint_imports(config)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "BROKEN" in result.stdout


def test_core_sandbox_and_cli_import_without_qt_loaded() -> None:
    code = (
        "import sys, pkgutil, importlib, app.core, app.sandbox, app.cli\n"
        "for pkg in (app.core, app.sandbox, app.cli):\n"
        "    for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'):\n"
        "        if not m.name.endswith('__main__'):  # would run the command\n"
        "            importlib.import_module(m.name)\n"
        "bad = [m for m in sys.modules if m.startswith('PySide6')]\n"
        "print(bad); sys.exit(1 if bad else 0)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
