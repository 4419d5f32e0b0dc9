"""run.py: one apt list for README, CI and the start-up check; missing Qt libraries named with
the apt line that adds them; a venv set up for the tests also serves the app."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]


def load_run_py() -> ModuleType:
    spec = importlib.util.spec_from_file_location("todoku_run_py", ROOT / "run.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


run = load_run_py()


def test_ci_and_readme_take_the_package_list_from_one_file() -> None:
    packages, provider = run.apt_table()
    assert {"libxcb-icccm4", "libxcb-keysyms1", "fonts-noto-cjk", "xvfb"} <= set(packages)
    assert provider["libxcb-icccm.so.4"] == "libxcb-icccm4"
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "packaging/linux/apt-packages.txt" in ci
    assert "libxcb" not in ci  # no second copy of the list
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "packaging/linux/apt-packages.txt" in readme
    assert "…" not in readme.split("## 二つのコマンド", 1)[1].split("##", 1)[0]


@pytest.mark.skipif(shutil.which("ldd") is None, reason="ldd exists on Linux only")
def test_every_library_qt_platforms_miss_here_is_in_the_list() -> None:
    # Whatever this machine lacks for Qt's real platform plugins, the list must name its package
    # (on CI everything is installed and nothing is missing).
    _, provider = run.apt_table()
    python = Path(sys.executable)
    for platform in ("xcb", "offscreen"):
        plugin = run._qt_platform_plugin(python, {"QT_QPA_PLATFORM": platform})
        assert plugin is not None and plugin.exists()
        assert [lib for lib in run.missing_libraries(plugin) if lib not in provider] == []


@pytest.mark.skipif(
    shutil.which("ldd") is None or shutil.which("cc") is None, reason="needs ldd and a C compiler"
)
def test_a_missing_library_is_named_with_its_apt_line(tmp_path: Path) -> None:
    # A real shared object whose dependency was removed after linking, as a plugin would be.
    (tmp_path / "dep.c").write_text("int todoku_dep(void) { return 1; }\n")
    (tmp_path / "plugin.c").write_text(
        "int todoku_dep(void);\nint f(void) { return todoku_dep(); }\n"
    )
    subprocess.run(
        [
            "cc",
            "-shared",
            "-fPIC",
            "-Wl,-soname,libtodokudep.so.7",
            "-o",
            "libtodokudep.so.7",
            "dep.c",
        ],
        cwd=tmp_path,
        check=True,
    )
    (tmp_path / "libtodokudep.so").symlink_to("libtodokudep.so.7")
    subprocess.run(
        ["cc", "-shared", "-fPIC", "-o", "libqfake.so", "plugin.c", "-L.", "-ltodokudep"],
        cwd=tmp_path,
        check=True,
    )
    (tmp_path / "libtodokudep.so.7").unlink()

    missing = run.missing_libraries(tmp_path / "libqfake.so")
    assert missing == ["libtodokudep.so.7"]
    advice = run.install_advice(missing, {"libtodokudep.so.7": "libtodokudep7"})
    assert "libtodokudep.so.7" in advice
    assert "apt-get install -y libtodokudep7" in advice.splitlines()[-1]
    unknown = run.install_advice(missing, {})
    assert "apt-get install" not in unknown and "apt-file search" in unknown


def test_a_venv_installed_for_the_tests_serves_the_app(tmp_path: Path) -> None:
    assert run.needs_install(tmp_path, "") and run.needs_install(tmp_path, "test")
    run._stamp(tmp_path, "test").write_text(run._digest("test"))
    assert not run.needs_install(tmp_path, "test")
    assert not run.needs_install(tmp_path, "")  # the test extra covers the app
    run._stamp(tmp_path, "test").write_text("an older pyproject.toml")
    assert run.needs_install(tmp_path, "") and run.needs_install(tmp_path, "test")
    run._stamp(tmp_path, "").write_text(run._digest(""))
    assert not run.needs_install(tmp_path, "") and run.needs_install(tmp_path, "test")
