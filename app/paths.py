"""Where things live: resources in source and frozen builds, per-user data and log dirs."""

from __future__ import annotations

import sys
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
    """The per-user data and log folders of this OS, as ``platformdirs`` names them."""
    import platformdirs

    return AppPaths(
        data_dir=Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR)),
        log_dir=Path(platformdirs.user_log_dir(APP_NAME, APP_AUTHOR)),
        resources=resources_dir(),
    )


def paths_under(root: Path) -> AppPaths:
    """All directories below one root (tests, --self-test)."""
    return AppPaths(data_dir=root / "data", log_dir=root / "log", resources=resources_dir())
