"""Where things live: resources in source and frozen builds, per-user data and log dirs."""

from __future__ import annotations

import os
import posixpath
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

APP_NAME = "Todoku"
APP_AUTHOR = "Todoku"


def resources_dir() -> Path:
    """The ``resources/`` folder: next to the executable's bundle when frozen, else the repo's."""
    frozen_root = getattr(sys, "_MEIPASS", None)  # set by PyInstaller one-folder/one-file builds
    if getattr(sys, "frozen", False) and frozen_root:
        return Path(frozen_root) / "resources"
    return Path(__file__).resolve().parents[1] / "resources"


@dataclass(frozen=True, slots=True)
class AppPaths:
    """Every directory the app writes to, resolved once at start-up and passed down."""

    data_dir: Path
    log_dir: Path
    resources: Path

    @property
    def settings_file(self) -> Path:
        return self.data_dir / "settings.json"

    @property
    def log_file(self) -> Path:
        return self.log_dir / "todoku.log"

    def ensure(self) -> AppPaths:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        return self


def user_paths() -> AppPaths:
    """The per-user directories of this OS, the same ones ``platformdirs`` names."""
    data_dir, log_dir = user_dirs(sys.platform, os.environ)
    return AppPaths(data_dir=Path(data_dir), log_dir=Path(log_dir), resources=resources_dir())


def user_dirs(platform: str, environ: Mapping[str, str]) -> tuple[str, str]:
    """(data dir, log dir) of ``platformdirs.user_data_dir/user_log_dir("Todoku", "Todoku")``.

    Importing platformdirs costs ~4 ms of start-up (it pulls in ``tempfile``, ``random``,
    ``shutil`` and compiles regexes), so Linux and macOS use these few lines instead; they give
    the same answer as the platformdirs version the app ships with (tests/test_paths.py compares
    them), so settings and journals stay where earlier versions put them. Windows still asks
    platformdirs: the folder comes from the shell's Known Folder API there, which an
    environment variable only usually matches.
    """
    if platform == "win32":
        from platformdirs.windows import Windows

        dirs = Windows(APP_NAME, APP_AUTHOR)
        return dirs.user_data_dir, dirs.user_log_dir
    if platform == "darwin":
        # XDG variables, when set, win over the macOS folders for data (not for logs).
        data_base = _xdg_home(environ, "XDG_DATA_HOME") or _expand_home(
            environ, "~/Library/Application Support"
        )
        return _join(data_base), _join(_expand_home(environ, "~/Library/Logs"))
    # Linux and the BSDs: the XDG base directory spec; logs in a "log" folder of the state dir.
    data_base = _xdg_home(environ, "XDG_DATA_HOME") or _expand_home(environ, "~/.local/share")
    state_base = _xdg_home(environ, "XDG_STATE_HOME") or _expand_home(environ, "~/.local/state")
    return _join(data_base), os.path.join(_join(state_base), "log")


def _join(base: str) -> str:
    return os.path.join(base, APP_NAME)


def _xdg_home(environ: Mapping[str, str], name: str) -> str | None:
    """An XDG variable counts only when it holds an absolute path (the spec says to ignore
    relative ones)."""
    value = environ.get(name, "")
    return value if posixpath.isabs(value) else None


def _expand_home(environ: Mapping[str, str], path: str) -> str:
    """``~/...`` below the home folder; a relative ``HOME`` counts as unset (as platformdirs)."""
    home = environ.get("HOME")
    if home is None or not posixpath.isabs(home):
        import pwd  # only when HOME is missing or unusable

        try:
            home = pwd.getpwuid(os.getuid()).pw_dir
        except KeyError:  # no passwd entry (some containers)
            home = None
    expanded = path if home is None else (home.rstrip("/") + path[1:] or "/")
    if not posixpath.isabs(expanded):
        raise RuntimeError(f"could not determine the home directory for {path!r}")
    return expanded


def paths_under(root: Path) -> AppPaths:
    """All directories below one root (tests, --self-test)."""
    return AppPaths(data_dir=root / "data", log_dir=root / "log", resources=resources_dir())
