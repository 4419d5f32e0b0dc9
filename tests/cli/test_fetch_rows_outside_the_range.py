"""Rows a server returns from outside ``--from``/``--to`` are not written as the period's rows.

``fetch`` writes "期間（JST、両端を含む）のエントリ" (README). Through the history that holds: the
range read back from the store ends at the bounds. With ``--no-history`` every row the server
sent went straight to the JSON Lines, so one broken or hostile server (here an SES imitation
that ignores StartDate/EndDate) made the same command print rows of 2020 and of the year 1 —
and a different count (完了: 3 件 against 完了: 1 件) depending on a flag about recording.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.cli import main
from tests.helpers.hostile_server import HostileHandler, hostile_server, send_json

IN_RANGE = 1793500000  # 2026-11-01 11:26:40 JST
SUMMARIES = [
    {"EmailAddress": "inside@example.jp", "Reason": "BOUNCE", "LastUpdateTime": IN_RANGE},
    {"EmailAddress": "in2020@example.jp", "Reason": "BOUNCE", "LastUpdateTime": 1600000000},
    {"EmailAddress": "year1@example.jp", "Reason": "BOUNCE", "LastUpdateTime": -62135596800},
]


@pytest.fixture(autouse=True)
def environment(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "example-secret")
    monkeypatch.setenv("AWS_REGION", "ap-northeast-1")


def _reply(handler: HostileHandler) -> None:
    send_json(handler, {"SuppressedDestinationSummaries": SUMMARIES})  # whatever was asked


@pytest.mark.parametrize("history", [["--no-history"], []], ids=["no-history", "history"])
def test_only_the_periods_rows_are_written(tmp_path: Path, history: list[str]) -> None:
    out = tmp_path / "rows.jsonl"
    with hostile_server(_reply) as url:
        code = main(
            [
                "fetch", "--provider", "ses", "--base-url", url, "--lists", "bounces",
                "--from", "2026-11-01", "--to", "2026-11-01", "--jsonl", str(out), "--quiet",
                *history,
            ]
        )  # fmt: skip
    assert code == 0
    emails = [json.loads(line)["email"] for line in out.read_text(encoding="utf-8").splitlines()]
    assert emails == ["inside@example.jp"]
