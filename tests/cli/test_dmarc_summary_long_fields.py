"""`todoku-cli dmarc` prints each source on one bounded line, whatever a report claims.

A report comes from a stranger: its ``source_ip``, ``header_from`` and policy domain are text
of any length, and ``header_from`` may hold a line break. The summary printed them whole: a
report with a megabyte ``source_ip`` gave a megabyte terminal line (the From domain again in
the advice line), and a line break in ``header_from`` started a line of the report's own making.
The Excel and ``--json`` outputs keep the full values. A real subprocess on a real file.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MEGA = 1_000_000


def _report() -> str:
    record = (
        f"<record><row><source_ip>{'1' * MEGA}</source_ip><count>5</count><policy_evaluated>"
        "<disposition>none</disposition><dkim>fail</dkim><spf>fail</spf></policy_evaluated>"
        f"</row><identifiers><header_from>example.jp\n- [正常] 偽の行{'e' * MEGA}</header_from>"
        "</identifiers><auth_results><spf><domain>x</domain><result>fail</result></spf>"
        "</auth_results></record>"
    )
    return (
        '<?xml version="1.0"?><feedback><report_metadata><org_name>x</org_name><email>a@b</email>'
        "<report_id>1</report_id><date_range><begin>1700000000</begin><end>1700086400</end>"
        f"</date_range></report_metadata><policy_published><domain>{'d' * MEGA}.jp</domain>"
        f"<p>none</p></policy_published>{record}</feedback>"
    )


def test_each_source_is_one_bounded_line(tmp_path: Path) -> None:
    report = tmp_path / "report.xml"
    report.write_text(_report(), encoding="utf-8")
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data"), "PYTHONIOENCODING": "utf-8"}
    result = subprocess.run(
        [sys.executable, "-m", "app.cli", "dmarc", "--no-dns", str(report)],
        capture_output=True, text=True, encoding="utf-8", cwd=ROOT, env=env, timeout=120,
        check=False,
    )  # fmt: skip
    assert result.returncode == 3, result.stderr  # a failing source: the summary was printed
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) < 2_000
    assert not any(line.startswith("- [正常] 偽の行") for line in lines)
    assert any(line.startswith("- [なりすましの疑い] 111") for line in lines)
