"""Per-user folders match platformdirs on every OS (so data stays where earlier versions put it),
start-up does not import platformdirs on Linux, and resources are found in frozen builds."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from platformdirs.macos import MacOS
from platformdirs.unix import Unix
from platformdirs.windows import Windows

from app.paths import APP_AUTHOR, APP_NAME, resources_dir, user_dirs, user_paths

ROOT = Path(__file__).resolve().parents[1]
XDG = ("XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME")

# (HOME or None = unset, {XDG variable: value}) — the cases platformdirs treats differently.
ENVIRONMENTS = [
    ("/home/tama", {}),
    ("/home/tama/", {}),  # trailing slash
    ("/", {}),  # root's home on some systems
    ("/home/tama", {"XDG_DATA_HOME": "/srv/data", "XDG_STATE_HOME": "/srv/state"}),
    ("/home/tama", {"XDG_DATA_HOME": "/srv/data/", "XDG_STATE_HOME": "/srv/state/"}),
    ("/home/tama", {"XDG_DATA_HOME": "relative/data", "XDG_STATE_HOME": "relative/state"}),
    ("/home/tama", {"XDG_DATA_HOME": "", "XDG_STATE_HOME": ""}),
    ("/home/tama", {"XDG_DATA_HOME": "~/data"}),  # not expanded: relative, so ignored
    ("relative-home", {}),  # a relative HOME counts as unset: the passwd entry is used
    (None, {}),
]


def set_environment(monkeypatch: pytest.MonkeyPatch, home: str | None, xdg: dict[str, str]):
    for name in XDG:
        monkeypatch.delenv(name, raising=False)
    if home is None:
        monkeypatch.delenv("HOME", raising=False)
    else:
        monkeypatch.setenv("HOME", home)
    for name, value in xdg.items():
        monkeypatch.setenv(name, value)


@pytest.mark.parametrize(("home", "xdg"), ENVIRONMENTS)
@pytest.mark.parametrize(("platform", "reference"), [("linux", Unix), ("darwin", MacOS)])
def test_user_dirs_match_platformdirs(monkeypatch, platform, reference, home, xdg):
    set_environment(monkeypatch, home, xdg)
    expected = reference(APP_NAME, APP_AUTHOR)
    assert user_dirs(platform, os.environ) == (expected.user_data_dir, expected.user_log_dir)


def test_linux_folders_are_the_xdg_ones(monkeypatch):
    set_environment(monkeypatch, "/home/tama", {})
    assert user_dirs("linux", os.environ) == (
        "/home/tama/.local/share/Todoku",
        "/home/tama/.local/state/Todoku/log",
    )
    set_environment(monkeypatch, "/home/tama", {"XDG_STATE_HOME": "/srv/state"})
    assert user_dirs("freebsd14", os.environ)[1] == "/srv/state/Todoku/log"


def test_macos_folders_are_the_library_ones(monkeypatch):
    set_environment(monkeypatch, "/Users/tama", {})
    assert user_dirs("darwin", os.environ) == (
        "/Users/tama/Library/Application Support/Todoku",
        "/Users/tama/Library/Logs/Todoku",
    )


def test_windows_folders_come_from_platformdirs(monkeypatch):
    # platformdirs' own override variable stands in for the Known Folder API off Windows.
    local = "C:\\Users\\tama\\AppData\\Local"
    monkeypatch.setenv("WIN_PD_OVERRIDE_LOCAL_APPDATA", local)
    expected = Windows(APP_NAME, APP_AUTHOR)
    data_dir, log_dir = user_dirs("win32", os.environ)
    assert (data_dir, log_dir) == (expected.user_data_dir, expected.user_log_dir)
    assert data_dir.startswith(local) and data_dir.endswith(os.path.join("Todoku", "Todoku"))
    assert log_dir == os.path.join(data_dir, "Logs")


def test_user_paths_without_importing_platformdirs(tmp_path):
    code = (
        "import json, sys\n"
        "from app.paths import user_paths\n"
        "paths = user_paths()\n"
        "print(json.dumps([str(paths.data_dir), str(paths.log_dir),"
        " 'platformdirs' in sys.modules]))\n"
    )
    env = dict(os.environ)
    env.update(HOME=str(tmp_path), XDG_STATE_HOME=str(tmp_path / "state"))
    env.pop("XDG_DATA_HOME", None)
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=30
    )
    data_dir, log_dir, imported = json.loads(result.stdout)
    assert data_dir == str(tmp_path / ".local" / "share" / "Todoku")
    assert log_dir == str(tmp_path / "state" / "Todoku" / "log")
    assert imported is (sys.platform == "win32")


def test_user_paths_on_this_machine_match_platformdirs():
    import platformdirs

    paths = user_paths()
    assert paths.data_dir == Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR))
    assert paths.log_dir == Path(platformdirs.user_log_dir(APP_NAME, APP_AUTHOR))


def test_resources_in_a_source_tree():
    assert resources_dir() == ROOT / "resources"
    assert (resources_dir() / "rules").is_dir()


def test_resources_in_a_pyinstaller_build(monkeypatch, tmp_path):
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert resources_dir() == tmp_path / "resources"


def test_frozen_without_a_bundle_folder_keeps_the_source_layout(monkeypatch):
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.delattr(sys, "_MEIPASS", raising=False)
    assert resources_dir() == ROOT / "resources"
