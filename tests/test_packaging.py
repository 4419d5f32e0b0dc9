"""Desktop packaging: icons and launcher files are valid; the Linux bundle builds, installs and
passes its own ``--self-test`` (slow: a real PyInstaller build into a temporary directory)."""

from __future__ import annotations

import configparser
import importlib.util
import os
import re
import struct
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from PySide6.QtGui import QImage

from app import __version__

ROOT = Path(__file__).resolve().parents[1]
PACKAGING = ROOT / "packaging"
ICONS = ROOT / "resources" / "icons"
BUILD_TIMEOUT_S = 600
SELF_TEST_TIMEOUT_S = 120


def load_script(name: str) -> ModuleType:
    """A script from packaging/ (not a package, and not put on sys.path for everyone)."""
    spec = importlib.util.spec_from_file_location(f"packaging_{name}", PACKAGING / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build_script = load_script("build")  # packaging/build.py, the one build script

# -- icons (fast) -----------------------------------------------------------------------------


def png_size(data: bytes) -> tuple[int, int]:
    image = QImage.fromData(data, "PNG")
    assert not image.isNull(), "entry is not a readable PNG"
    return image.width(), image.height()


def read_ico(data: bytes) -> dict[int, bytes]:
    """Independent ICO reader: size → PNG bytes."""
    reserved, kind, count = struct.unpack_from("<HHH", data, 0)
    assert (reserved, kind) == (0, 1) and count > 0
    entries = {}
    for index in range(count):
        width, height, _, _, planes, bits, length, offset = struct.unpack_from(
            "<BBBBHHII", data, 6 + 16 * index
        )
        assert width == height and planes == 1 and bits == 32
        assert offset + length <= len(data)
        entries[width or 256] = data[offset : offset + length]
    return entries


def read_icns(data: bytes) -> dict[str, bytes]:
    """Independent ICNS reader: type code → PNG bytes."""
    assert data[:4] == b"icns"
    (total,) = struct.unpack_from(">I", data, 4)
    assert total == len(data)
    entries, position = {}, 8
    while position < total:
        code = data[position : position + 4].decode("ascii")
        (length,) = struct.unpack_from(">I", data, position + 4)
        assert length > 8 and position + length <= total
        entries[code] = data[position + 8 : position + length]
        position += length
    return entries


def test_png_icons_have_their_sizes():
    assert png_size((ICONS / "todoku.png").read_bytes()) == (256, 256)
    assert png_size((ICONS / "todoku-512.png").read_bytes()) == (512, 512)


def test_ico_holds_png_entries_up_to_256():
    entries = read_ico((ICONS / "todoku.ico").read_bytes())
    assert {16, 32, 48, 256} <= set(entries)
    for size, png in entries.items():
        assert png_size(png) == (size, size)


def test_icns_holds_retina_png_entries():
    entries = read_icns((ICONS / "todoku.icns").read_bytes())
    expected = {"ic07": 128, "ic08": 256, "ic09": 512, "ic10": 1024}
    assert set(expected) <= set(entries)
    for code, png in entries.items():
        if code in expected:
            assert png_size(png) == (expected[code], expected[code])


def test_generated_icons_match_the_svg_source(qapp, tmp_path):
    """The committed icons come from the committed SVG (re-rendered: same sizes, similar look)."""
    fresh = load_script("make_icons").build_all((ICONS / "todoku.svg").read_bytes())
    assert set(fresh) == {"todoku.png", "todoku-512.png", "todoku.ico", "todoku.icns"}
    committed = QImage.fromData((ICONS / "todoku.png").read_bytes(), "PNG")
    rendered = QImage.fromData(fresh["todoku.png"], "PNG")
    # Compare a few pixels, not bytes: PNG encoders differ between Qt versions.
    for x, y in ((128, 30), (128, 128), (200, 200), (5, 5)):
        assert committed.pixelColor(x, y).name() == rendered.pixelColor(x, y).name()


# -- launcher and metadata (fast) -------------------------------------------------------------


def desktop_entry() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # keys are case-sensitive in .desktop files
    parser.read(PACKAGING / "linux" / "todoku.desktop", encoding="utf-8")
    return parser["Desktop Entry"]


def test_desktop_file_is_a_japanese_launcher():
    entry = desktop_entry()
    assert entry["Type"] == "Application"
    assert entry["Name"] == "Todoku"
    assert entry["Name[ja]"] == "Todoku（届く）"
    assert re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", entry["Comment"])  # Japanese text
    assert entry["Categories"] == "Office;Network;"
    assert entry["Terminal"] == "false"
    assert entry["Icon"] == "todoku"  # the name install.sh gives the hicolor icons
    assert Path(entry["Exec"].split()[0]).is_absolute()


def test_spec_lists_lazy_imports_and_drops_unused_qt():
    spec = (PACKAGING / "todoku.spec").read_text(encoding="utf-8")
    for needed in ('"openai"', '"openpyxl"', '"app.sandbox"', '"app.core.classify"'):
        assert needed in spec
    for unused in ("QtWebEngineCore", "Qt3DCore", "QtQuick", "QtQml", "QtMultimedia", "QtPdf"):
        assert unused in spec
    assert "console=False" in spec


# -- the real bundle (slow) -------------------------------------------------------------------


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Iterator[tuple[Path, Path]]:
    """Build once per module into a temporary dist/work dir; yields (bundle folder, workpath)."""
    if sys.platform != "linux":
        pytest.skip("the smoke test builds the Linux bundle; other OSes are built by hand")
    problem = build_script.check_tools()
    if problem:  # a missing tool is a broken CI set-up, not a reason to pass quietly
        pytest.fail(problem)
    root = tmp_path_factory.mktemp("bundle")
    distpath, workpath = root / "dist", root / "work"
    command = [
        sys.executable,
        str(PACKAGING / "build.py"),
        "--distpath",
        str(distpath),
        "--workpath",
        str(workpath),
        "--quiet",
    ]
    result = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=BUILD_TIMEOUT_S
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    print(result.stdout.strip().splitlines()[-1])  # "built … in N s; folder M MB"
    yield build_script.bundle_dir(distpath), workpath


def isolated_env(home: Path) -> dict[str, str]:
    """Offscreen, and every per-user folder (and the self-test's temp dir) inside ``home``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "PYTHON"))}
    (home / "tmp").mkdir(parents=True, exist_ok=True)
    env.update(
        QT_QPA_PLATFORM="offscreen",
        HOME=str(home),
        TMPDIR=str(home / "tmp"),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        XDG_STATE_HOME=str(home / ".local" / "state"),
        XDG_CACHE_HOME=str(home / ".cache"),
    )
    return env


def run_self_test(executable: Path, home: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(executable), "--self-test"],
        env=isolated_env(home),
        capture_output=True,
        text=True,
        timeout=SELF_TEST_TIMEOUT_S,
    )


@pytest.mark.slow
def test_bundle_self_test_fetches_from_the_sandbox(bundle, tmp_path):
    folder, _ = bundle
    result = run_self_test(folder / "Todoku", tmp_path / "home")
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    match = re.search(r"self-test: (\d+) rows, OK", result.stdout)
    assert match, result.stdout
    assert int(match.group(1)) > 0


@pytest.mark.slow
def test_bundle_contains_lazy_modules_and_resources_but_no_dev_code(bundle):
    from PyInstaller.archive.readers import CArchiveReader

    folder, _ = bundle
    internal = folder / "_internal"
    pyz = CArchiveReader(str(folder / "Todoku")).open_embedded_archive("PYZ.pyz")
    modules = set(pyz.toc)
    for name in (
        "app.main",
        "openai",
        "openpyxl",
        "app.sandbox.sendgrid_server",
        "app.sandbox.scenarios",
        "app.core.classify.llm",
        "app.core.export.excel",
        "keyring.backends.SecretService",
    ):
        assert name in modules, f"{name} missing from the bundle"
    assert not {m for m in modules if m.split(".")[0] in {"tests", "benchmarks", "pytest"}}
    # keyring discovers its backends through entry points: its metadata must ship.
    assert list(internal.glob("keyring-*.dist-info/entry_points.txt"))
    qt_modules = {p.name.split(".")[0] for p in (internal / "PySide6").glob("Qt*.so")}
    assert {"QtCore", "QtGui", "QtWidgets"} <= qt_modules
    assert not {m for m in qt_modules if m.startswith(("QtQml", "QtQuick", "QtWebEngine", "Qt3D"))}
    assert not (internal / "PySide6" / "Qt" / "qml").exists()
    # Qt's own texts in Japanese (app/ui/qt_japanese.py); the self-test checks they load.
    assert (internal / "PySide6" / "Qt" / "translations" / "qtbase_ja.qm").is_file()
    for resource in ("rules/10-lists.toml", "sandbox/bounce-reasons.jsonl", "icons/todoku.png"):
        assert (internal / "resources" / resource).is_file(), resource


@pytest.mark.slow
def test_windows_version_resource_renders_from_app_version(bundle):
    _, workpath = bundle
    rendered = next(workpath.rglob("file_version_info.txt")).read_text(encoding="utf-8")
    # PyInstaller eval()s this text on Windows with its version classes (which need `pefile`,
    # absent on Linux); evaluating it with recording stand-ins checks syntax and values.
    seen: dict[str, list] = {}

    def recorder(name: str):
        def record(*args, **kwargs):
            seen.setdefault(name, []).append((args, kwargs))
            return name

        return record

    names = "VSVersionInfo FixedFileInfo StringFileInfo StringTable StringStruct VarFileInfo"
    eval(rendered, {name: recorder(name) for name in (*names.split(), "VarStruct")})
    numbers = tuple(int(part) for part in __version__.split(".")[:3])
    assert seen["FixedFileInfo"][0][1]["filevers"] == (*numbers, 0)
    strings = {args[0]: args[1] for args, _ in seen["StringStruct"]}
    assert strings["ProductVersion"] == strings["FileVersion"] == __version__
    assert strings["OriginalFilename"] == "Todoku.exe"


@pytest.mark.slow
def test_linux_install_script_makes_a_working_launcher(bundle, tmp_path):
    folder, _ = bundle
    home = tmp_path / "home"
    env = isolated_env(home)
    result = subprocess.run(
        ["sh", str(folder / "install.sh")], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    data = home / ".local" / "share"
    launcher = configparser.ConfigParser(interpolation=None)
    launcher.optionxform = str
    launcher.read(data / "applications" / "todoku.desktop", encoding="utf-8")
    executable = Path(launcher["Desktop Entry"]["Exec"].split()[0])
    assert executable == home / ".local" / "opt" / "Todoku" / "Todoku"
    assert (data / "icons" / "hicolor" / "256x256" / "apps" / "todoku.png").is_file()
    # The installed copy, started the way the launcher starts it, still works.
    installed = run_self_test(executable, home)
    assert installed.returncode == 0, installed.stdout + installed.stderr[-3000:]
    assert "rows, OK" in installed.stdout
