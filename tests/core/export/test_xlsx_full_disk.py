"""Saving a workbook to a full disk gives the Japanese error and nothing else.

``export_xlsx`` to a target that answers ENOSPC (``--xlsx /dev/full``, or a real full disk)
raises the right ExportError ("ディスクの空き容量が足りない…"), but openpyxl's ZipFile is
left open; when it is collected, ``ZipFile.__del__`` closes it, the close flushes to the same
full target and Python prints "Exception ignored in: <function ZipFile.__del__ …>" with a
traceback on stderr (seen at the end of ``todoku-cli fetch --xlsx /dev/full``).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
SCRIPT = """
import gc
from pathlib import Path
from app.core.export.output import ExportError
from app.core.export.excel import export_xlsx
from tests.helpers.export_rows import make_context, make_rows
try:
    export_xlsx(make_rows(50), make_context(), Path("/dev/full"))
except ExportError as error:
    print("ExportError", error.message_ja)
gc.collect()
"""


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_full_disk_gives_the_japanese_error_only() -> None:
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT, capture_output=True, text=True, encoding="utf-8", timeout=60,
    )  # fmt: skip
    assert result.stdout.startswith("ExportError"), result.stdout + result.stderr
    assert "Traceback" not in result.stderr, result.stderr[-600:]
