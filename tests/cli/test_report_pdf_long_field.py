"""`todoku-cli report --pdf` with a megabyte domain in the history.

The top-domains table holds the recipients' domains as the provider listed them. Qt lays an
unbroken line of text out glyph by glyph, so one hostile address ``a@bbbb…`` of a megabyte
kept the PDF printer busy for more than five minutes (the xlsx and the terminal report were
done in two seconds). A real CLI process with a deadline.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers.raw_pages import fetched_history

ROOT = Path(__file__).resolve().parents[2]
EMAIL = "a@" + "b" * 1_000_000 + ".jp"
PAGE = json.dumps(
    [{"email": EMAIL, "created": 1762000000, "reason": "550 5.1.1", "status": "5.1.1"}]
).encode()


@pytest.fixture(autouse=True)
def private_dirs(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("SENDGRID_API_KEY", "SG.test-key")


def test_a_megabyte_domain_does_not_stall_the_pdf(tmp_path: Path) -> None:
    history, journal = fetched_history(tmp_path, PAGE)
    pdf = tmp_path / "report.pdf"
    env = dict(os.environ, PYTHONPATH=str(ROOT), QT_QPA_PLATFORM="offscreen")
    done = subprocess.run(
        [sys.executable, "-m", "app.cli", "report", "--month", "2025-11", "--account", "練習",
         "--history", history, "--journal", journal, "--pdf", str(pdf)],
        capture_output=True, env=env, timeout=120, cwd=ROOT,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")[-500:]
    assert pdf.stat().st_size > 0
