"""Per-user folders are the ones platformdirs names (so data stays where earlier versions put
it), and resources are found in frozen builds."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from app.paths import APP_AUTHOR, APP_NAME, resources_dir, user_paths

ROOT = Path(__file__).resolve().parents[1]


def test_linux_folders_are_the_xdg_ones(monkeypatch):
    if sys.platform in ("win32", "darwin"):
        pytest.skip("the XDG folders are the Linux and BSD ones")
    monkeypatch.setenv("HOME", "/home/tama")
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    monkeypatch.setenv("XDG_STATE_HOME", "/srv/state")
    paths = user_paths()
    assert paths.data_dir == Path("/home/tama/.local/share/Todoku")
    assert paths.log_dir == Path("/srv/state/Todoku/log")


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
