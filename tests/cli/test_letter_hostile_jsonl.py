"""`todoku-cli letter` fed a hostile fetch file (the addresses come from outside).

1. The letter's header line "（相手: <domain>、…）" prints the recipient domain raw: a bidi
   control (U+202E RIGHT-TO-LEFT OVERRIDE) in an address reaches the terminal, although the
   letter body cleans the same address (docs/hostile-input.md: letters are cleaned).
2. A bad line is reported with Python's own exception text: "5 行目を読めません（'created'）"
   (a KeyError's repr), "（year -29719 is out of range）", "（Invalid value NaN (not a
   number)）", "（timestamp out of range for platform time_t）", ListKind's English error.
   The house rule is a clear Japanese message for every error a user can meet.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from app.cli import main

GOOD = {
    "list": "bounces", "created": 1762000000, "status": "5.7.1",
    "reason": "550 5.7.1 Message rejected by policy",
}  # fmt: skip
JAPANESE = re.compile("[\u3040-\u30ff\u4e00-\u9fff]")


def _run_letter(tmp_path: Path, lines: list[str], capsys: pytest.CaptureFixture[str]):
    source = tmp_path / "fetch.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code = main(
        ["letter", "--kind", "municipal", "--jsonl", str(source),
         "--settings", str(tmp_path / "settings.json"), "--letters-dir", str(tmp_path / "none")]
    )  # fmt: skip
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_bidi_control_in_a_domain_never_reaches_the_terminal(tmp_path, capsys) -> None:
    line = json.dumps({**GOOD, "email": "f@\u202ecity.example.lg.jp"})
    code, out, _ = _run_letter(tmp_path, [line], capsys)
    assert code == 0
    assert "連絡文 1/1" in out
    assert "\u202e" not in out, [text for text in out.splitlines() if "\u202e" in text]


@pytest.mark.parametrize(
    ("item", "field"),
    [
        ({"email": "a@city.example.lg.jp", "list": "bounces"}, "created"),  # no created
        ({"email": "a@city.example.lg.jp", "created": 1762000000}, "list"),  # no list
        ({**GOOD, "email": "a@city.example.lg.jp", "list": "nope"}, "list"),
        ({**GOOD, "email": "a@city.example.lg.jp", "created": 1e300}, "created"),
        ({**GOOD, "email": "a@city.example.lg.jp", "created": -1e12}, "created"),
        ({**GOOD, "email": "a@city.example.lg.jp", "created": float("nan")}, "created"),
        ({**GOOD, "email": 42}, "email"),
        ({**GOOD, "email": "a@city.example.lg.jp", "reason": 7}, "reason"),
        ([1, 2], "JSON オブジェクト"),
    ],
)
def test_a_bad_line_is_explained_in_japanese(tmp_path, capsys, item, field) -> None:
    _, _, err = _run_letter(tmp_path, [json.dumps(item)], capsys)
    problem = next(text for text in err.splitlines() if "1 行目を読めません" in text)
    why = problem.split("（", 1)[1]
    assert JAPANESE.search(why), problem
    assert field in why, problem  # which field is wrong
    assert "'" not in why and "out of range" not in why and "Invalid" not in why, problem


def test_a_line_that_is_not_json_is_explained_in_japanese(tmp_path, capsys) -> None:
    _, _, err = _run_letter(tmp_path, ['{"email": "a@b.jp", "created": ', "[" * 100000], capsys)
    assert "1 行目を読めません（JSON ではありません）" in err
    assert "2 行目を読めません（" in err
    assert "Expecting" not in err
