"""Generate the app icons (PNG, ICO, ICNS) from resources/icons/todoku.svg with Qt only.

Run after editing the SVG and commit the results: ``python packaging/make_icons.py``.
Pillow is not a dependency, so the ICO and ICNS containers are written here with ``struct``;
both hold PNG-compressed images, which Windows (Vista and later) and macOS (10.7 and later) read.
"""

from __future__ import annotations

import argparse
import os
import struct
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ICON_DIR = ROOT / "resources" / "icons"
SVG_PATH = ICON_DIR / "todoku.svg"

PNG_SIZES = {"todoku.png": 256, "todoku-512.png": 512}
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
# ICNS type codes that hold PNG data, with their pixel size (the @2x codes reuse larger renders).
ICNS_TYPES = (
    ("ic11", 32),  # 16x16@2x
    ("ic12", 64),  # 32x32@2x
    ("ic07", 128),
    ("ic13", 256),  # 128x128@2x
    ("ic08", 256),
    ("ic14", 512),  # 256x256@2x
    ("ic09", 512),
    ("ic10", 1024),  # 512x512@2x
)


def render_png(svg: bytes, size: int) -> bytes:
    """The SVG drawn on a transparent ``size``×``size`` canvas, encoded as PNG."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(QByteArray(svg))
    if not renderer.isValid():
        raise ValueError("the SVG could not be parsed by QSvgRenderer")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(0)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):
        raise RuntimeError(f"PNG encoding failed at {size}px")
    buffer.close()
    return bytes(data)


def ico_bytes(pngs: dict[int, bytes]) -> bytes:
    """An ICO file whose entries are the given PNGs (key = pixel size, at most 256)."""
    sizes = sorted(pngs)
    header = struct.pack("<HHH", 0, 1, len(sizes))  # reserved, type 1 = icon, count
    offset = len(header) + 16 * len(sizes)
    directory = b""
    for size in sizes:
        if not 1 <= size <= 256:
            raise ValueError(f"ICO entries are at most 256 px, not {size}")
        dimension = 0 if size == 256 else size  # 0 means 256 in a one-byte field
        directory += struct.pack(
            "<BBBBHHII", dimension, dimension, 0, 0, 1, 32, len(pngs[size]), offset
        )
        offset += len(pngs[size])
    return header + directory + b"".join(pngs[size] for size in sizes)


def icns_bytes(entries: list[tuple[str, bytes]]) -> bytes:
    """An ICNS file: big-endian ``icns`` header, then one (type, length, PNG) block per entry."""
    blocks = b""
    for code, png in entries:
        if len(code) != 4:
            raise ValueError(f"ICNS type codes are four characters, not {code!r}")
        blocks += code.encode("ascii") + struct.pack(">I", 8 + len(png)) + png
    return b"icns" + struct.pack(">I", 8 + len(blocks)) + blocks


def build_all(svg: bytes) -> dict[str, bytes]:
    """File name → content for every generated icon."""
    wanted = set(PNG_SIZES.values()) | set(ICO_SIZES) | {size for _, size in ICNS_TYPES}
    rendered = {size: render_png(svg, size) for size in sorted(wanted)}
    files = {name: rendered[size] for name, size in PNG_SIZES.items()}
    files["todoku.ico"] = ico_bytes({size: rendered[size] for size in ICO_SIZES})
    files["todoku.icns"] = icns_bytes([(code, rendered[size]) for code, size in ICNS_TYPES])
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ICON_DIR, help="output folder")
    args = parser.parse_args(argv)

    # QSvgRenderer needs a GUI application object; no window is shown.
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    _app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    args.out.mkdir(parents=True, exist_ok=True)
    for name, content in build_all(SVG_PATH.read_bytes()).items():
        (args.out / name).write_bytes(content)
        print(f"{name}: {len(content):,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
