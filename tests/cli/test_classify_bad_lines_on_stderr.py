"""`todoku-cli classify` names its unreadable lines on stderr too, not only in the output.

The output is usually a file (`classify < in.jsonl > out.jsonl`): each bad line was answered
there with ``{"error": …, "line": N}`` and the run ended with exit 0 and a silent terminal, so a
file cut short, saved as Shift_JIS or holding a stray blank line looked fully classified. Run
as a real subprocess, with the hostile lines an outside tester tries."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GOOD = b'{"reason_text": "550 5.1.1 User unknown", "status": "5.1.1"}'


def _run(stdin: bytes) -> tuple[list[dict], list[str]]:
    env = {**os.environ, "LC_ALL": "C", "LANG": "C"}
    result = subprocess.run(
        [sys.executable, "-m", "app.cli", "classify"],
        input=stdin, capture_output=True, cwd=ROOT, env=env, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0
    stderr = result.stderr.decode("utf-8")
    assert "Traceback" not in stderr
    return [json.loads(line) for line in result.stdout.splitlines()], stderr.splitlines()


def test_each_bad_line_is_named_on_stderr_and_the_good_ones_are_classified() -> None:
    lines = [
        b"\xef\xbb\xbf" + GOOD,  # a BOM before line 1 is fine
        b'{"reason_text": "\xff\xfe"}',  # not UTF-8
        b"",
        b'{"reason_text": "a", "list": "bogus"}',
        b'{"reason_text": "\\ud800 lone", "email": "\\udfff@example.jp"}',  # fine: U+FFFD
        b"[" * 100_000,
        b'{"reason_text": 5}',
        GOOD,
    ]
    output, notices = _run(b"\r\n".join(lines) + b"\r\n")
    assert [row.get("line") for row in output] == [None, 2, 3, 4, None, 6, 7, None]
    assert all("category" in row for row in output if "line" not in row)
    named = [line for line in notices if "行目: " in line]
    assert [line.split(" 行目")[0].rsplit(" ", 1)[1] for line in named] == ["2", "3", "4", "6", "7"]
    for line, row in zip(named, (row for row in output if "line" in row), strict=True):
        assert line.endswith(row["error"])  # the same Japanese message as on stdout
    assert "読めない行が 5 行ありました" in notices[-1]


def test_a_last_line_cut_short_is_called_so() -> None:
    output, notices = _run(GOOD + b'\n{"reason_text": "550 5.1.1 Us')
    assert output[1]["line"] == 2
    assert "途中で切れて" in output[1]["error"]
    assert any("2 行目" in line and "途中で切れて" in line for line in notices)


def test_many_bad_lines_are_counted_not_all_named() -> None:
    output, notices = _run(b"not json\n" * 5_000 + GOOD + b"\n")
    assert len(output) == 5_001 and "category" in output[-1]
    assert len(notices) == 21  # 20 named, then the count
    assert "5,000 行" in notices[-1] and "最初の 20 行" in notices[-1]
