#!/usr/bin/env python3
"""Set up and run Todoku from a fresh checkout: `python3 run.py app` or `python3 run.py tests`.

Uses only the standard library so it works before anything is installed. It creates `.venv`
beside this file, installs the project into it (again only when pyproject.toml changed), then
starts the app or runs the whole test suite. Extra arguments go to the app or to pytest.
On Linux it first checks that the system libraries Qt needs are there and, when some are not,
prints the exact `apt-get install` line (the package list is packaging/linux/apt-packages.txt).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
APT_PACKAGES = ROOT / "packaging" / "linux" / "apt-packages.txt"
# What each command installs. The test extra includes everything the app needs, so a venv set
# up for the tests also serves `run.py app` without installing again.
SUPERSETS = {"": ("", "test"), "test": ("test",)}


def _venv_python() -> Path:
    if os.name == "nt":
        return VENV / "Scripts" / "python.exe"
    return VENV / "bin" / "python"


def _digest(extra: str) -> str:
    spec = f".[{extra}]" if extra else "."
    return hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + spec.encode()).hexdigest()


def _stamp(venv_dir: Path, extra: str) -> Path:
    return venv_dir / f".installed-{extra or 'app'}"


def needs_install(venv_dir: Path, extra: str) -> bool:
    """True unless this pyproject.toml was installed with ``extra`` or with one that covers it."""
    for covering in SUPERSETS[extra]:
        stamp = _stamp(venv_dir, covering)
        if stamp.exists() and stamp.read_text() == _digest(covering):
            return False
    return True


def _ensure_installed(extra: str) -> Path:
    python = _venv_python()
    if not python.exists():
        print("初回の準備: 仮想環境を作成しています…", flush=True)
        try:
            venv.EnvBuilder(with_pip=True).create(VENV)
        except Exception as error:  # e.g. Debian without python3-venv
            sys.exit(f"仮想環境を作成できません（{error}）。python3-venv を導入してください。")
    if needs_install(VENV, extra):
        print("必要なパッケージを導入しています…（初回は数分かかります）", flush=True)
        spec = f".[{extra}]" if extra else "."
        subprocess.run(
            [str(python), "-m", "pip", "install", "--disable-pip-version-check", "-q", "-e", spec],
            cwd=ROOT,
            check=True,
        )
        _stamp(VENV, extra).write_text(_digest(extra))
    return python


def apt_table(path: Path = APT_PACKAGES) -> tuple[list[str], dict[str, str]]:
    """The packages in the list, and which package provides each shared library named there."""
    packages: list[str] = []
    provider: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        words = line.split("#", 1)[0].split()
        if words:
            packages.append(words[0])
            provider.update(dict.fromkeys(words[1:], words[0]))
    return packages, provider


def missing_libraries(binary: Path) -> list[str]:
    """Libraries ``binary`` needs (directly or through others) that the loader cannot find."""
    if shutil.which("ldd") is None or not binary.exists():
        return []  # not Linux, or no way to tell: let Qt speak for itself
    listing = subprocess.run(
        ["ldd", str(binary)], capture_output=True, text=True, timeout=60, check=False
    ).stdout
    return sorted({line.split()[0] for line in listing.splitlines() if "not found" in line})


def _as_root() -> str:
    return "" if hasattr(os, "geteuid") and os.geteuid() == 0 else "sudo "


def install_advice(missing: list[str], provider: dict[str, str]) -> str:
    """A Japanese message naming the missing libraries and the exact apt-get line that adds them."""
    packages = sorted({provider[name] for name in missing if name in provider})
    unknown = [name for name in missing if name not in provider]
    lines = ["Qt が画面を開くのに必要なシステムライブラリが見つかりません: " + ", ".join(missing)]
    if packages:
        lines += [
            "次のコマンドで導入してから、もう一度実行してください:",
            f"  {_as_root()}apt-get install -y " + " ".join(packages),
        ]
    if unknown:
        lines.append(
            "次のライブラリを含むパッケージは一覧にありません"
            "（`apt-file search 名前` で探せます）: " + ", ".join(unknown)
        )
    return "\n".join(lines)


def _qt_platform_plugin(python: Path, environ: Mapping[str, str]) -> Path | None:
    """The platform plugin Qt will load under ``environ``, found without importing Qt."""
    if not sys.platform.startswith("linux"):
        return None
    platform = environ.get("QT_QPA_PLATFORM", "").split(":")[0]
    if not platform:
        wayland_only = environ.get("WAYLAND_DISPLAY") and not environ.get("DISPLAY")
        platform = "wayland" if wayland_only else "xcb"
    where = subprocess.run(
        [
            str(python),
            "-c",
            "import importlib.util; print(importlib.util.find_spec('PySide6').origin)",
        ],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    if not where:
        return None
    return Path(where).parent / "Qt" / "plugins" / "platforms" / f"libq{platform}.so"


def check_system_libraries(python: Path, environ: Mapping[str, str]) -> str | None:
    """None when Qt's platform plugin can load; otherwise the message for the user."""
    plugin = _qt_platform_plugin(python, environ)
    if plugin is None:
        return None
    missing = missing_libraries(plugin)
    if not missing:
        return None
    return install_advice(missing, apt_table()[1])


def _japanese_font_hint() -> str | None:
    if not sys.platform.startswith("linux") or shutil.which("fc-list") is None:
        return None
    fonts = subprocess.run(
        ["fc-list", ":lang=ja", "family"], capture_output=True, text=True, check=False
    ).stdout
    if fonts.strip():
        return None
    return (
        "注意: 日本語フォントが見つかりません。文字が四角く表示される場合は "
        f"`{_as_root()}apt-get install -y fonts-noto-cjk` を実行してください。"
    )


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"app", "tests"}:
        print(__doc__)
        return 2
    command, rest = argv[0], argv[1:]
    if command == "app":
        python = _ensure_installed("")
        problem = check_system_libraries(python, os.environ)
        if problem:
            print(problem, file=sys.stderr)
            return 1
        hint = _japanese_font_hint()
        if hint:
            print(hint, file=sys.stderr)
        return subprocess.call([str(python), "-m", "app", *rest], cwd=ROOT)
    python = _ensure_installed("test")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    problem = check_system_libraries(python, env)
    if problem:
        print(problem, file=sys.stderr)
        return 1
    return subprocess.call([str(python), "-m", "pytest", *rest], cwd=ROOT, env=env)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
