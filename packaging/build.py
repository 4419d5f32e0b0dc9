"""Build the desktop bundle with PyInstaller: ``python packaging/build.py`` → packaging/dist/.

One script for every OS (it must run on the OS you build for; PyInstaller does not cross-compile).
Options pass the output folders through, so tests can build into a temporary directory.
"""

from __future__ import annotations

import argparse
import ast
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

PACKAGING = Path(__file__).resolve().parent
ROOT = PACKAGING.parent
SPEC = PACKAGING / "todoku.spec"
APP_NAME = "Todoku"


def app_version() -> str:
    """app.__version__ without importing the app."""
    tree = ast.parse((ROOT / "app" / "__init__.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            getattr(target, "id", None) == "__version__" for target in node.targets
        ):
            return str(ast.literal_eval(node.value))
    raise RuntimeError("app/__init__.py defines no __version__")


def bundle_dir(distpath: Path) -> Path:
    """Where the one-folder app lands (on macOS the .app bundle sits next to it)."""
    return distpath / APP_NAME


def executable(distpath: Path) -> Path:
    name = f"{APP_NAME}.exe" if sys.platform == "win32" else APP_NAME
    return bundle_dir(distpath) / name


def folder_size(folder: Path) -> int:
    """Bytes on disk; PyInstaller's Linux bundles contain symlinks, counted once."""
    return sum(
        path.stat().st_size
        for path in folder.rglob("*")
        if path.is_file() and not path.is_symlink()
    )


def add_linux_launcher(folder: Path) -> None:
    """Ship install.sh and the .desktop template inside the bundle, beside the executable."""
    for name in ("install.sh", "todoku.desktop"):
        shutil.copy2(PACKAGING / "linux" / name, folder / name)
    (folder / "install.sh").chmod(0o755)


def make_archive(distpath: Path) -> Path:
    """Todoku-<version>-<os>-<arch>.zip (.tar.gz on Linux, which keeps symlinks and modes)."""
    system = {"win32": "windows", "darwin": "macos"}.get(sys.platform, "linux")
    machine = platform.machine().lower().replace("amd64", "x64").replace("x86_64", "x64")
    base = distpath / f"{APP_NAME}-{app_version()}-{system}-{machine}"
    # The .app bundle is what macOS users get; elsewhere the one-folder app.
    root = f"{APP_NAME}.app" if system == "macos" else APP_NAME
    kind = "gztar" if system == "linux" else "zip"
    return Path(shutil.make_archive(str(base), kind, root_dir=distpath, base_dir=root))


def check_tools() -> str | None:
    """An actionable message when a build prerequisite is missing, else None."""
    try:
        import PyInstaller  # noqa: F401
    except ImportError:
        return "PyInstaller is not installed: pip install -e '.[package]'"
    if sys.platform.startswith("linux") and shutil.which("objdump") is None:
        return "PyInstaller needs objdump on Linux: install binutils (apt-get install binutils)"
    return None


def build(distpath: Path, workpath: Path, *, clean: bool = False, quiet: bool = False) -> Path:
    """Run PyInstaller on the spec; returns the bundle folder. Raises CalledProcessError."""
    problem = check_tools()
    if problem:
        raise RuntimeError(problem)
    command = [
        sys.executable,
        "-m",
        "PyInstaller",
        str(SPEC),
        "--noconfirm",
        "--distpath",
        str(distpath),
        "--workpath",
        str(workpath),
        "--log-level",
        "WARN" if quiet else "INFO",
    ]
    if clean:
        command.append("--clean")
    # The build must not pick up an offscreen or test configuration from the caller's shell.
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST")}
    subprocess.run(command, cwd=ROOT, env=env, check=True)
    folder = bundle_dir(distpath)
    if sys.platform.startswith("linux"):
        add_linux_launcher(folder)
    return folder


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the Todoku desktop bundle.")
    parser.add_argument("--distpath", type=Path, default=PACKAGING / "dist")
    parser.add_argument("--workpath", type=Path, default=PACKAGING / "build")
    parser.add_argument("--clean", action="store_true", help="empty PyInstaller's cache first")
    parser.add_argument("--quiet", action="store_true", help="only warnings from PyInstaller")
    parser.add_argument("--archive", action="store_true", help="also write a .zip/.tar.gz")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    try:
        folder = build(args.distpath, args.workpath, clean=args.clean, quiet=args.quiet)
    except RuntimeError as error:
        print(f"build.py: {error}", file=sys.stderr)
        return 2
    except subprocess.CalledProcessError as error:
        print(f"build.py: PyInstaller failed (exit {error.returncode})", file=sys.stderr)
        return 1
    elapsed = time.perf_counter() - started
    size_mb = folder_size(folder) / 1_000_000
    print(f"built {executable(args.distpath)} in {elapsed:.0f} s; folder {size_mb:.0f} MB")
    if args.archive:
        archive = make_archive(args.distpath)
        print(f"archive {archive} ({archive.stat().st_size / 1_000_000:.0f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
