#!/usr/bin/env python3
"""Set up and run Todoku from a fresh checkout: `python3 run.py app` or `python3 run.py tests`.

Uses only the standard library so it works before anything is installed. It creates `.venv`
beside this file, installs the project into it (again only when pyproject.toml changed), then
starts the app or runs the whole test suite. Extra arguments go to the app or to pytest.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"


def _venv_python() -> Path:
    if os.name == "nt":
        return VENV / "Scripts" / "python.exe"
    return VENV / "bin" / "python"


def _ensure_installed(extra: str) -> Path:
    python = _venv_python()
    if not python.exists():
        print("初回の準備: 仮想環境を作成しています…", flush=True)
        try:
            venv.EnvBuilder(with_pip=True).create(VENV)
        except Exception as error:  # e.g. Debian without python3-venv
            sys.exit(f"仮想環境を作成できません（{error}）。python3-venv を導入してください。")
    spec = f".[{extra}]" if extra else "."
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + spec.encode()).hexdigest()
    stamp = VENV / f".installed-{extra or 'app'}"
    if not stamp.exists() or stamp.read_text() != digest:
        print("必要なパッケージを導入しています…（初回は数分かかります）", flush=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "--disable-pip-version-check", "-q", "-e", spec],
            cwd=ROOT,
            check=True,
        )
        stamp.write_text(digest)
    return python


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"app", "tests"}:
        print(__doc__)
        return 2
    command, rest = argv[0], argv[1:]
    if command == "app":
        python = _ensure_installed("")
        return subprocess.call([str(python), "-m", "app", *rest], cwd=ROOT)
    python = _ensure_installed("test")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    return subprocess.call([str(python), "-m", "pytest", *rest], cwd=ROOT, env=env)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
